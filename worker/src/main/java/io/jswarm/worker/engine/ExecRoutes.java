package io.jswarm.worker.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.api.json.Json;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.MultiplexedStream;
import io.jswarm.transport.http.Router;
import io.jswarm.worker.container.LocalContainer;
import io.jswarm.worker.container.LocalContainers;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * {@code docker exec}: {@code POST /containers/{id}/exec} makes an exec instance, {@code POST /exec/{id}/start}
 * runs it on the hijacked connection (HTTP 101, {@code Upgrade: tcp}; raw with a terminal, Docker's multiplexed
 * stream without), {@code POST /exec/{id}/resize} sizes its terminal, {@code GET /exec/{id}/json} tells whether it
 * runs and its exit code. Instances live in memory: at most {@link #MAX_INSTANCES}; ended ones are forgotten after
 * {@link #KEEP_ENDED}. Served on the node's API listeners only (root in a container is root's business).
 */
public final class ExecRoutes {
  static final int MAX_INSTANCES = 256;
  static final Duration KEEP_ENDED = Duration.ofMinutes(10);
  private static final int MAX_ARGS = 1024;

  private final Supplier<LocalContainers> containers;
  private final Map<String, ExecSession> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();

  public ExecRoutes(Supplier<LocalContainers> containers) {
    this.containers = containers;
  }

  public void routes(Router r) {
    r.post("/containers/{id}/exec", this::create);
    r.post("/exec/{id}/start", this::start);
    r.post("/exec/{id}/resize", this::resize);
    r.get("/exec/{id}/json", req -> HttpResponse.ok(inspect(session(req))));
  }

  private LocalContainers local(String ref) {
    LocalContainers l = containers.get();
    if (l == null) {
      throw new NotFoundException("No such container: " + ref);
    }
    return l;
  }

  private ExecSession session(HttpRequest req) {
    ExecSession s = sessions.get(req.pathParam("id"));
    if (s == null) {
      throw new NotFoundException("No such exec instance: " + req.pathParam("id"));
    }
    return s;
  }

  private HttpResponse create(HttpRequest req) {
    String ref = req.pathParam("id");
    LocalContainers l = local(ref);
    JsonNode b = req.json(JsonNode.class);
    LocalContainer c = l.running(ref);
    List<String> cmd = strings(b, "Cmd");
    if (cmd.isEmpty()) {
      throw new InvalidArgumentException("Cmd: No exec command specified");
    }
    if (b.path("Privileged").asBoolean(false)) {
      throw new InvalidArgumentException("Privileged: exec --privileged is not supported by jswarm; the process "
          + "gets the container's own privileges");
    }
    List<String> env = strings(b, "Env");
    for (String e : env) {
      if (!e.contains("=") || e.startsWith("=")) {
        throw new InvalidArgumentException("Env: \"" + e + "\" is not NAME=value");
      }
    }
    String wd = text(b, "WorkingDir");
    if (wd != null && !wd.startsWith("/")) {
      throw new InvalidArgumentException("WorkingDir: \"" + wd + "\" must be an absolute path");
    }
    int[] size = consoleSize(b.path("ConsoleSize"));
    ExecSession.Config cfg = new ExecSession.Config(List.copyOf(cmd), mergedEnv(c.process().env(), env),
        l.resolveUser(c, text(b, "User")), wd, b.path("Tty").asBoolean(false),
        b.path("AttachStdin").asBoolean(false), b.path("AttachStdout").asBoolean(false),
        b.path("AttachStderr").asBoolean(false), size[0], size[1]);
    forgetEnded();
    if (sessions.size() >= MAX_INSTANCES) {
      throw new UnavailableException("this node holds " + MAX_INSTANCES + " exec instances; retry once some end");
    }
    byte[] id = new byte[32];
    random.nextBytes(id);
    ExecSession s = new ExecSession(HexFormat.of().formatHex(id), c, cfg, l);
    sessions.put(s.id, s);
    return HttpResponse.json(201, Map.of("Id", s.id));
  }

  private HttpResponse start(HttpRequest req) {
    ExecSession s = session(req);
    JsonNode b = req.body() == null || req.body().length == 0 ? Json.mapper().createObjectNode()
        : req.json(JsonNode.class);
    int[] size = consoleSize(b.path("ConsoleSize"));
    s.claim();
    if (size[0] > 0 && size[1] > 0) {
      s.resize(size[0], size[1]);
    }
    if (b.path("Detach").asBoolean(false)) {
      Thread t = new Thread(() -> s.run(null), "exec-" + s.id);
      t.setDaemon(true);
      t.start();
      return HttpResponse.empty(200);
    }
    String type = s.config.tty() ? "application/vnd.docker.raw-stream" : MultiplexedStream.CONTENT_TYPE;
    return HttpResponse.hijack(type, s::run);
  }

  private HttpResponse resize(HttpRequest req) {
    ExecSession s = session(req);
    int h = dimension(req, "h");
    int w = dimension(req, "w");
    if (!s.config.tty()) {
      throw new InvalidArgumentException("exec " + s.id + " has no terminal to resize (it was made without Tty)");
    }
    s.resize(h, w);
    return HttpResponse.empty(200);
  }

  private static int dimension(HttpRequest req, String name) {
    String v = req.param(name);
    try {
      int n = Integer.parseInt(v == null ? "" : v.trim());
      if (n < 0 || n > 0xffff) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException(name + ": a terminal size from 0 to 65535, got '" + v + "'");
    }
  }

  private static Map<String, Object> inspect(ExecSession s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ID", s.id);
    m.put("Running", s.running());
    m.put("ExitCode", s.exitCode());
    Map<String, Object> pc = new LinkedHashMap<>();
    pc.put("tty", s.config.tty());
    pc.put("entrypoint", s.config.cmd().get(0));
    pc.put("arguments", s.config.cmd().subList(1, s.config.cmd().size()));
    pc.put("privileged", false);
    pc.put("user", s.config.user() == null ? "" : s.config.user());
    m.put("ProcessConfig", pc);
    m.put("OpenStdin", s.config.attachStdin());
    m.put("OpenStderr", s.config.attachStderr());
    m.put("OpenStdout", s.config.attachStdout());
    m.put("CanRemove", false);
    m.put("ContainerID", s.containerId);
    m.put("DetachKeys", "");
    m.put("Pid", s.pid() == null ? 0 : s.pid());
    return m;
  }

  private void forgetEnded() {
    Instant cutoff = Instant.now().minus(KEEP_ENDED);
    sessions.values().removeIf(s -> s.ended() != null && s.ended().isBefore(cutoff));
    if (sessions.size() >= MAX_INSTANCES) { // full of recent ones: the ended go first, oldest first
      sessions.values().stream().filter(s -> s.ended() != null)
          .sorted(java.util.Comparator.comparing(ExecSession::ended)).limit(MAX_INSTANCES / 4)
          .toList().forEach(s -> sessions.remove(s.id));
    }
  }

  /**
   * The container's environment with the exec's {@code NAME=value} entries over it, as dockerd gives an exec process;
   * passed whole because crun's {@code exec --env} replaces the environment where runc's adds to it.
   */
  static List<String> mergedEnv(List<String> container, List<String> exec) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String e : container) {
      m.put(e.substring(0, Math.max(0, e.indexOf('='))), e);
    }
    for (String e : exec) {
      m.remove(e.substring(0, e.indexOf('=')));
      m.put(e.substring(0, e.indexOf('=')), e);
    }
    return List.copyOf(m.values());
  }

  private static int[] consoleSize(JsonNode n) {
    if (n.isMissingNode() || n.isNull()) {
      return new int[] {0, 0};
    }
    if (!n.isArray() || n.size() != 2 || !n.get(0).canConvertToInt() || !n.get(1).canConvertToInt()
        || n.get(0).asInt() < 0 || n.get(1).asInt() < 0 || n.get(0).asInt() > 0xffff || n.get(1).asInt() > 0xffff) {
      throw new InvalidArgumentException("ConsoleSize: [height, width] from 0 to 65535, got " + n);
    }
    return new int[] {n.get(0).asInt(), n.get(1).asInt()};
  }

  private static String text(JsonNode b, String field) {
    JsonNode n = b.path(field);
    if (n.isMissingNode() || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new InvalidArgumentException(field + ": a string, got " + n.getNodeType().name().toLowerCase());
    }
    return n.asText().isEmpty() ? null : n.asText();
  }

  private static List<String> strings(JsonNode b, String field) {
    JsonNode n = b.path(field);
    List<String> out = new ArrayList<>();
    if (n.isMissingNode() || n.isNull()) {
      return out;
    }
    if (!n.isArray() || n.size() > MAX_ARGS) {
      throw new InvalidArgumentException(field + ": a list of at most " + MAX_ARGS + " strings");
    }
    for (JsonNode e : n) {
      if (!e.isTextual() || e.asText().indexOf('\0') >= 0) {
        throw new InvalidArgumentException(field + ": a list of strings without NUL characters, got " + e);
      }
      out.add(e.asText());
    }
    return out;
  }
}
