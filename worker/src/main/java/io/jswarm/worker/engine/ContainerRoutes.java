package io.jswarm.worker.engine;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.transport.http.Filters;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.MultiplexedStream;
import io.jswarm.transport.http.Router;
import io.jswarm.transport.http.StreamSink;
import io.jswarm.worker.container.LocalContainer;
import io.jswarm.worker.container.LocalContainers;
import io.jswarm.worker.logs.JsonLogReader;
import io.jswarm.worker.logs.LogEntry;
import io.jswarm.worker.logs.LogQuery;
import io.jswarm.worker.logs.NodeLogRoutes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Docker's container routes over this node's task containers: {@code GET /containers/json},
 * {@code /containers/{id}/json}, {@code /logs}, {@code /top}, {@code /stats}, {@code POST /containers/{id}/kill}.
 * A node without containers (no swarm yet, the simulated executor) lists none and finds none.
 */
public final class ContainerRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerRoutes.class);
  static final Set<String> LIST_FILTERS = Set.of("label", "name", "status", "id");
  private static final Set<String> STATUSES =
      Set.of("created", "restarting", "running", "removing", "paused", "exited", "dead");
  /** What {@code ps_args} may hold: ps options, never a shell's metacharacters. */
  private static final Pattern PS_ARGS = Pattern.compile("[A-Za-z0-9 ,=_-]{0,64}");

  private final Supplier<LocalContainers> containers;

  /**
   * @param containers this node's containers, or null while the node runs none (read at each request: the
   *     executor comes and goes with the swarm role)
   */
  public ContainerRoutes(Supplier<LocalContainers> containers) {
    this.containers = containers;
  }

  public void routes(Router r) {
    r.get("/containers/json", this::list);
    r.get("/containers/{id}/json", req -> HttpResponse.ok(ContainerShapes.inspect(find(req))));
    r.get("/containers/{id}/logs", this::logs);
    r.get("/containers/{id}/top", req -> HttpResponse.ok(ContainerTop.top(local().running(req.pathParam("id")),
        psArgs(req.param("ps_args")))));
    r.get("/containers/{id}/stats", req -> ContainerStats.response(find(req), req));
    r.post("/containers/{id}/kill", this::kill);
  }

  private LocalContainers local() {
    LocalContainers l = containers.get();
    if (l == null) {
      throw new NotFoundException("this node runs no containers: it is not in a swarm, or its executor is the "
          + "simulated one");
    }
    return l;
  }

  private LocalContainer find(HttpRequest req) {
    LocalContainers l = containers.get();
    if (l == null) {
      throw new NotFoundException("No such container: " + req.pathParam("id"));
    }
    return l.find(req.pathParam("id"));
  }

  private HttpResponse list(HttpRequest req) {
    Filters f = Filters.parse(req.param("filters"), LIST_FILTERS);
    for (String s : f.get("status")) {
      if (!STATUSES.contains(s)) {
        throw new InvalidArgumentException("invalid filter 'status=" + s + "'; allowed: " + String.join(", ",
            new java.util.TreeSet<>(STATUSES)));
      }
    }
    List<Pattern> names = new ArrayList<>();
    for (String n : f.get("name")) {
      try {
        names.add(Pattern.compile(n));
      } catch (PatternSyntaxException e) {
        throw new InvalidArgumentException("invalid filter 'name=" + n + "': not a regular expression: "
            + e.getDescription());
      }
    }
    boolean all = req.flag("all") || !f.get("status").isEmpty();
    LocalContainers l = containers.get();
    List<Map<String, Object>> out = new ArrayList<>();
    List<LocalContainer> found = l == null ? List.of() : l.all();
    for (int i = found.size() - 1; i >= 0; i--) { // newest first, as docker ps lists them
      LocalContainer c = found.get(i);
      if (!all && !c.running()) {
        continue;
      }
      Map<String, String> labels = ContainerShapes.labels(c);
      if (!f.labels("label", labels) || !f.any("status", s -> s.equals(c.status()))
          || !f.any("id", id -> c.id().startsWith(id))
          || !(names.isEmpty() || names.stream().anyMatch(p -> p.matcher("/" + c.name()).find()))) {
        continue;
      }
      out.add(ContainerShapes.summary(c, labels));
    }
    return HttpResponse.ok(out);
  }

  private static List<String> psArgs(String v) {
    if (v == null || v.isBlank()) {
      return List.of("-ef");
    }
    if (!PS_ARGS.matcher(v).matches()) {
      throw new InvalidArgumentException("ps_args: options of ps (letters, digits, spaces, - , = _), got '" + v
          + "'");
    }
    return List.of(v.trim().split("\\s+"));
  }

  private HttpResponse kill(HttpRequest req) throws IOException, InterruptedException {
    LocalContainers l = local();
    LocalContainer c = l.find(req.pathParam("id"));
    l.kill(c, req.param("signal"));
    return HttpResponse.empty(204);
  }

  private HttpResponse logs(HttpRequest req) {
    LocalContainer c = find(req);
    LogQuery q = NodeLogRoutes.query(req);
    boolean timestamps = req.flag("timestamps");
    JsonLogReader reader = new JsonLogReader(c.stateDir());
    LocalContainers l = containers.get();
    return HttpResponse.stream(200, MultiplexedStream.CONTENT_TYPE, sink -> {
      Thread t = new Thread(() -> pump(reader, q, timestamps, c.id(), l, sink), "container-logs-" + c.id());
      t.setDaemon(true);
      sink.onClose(t::interrupt);
      t.start();
    });
  }

  private static void pump(JsonLogReader reader, LogQuery q, boolean timestamps, String id, LocalContainers l,
      StreamSink sink) {
    try {
      reader.read(q, e -> sink.send(frame(e, timestamps)), () -> !sink.isOpen() || !stillRunning(l, id));
    } catch (InterruptedException e) {
      // the client hung up
    } catch (Exception e) {
      LOG.warn("reading the log of container {} failed: {}", id, e.toString());
    } finally {
      sink.close();
    }
  }

  private static boolean stillRunning(LocalContainers l, String id) {
    try {
      return l.find(id).running();
    } catch (RuntimeException gone) {
      return false;
    }
  }

  private static byte[] frame(LogEntry e, boolean timestamps) {
    String text = timestamps ? LogEntry.FIXED_NANOS.format(e.time()) + " " + e.log() : e.log();
    return MultiplexedStream.frame(e.isStderr() ? MultiplexedStream.STDERR : MultiplexedStream.STDOUT,
        text.getBytes(StandardCharsets.UTF_8));
  }
}
