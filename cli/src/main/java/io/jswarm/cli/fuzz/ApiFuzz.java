package io.jswarm.cli.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.IntConsumer;

/**
 * A property-based fuzzer of the API of a live daemon: for every route the daemon serves it generates requests —
 * path parameters (ids that exist, names, junk), query strings (every Docker parameter name with values of every
 * kind), bodies (mutations of a valid body with out-of-range numbers, wrong JSON kinds, nulls, huge strings, deep
 * nesting; random JSON; raw bytes; nothing) — and holds three properties: no answer is a 5xx, every answer
 * starts within {@link #HANG}, and the daemon keeps answering {@code /_ping}. Routes are taken round-robin, so
 * every route gets its share of the cases; all choices come from one seed, printed with every failure.
 *
 * <p>Requests that would leave loopback are never generated: image references always name the registry
 * {@code 127.0.0.1:1} (nothing listens there), and {@code swarm leave} is never forced (the fuzzed node stays
 * the swarm's manager).
 */
public final class ApiFuzz {
  /** The longest a request may wait for the first line of its answer. */
  public static final Duration HANG = Duration.ofSeconds(2);
  /** Every so many cases the daemon must answer {@code GET /_ping}. */
  private static final int PING_EVERY = 25;
  /** Every so many cases the ids of existing objects are read again. */
  private static final int REFRESH_EVERY = 100;
  private static final String NOWHERE_REGISTRY = "127.0.0.1:1/";
  private static final List<String> QUERY_NAMES = List.of("filters", "version", "force", "status", "rollback",
      "registryAuthFrom", "insertDefaults", "size", "all", "digests", "fromImage", "fromSrc", "tag", "repo",
      "changes", "message", "platform", "follow", "stdout", "stderr", "since", "until", "timestamps", "tail",
      "details", "rotateWorkerToken", "rotateManagerToken", "rotateManagerUnlockKey", "noprune", "quiet", "names",
      "canary", "dangling");
  private static final List<String> IMAGE_SUFFIXES = List.of("", "/json", "/tag", "/push", "/get", "/history", "/x");

  /** A route as the daemon's router lists it. */
  public record Route(String method, String pattern) {
    public String key() {
      return method + " " + pattern;
    }
  }

  /** A property that did not hold, with what reproduces it. */
  public record Failure(long seed, int index, String request, String problem) {
    @Override
    public String toString() {
      return "case " + index + " (seed " + seed + "): " + request + " -> " + problem;
    }
  }

  /** What a run saw. */
  public static final class Report {
    public int cases;
    public final Map<Integer, Integer> statuses = new TreeMap<>();
    public final Map<String, Integer> perRoute = new TreeMap<>();
    public final List<Failure> failures = new ArrayList<>();
    final List<Long> nanos = new ArrayList<>();

    /** The {@code q} quantile (0..1) of the time to the first line of the answer, in ms. */
    public double latencyMs(double q) {
      if (nanos.isEmpty()) {
        return 0;
      }
      long[] a = nanos.stream().mapToLong(Long::longValue).toArray();
      Arrays.sort(a);
      return a[Math.min(a.length - 1, (int) Math.ceil(q * a.length) - 1 < 0 ? 0 : (int) Math.ceil(q * a.length) - 1)]
          / 1e6;
    }
  }

  private final String host;
  private final int port;
  private final List<Route> routes;
  private final long seed;
  private final FuzzValues v;
  private final Map<String, JsonNode> seeds = new LinkedHashMap<>();
  /** Ids and names of objects that exist, by the path parameter's likely kind. */
  private final List<String> known = new ArrayList<>();

  /**
   * @param routes every route of the daemon's API (see {@code Daemon.apiRoutes()})
   * @param seeds valid bodies by {@code "METHOD /pattern"}; routes without one get random JSON and mutations of
   *     an empty object
   */
  public ApiFuzz(String host, int port, List<Route> routes, Map<String, String> seeds, long seed) {
    this.host = host;
    this.port = port;
    this.routes = List.copyOf(routes);
    this.seed = seed;
    this.v = new FuzzValues(new Random(seed));
    seeds.forEach((k, body) -> this.seeds.put(k, parse(body)));
  }

  /** Runs {@code cases} requests; {@code progress} hears the index of each case done. */
  public Report run(int cases, IntConsumer progress) {
    Report rep = new Report();
    refreshKnown();
    for (int i = 0; i < cases; i++) {
      if (i % REFRESH_EVERY == 0 && i > 0) {
        refreshKnown();
      }
      Route route = routes.get(i % routes.size());
      Request req = generate(route);
      rep.cases++;
      rep.perRoute.merge(route.key(), 1, Integer::sum);
      Answer a = send(req);
      if (a.problem != null) {
        rep.failures.add(new Failure(seed, i, req.describe(), a.problem));
      } else {
        rep.statuses.merge(a.status, 1, Integer::sum);
        rep.nanos.add(a.nanos);
        if (a.status >= 500) {
          rep.failures.add(new Failure(seed, i, req.describe(), "HTTP " + a.status + ": " + a.body));
        }
      }
      if (i % PING_EVERY == PING_EVERY - 1 || i == cases - 1) {
        Answer ping = send(new Request("GET", "/_ping", null, null));
        if (ping.problem != null || ping.status != 200) {
          rep.failures.add(new Failure(seed, i, "GET /_ping after " + req.describe(),
              ping.problem != null ? ping.problem : "HTTP " + ping.status + ": " + ping.body));
          return rep; // a daemon that stopped answering makes every later case meaningless
        }
      }
      if (progress != null) {
        progress.accept(i);
      }
    }
    return rep;
  }

  // ---- generation ----

  /** One request to send. */
  record Request(String method, String target, byte[] body, String contentType) {
    String describe() {
      String t = target.length() > 300 ? target.substring(0, 300) + "...(" + target.length() + " chars)" : target;
      String b = body == null ? "" : " body " + (body.length > 300
          ? new String(body, 0, 300, StandardCharsets.UTF_8) + "...(" + body.length + " bytes)"
          : new String(body, StandardCharsets.UTF_8));
      return method + " " + t + (contentType == null ? "" : " [" + contentType + "]") + b;
    }
  }

  Request generate(Route route) {
    StringBuilder path = new StringBuilder(prefix());
    for (String seg : route.pattern().substring(1).split("/", -1)) {
      path.append('/');
      if (seg.endsWith("...}")) {
        path.append(imageName(true)).append(v.pick(IMAGE_SUFFIXES));
      } else if (seg.startsWith("{")) {
        path.append(pathValue());
      } else {
        path.append(seg);
      }
    }
    String query = query(route);
    byte[] body = null;
    String contentType = null;
    if (route.method().equals("POST") || v.chance(5)) {
      body = body(route);
      contentType = body == null ? (v.chance(50) ? "text/plain" : null)
          : v.chance(85) ? "application/json" : v.pick(List.of("text/plain", "application/x-tar", "", "x"));
    }
    return new Request(route.method(), path + query, body, contentType);
  }

  private String prefix() {
    int k = v.random().nextInt(10);
    if (k < 7) {
      return "/v1.41";
    }
    if (k < 8) {
      return "";
    }
    return "/v" + v.pick(List.of("1.12", "1.11", "0.1", "2.0", "99999999999", "1.999999999999", "00001.41",
        "1.40", "1.24")) + (v.chance(50) ? "" : "." + v.token().replace(".", ""));
  }

  private String pathValue() {
    if (!known.isEmpty() && v.chance(55)) {
      String id = v.pick(known);
      return v.chance(20) && id.length() > 4 ? id.substring(0, 4) : encodeSegment(id);
    }
    String s = v.string();
    return v.chance(85) ? encodeSegment(s) : rawSafe(s);
  }

  /** An image reference that can only reach the loopback registry nobody listens on, or a local name. */
  private String imageName(boolean asPath) {
    String name;
    int k = v.random().nextInt(4);
    if (k == 0 && !known.isEmpty()) {
      name = v.pick(known);
    } else if (k == 1) {
      name = v.string();
    } else {
      name = NOWHERE_REGISTRY + v.token() + (v.chance(50) ? ":" + v.token() : "");
    }
    return asPath ? encodeSegment(name).replace("%2F", "/").replace("%3A", ":") : name;
  }

  private String query(Route route) {
    int n = v.chance(30) ? 0 : 1 + v.random().nextInt(4);
    StringBuilder q = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String name = v.chance(90) ? v.pick(QUERY_NAMES) : v.string();
      if (route.key().equals("POST /swarm/leave") && name.equals("force")) {
        continue; // the fuzzed node must stay the swarm's manager
      }
      String value = queryValue(name);
      q.append(q.length() == 0 ? '?' : '&').append(encode(name)).append('=');
      q.append(v.chance(90) ? encode(value) : rawSafe(value));
    }
    return q.toString();
  }

  private String queryValue(String name) {
    switch (name) {
      case "fromImage":
      case "repo":
        return imageName(false);
      case "fromSrc":
        return v.pick(List.of("-", "http://" + NOWHERE_REGISTRY + "x.tar", v.token()));
      case "filters":
        if (v.chance(60)) {
          return Json.toString(v.mutate(parse("{\"name\":{\"web\":true},\"label\":[\"a=b\"],\"id\":{\"x\":true}}")));
        }
        return v.chance(50) ? Json.toString(v.any(0)) : v.string();
      default:
        return v.chance(60) ? v.string() : Json.toString(v.any(2));
    }
  }

  private byte[] body(Route route) {
    JsonNode seedBody = seeds.get(route.key());
    int k = v.random().nextInt(10);
    if (k < 6 && seedBody != null) {
      return Json.toBytes(v.mutate(seedBody));
    }
    if (k < 7 && seedBody != null) {
      return Json.toBytes(seedBody);
    }
    if (k < 8) {
      return Json.toBytes(k == 7 && v.chance(50) ? v.mutate(parse("{}")) : v.any(0));
    }
    if (k < 9 && v.chance(30)) {
      int depth = 1_000 + v.random().nextInt(100_000); // past what a JSON encoder writes: as text
      String open = v.chance(50) ? "[" : "{\"A\":";
      return (open.repeat(depth) + "1" + (open.equals("[") ? "]" : "}").repeat(depth)).getBytes(StandardCharsets.UTF_8);
    }
    if (k < 9) {
      return v.pick(List.of("null", "", "{", "[]", "\"x\"", "1", "{\"a\":1,}", "\u0000\u0001", "{}{}", "nul"))
          .getBytes(StandardCharsets.UTF_8);
    }
    byte[] raw = new byte[v.random().nextInt(v.chance(10) ? 2_000_000 : 2_000)];
    v.random().nextBytes(raw);
    return raw;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String encodeSegment(String s) {
    return encode(s).replace("+", "%20");
  }

  /** {@code s} sent as it is, except what would end the request line (whitespace, controls): percent-encoded. */
  private static String rawSafe(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c <= 0x20 || c >= 0x7f) {
        sb.append('%').append(String.format("%02X", c));
      } else {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  private static JsonNode parse(String json) {
    try {
      return Json.mapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("seed body is not JSON: " + json, e);
    }
  }

  /** Reads the ids and names of what exists (services, nodes, tasks, networks, volumes, images, ...). */
  private void refreshKnown() {
    known.clear();
    for (String list : List.of("/services", "/nodes", "/tasks", "/networks", "/volumes", "/images/json",
        "/secrets", "/configs")) {
      Answer a = send(new Request("GET", "/v1.41" + list, null, null), Duration.ofSeconds(10), 4 << 20);
      if (a.status != 200) {
        continue;
      }
      JsonNode n = parse(a.body.isEmpty() ? "[]" : a.body);
      JsonNode items = n.has("Volumes") ? n.get("Volumes") : n;
      for (JsonNode o : items) {
        for (String f : List.of("ID", "Id", "Name")) {
          if (o.hasNonNull(f)) {
            known.add(o.get(f).asText());
          }
        }
        if (o.path("Spec").hasNonNull("Name")) {
          known.add(o.path("Spec").path("Name").asText());
        }
        o.path("RepoTags").forEach(t -> known.add(t.asText()));
        if (known.size() > 2000) {
          return;
        }
      }
    }
  }

  // ---- the wire ----

  /** The first line and headers of an answer (and up to a few KB of its body), or the problem. */
  record Answer(int status, String body, long nanos, String problem) {}

  private Answer send(Request req) {
    return send(req, HANG, 2048);
  }

  /**
   * Sends {@code req} on a fresh connection and reads the status line within {@code timeout}; a stream (logs
   * with follow) counts as answered at its first line. Nothing here throws: failures come back as problems.
   */
  Answer send(Request req, Duration timeout, int maxBody) {
    long t0 = System.nanoTime();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      s.setSoTimeout((int) timeout.toMillis());
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      head.writeBytes((req.method + " " + req.target + " HTTP/1.1\r\nHost: " + host + ":" + port
          + "\r\nUser-Agent: jswarm-fuzz\r\nConnection: close\r\n").getBytes(StandardCharsets.ISO_8859_1));
      if (req.contentType != null) {
        head.writeBytes(("Content-Type: " + req.contentType + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      }
      byte[] body = req.body == null ? new byte[0] : req.body;
      if (req.body != null || req.method.equals("POST")) {
        head.writeBytes(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      }
      head.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
      OutputStream out = s.getOutputStream();
      out.write(head.toByteArray());
      try {
        out.write(body);
        out.flush();
      } catch (IOException e) {
        // the server may answer (413, 400) and close before reading a large body: read its answer below
      }
      InputStream in = s.getInputStream();
      String statusLine = line(in);
      long nanos = System.nanoTime() - t0;
      if (statusLine == null) {
        return new Answer(0, "", nanos, "the connection closed without an answer");
      }
      String[] parts = statusLine.split(" ", 3);
      int status = Integer.parseInt(parts[1]);
      int length = -1;
      String h;
      while ((h = line(in)) != null && !h.isEmpty()) {
        int c = h.indexOf(':');
        if (c > 0 && h.substring(0, c).trim().equalsIgnoreCase("Content-Length")) {
          length = Integer.parseInt(h.substring(c + 1).trim());
        }
      }
      String text = "";
      if (length > 0 && (status >= 400 || maxBody > 4096)) {
        byte[] b = in.readNBytes(Math.min(length, maxBody));
        text = new String(b, StandardCharsets.UTF_8);
      }
      return new Answer(status, text, nanos, null);
    } catch (SocketTimeoutException e) {
      return new Answer(0, "", System.nanoTime() - t0, "no answer within " + timeout.toMillis() + " ms");
    } catch (IOException | RuntimeException e) {
      return new Answer(0, "", System.nanoTime() - t0, "connection failed: " + e);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        byte[] a = b.toByteArray();
        int n = a.length > 0 && a[a.length - 1] == '\r' ? a.length - 1 : a.length;
        return new String(a, 0, n, StandardCharsets.ISO_8859_1);
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }
}
