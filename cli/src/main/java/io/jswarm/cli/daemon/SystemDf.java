package io.jswarm.cli.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.json.Json;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /system/df} ({@code docker system df}): this node's images, containers and volumes as the node's own
 * list routes answer them ({@code /images/json}, {@code /containers/json?all=1&size=1}, {@code /volumes?size=1}),
 * {@code LayersSize} the images' total size, and an empty {@code BuildCache} (jswarm builds nothing). Each container's
 * {@code ImageID} is the image its reference names here, and each image counts its {@code Containers}, which is
 * what {@code docker system df} shows as active images and what is reclaimable. The volumes come
 * from the volume routes as they are, so their {@code UsageData} is whatever those report.
 */
final class SystemDf {
  private final Router router;

  SystemDf(Router router) {
    this.router = router;
  }

  void routes(Router r) {
    r.get("/system/df", this::df);
  }

  private HttpResponse df(HttpRequest req) throws Exception {
    JsonNode images = list("/images/json", Map.of());
    JsonNode containers = list("/containers/json", Map.of("all", List.of("1"), "size", List.of("1")));
    JsonNode volumes = list("/volumes", Map.of("size", List.of("1"))).path("Volumes");
    Map<String, String> imageIds = new HashMap<>();
    for (JsonNode c : containers) {
      String ref = c.path("Image").asText("");
      if (c.path("ImageID").asText("").isEmpty() && !ref.isEmpty() && c instanceof ObjectNode o) {
        o.put("ImageID", imageIds.computeIfAbsent(ref, this::imageId));
      }
    }
    long layers = 0;
    for (JsonNode i : images) {
      layers += i.path("Size").asLong();
      long users = 0;
      for (JsonNode c : containers) {
        users += i.path("Id").asText().equals(c.path("ImageID").asText()) ? 1 : 0;
      }
      if (i instanceof ObjectNode o) {
        o.put("Containers", users); // docker system df counts the images in use (ACTIVE) from these
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("LayersSize", layers);
    out.put("Images", images);
    out.put("Containers", containers);
    out.put("Volumes", volumes.isMissingNode() ? List.of() : volumes);
    out.put("BuildCache", List.of());
    return HttpResponse.ok(out);
  }

  /** The id of the image a container's reference names on this node, or "" when the node has no such image. */
  private String imageId(String reference) {
    try {
      JsonNode image = list("/images/" + reference + "/json", Map.of());
      return image.path("Id").asText("");
    } catch (Exception e) {
      return "";
    }
  }

  /** What this node's own route answers (an empty list if it fails: df shows what it can). */
  private JsonNode list(String path, Map<String, List<String>> query) throws Exception {
    Router.Match m = router.match("GET", path);
    HttpResponse r = m.handler().handle(new HttpRequest("GET", path, query, Map.of(), new byte[0], m.params(), null));
    if (r.status != 200 || r.body == null) {
      return Json.mapper().createArrayNode();
    }
    return Json.mapper().readTree(r.body);
  }
}
