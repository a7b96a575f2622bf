package io.jswarm.worker.volume;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.json.Json;
import io.jswarm.transport.http.Filters;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Docker's volume routes on every node's API (volumes are node-local, like Docker's {@code local} driver):
 * {@code GET /volumes} ({@code {"Volumes":[...],"Warnings":[]}}, filters {@code name}, {@code label},
 * {@code dangling}, {@code driver}), {@code GET /volumes/{name}}, {@code POST /volumes/create},
 * {@code DELETE /volumes/{name}} (409 while a task uses it). {@code ?size=1} on list and inspect adds
 * {@code UsageData} (jswarm extension; Docker shows sizes in {@code system df -v}).
 */
public final class VolumeRoutes {
  private static final Set<String> FILTERS = Set.of("name", "label", "dangling", "driver");

  private final LocalVolumes volumes;

  public VolumeRoutes(LocalVolumes volumes) {
    this.volumes = Objects.requireNonNull(volumes, "volumes");
  }

  public void routes(Router r) {
    r.get("/volumes", this::list);
    r.post("/volumes/create", this::create);
    r.get("/volumes/{name}", this::inspect);
    r.delete("/volumes/{name}", this::remove);
  }

  /** Body of {@code POST /volumes/create}. */
  public static class CreateRequest {
    public String name;
    public String driver;
    public Map<String, String> driverOpts;
    public Map<String, String> labels;
  }

  private HttpResponse list(HttpRequest req) throws IOException {
    Map<String, List<String>> f = Filters.parse(req.param("filters"), FILTERS).asMap();
    List<Volume> out = new ArrayList<>();
    for (Volume v : volumes.list(req.flag("size"))) {
      if (matches(v, f)) {
        out.add(v);
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("Volumes", out);
    body.put("Warnings", List.of());
    return HttpResponse.ok(body);
  }

  private boolean matches(Volume v, Map<String, List<String>> f) throws IOException {
    for (Map.Entry<String, List<String>> e : f.entrySet()) {
      boolean any = false;
      for (String want : e.getValue()) {
        any |= switch (e.getKey()) {
          case "name" -> v.name.contains(want);
          case "driver" -> v.driver.equals(want);
          case "dangling" -> (want.equals("true") || want.equals("1")) == volumes.users(v.name).isEmpty();
          default -> Filters.labelMatches(v.labels, want);
        };
      }
      if (!any) {
        return false;
      }
    }
    return true;
  }





  private HttpResponse create(HttpRequest req) throws IOException {
    CreateRequest c = req.body() == null || req.body().length == 0 ? new CreateRequest() : req.json(CreateRequest.class);
    if (c.driver != null && !c.driver.isEmpty() && !c.driver.equals(LocalVolumes.DRIVER)) {
      throw new InvalidArgumentException("Driver: volume driver \"" + c.driver + "\" is not available: jswarm has "
          + "only the \"local\" driver");
    }
    return HttpResponse.json(201, volumes.create(c.name, c.labels, c.driverOpts));
  }

  private HttpResponse inspect(HttpRequest req) throws IOException {
    return HttpResponse.ok(volumes.inspect(req.pathParam("name"), req.flag("size")));
  }

  private HttpResponse remove(HttpRequest req) throws IOException {
    try {
      volumes.remove(req.pathParam("name"));
    } catch (NotFoundException e) {
      if (!req.flag("force")) {
        throw e;
      }
    }
    return HttpResponse.empty(204);
  }
}
