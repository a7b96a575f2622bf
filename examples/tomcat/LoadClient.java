import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A steady request load for the Tomcat example: one GET at a time, each on a new connection, counting every
 * request that does not answer 200 as failed, and which version answered the others. Run with the JDK's
 * source launcher, no build: {@code java LoadClient.java ...}.
 *
 * <pre>
 *   java LoadClient.java --url http://127.0.0.1:8080/ [--url ...] --until STOPFILE
 *       fixed targets, used round robin (the routing mesh: any node's address and the published port)
 *   java LoadClient.java --api unix:///run/jswarm/jswarm.sock --service tomcat --until STOPFILE
 *       host-mode ports: the targets are the service's tasks that the manager reports running and healthy
 *       with desired state running, at their node's address and published port, looked up again every 50 ms
 * </pre>
 *
 * It stops when STOPFILE exists (or after {@code --requests N}) and prints {@code requests=N failed=M versions=v1:a,v2:b}, then one line per
 * failure (at most 20), then {@code latency: slowest=Xms over1s=K} and one line per request that took over 1 s (at
 * most 20). {@code --interval-ms} (default 10) is the pause between requests.
 *
 * <p>A request fails when it is refused, reset, answered with anything but 200, or not answered within
 * {@value #READ_TIMEOUT_MS} ms. That bound is long on purpose: a request sent to a task that is stopping is refused
 * or reset within the task's stop grace period, so it fails whatever the bound; a request that is only slow (the first
 * one a fresh Tomcat serves, on a machine whose cores are busy starting the next one) is not a dropped request, and
 * the latency line shows it.
 */
public final class LoadClient {
  private static final int CONNECT_TIMEOUT_MS = 5000;
  private static final int READ_TIMEOUT_MS = 20000;
  private static final long SLOW_MS = 1000;

  private final List<String> fixed = new ArrayList<>();
  private volatile List<String> targets = List.of();
  private String api;
  private String service;
  private Path until;
  private long intervalMs = 10;
  private long maxRequests = Long.MAX_VALUE;

  public static void main(String[] args) throws Exception {
    LoadClient c = new LoadClient();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--url" -> c.fixed.add(v);
        case "--api" -> c.api = v;
        case "--service" -> c.service = v;
        case "--until" -> c.until = Path.of(v);
        case "--interval-ms" -> c.intervalMs = Long.parseLong(v);
        case "--requests" -> c.maxRequests = Long.parseLong(v);
        default -> throw new IllegalArgumentException("unknown argument " + a
            + " (allowed: --url URL, --api HOST --service NAME, --until FILE, --requests N, --interval-ms N)");
      }
      i++;
    }
    if ((c.until == null && c.maxRequests == Long.MAX_VALUE) || (c.fixed.isEmpty() == (c.service == null))) {
      throw new IllegalArgumentException("give --until FILE or --requests N, and either --url URL... or --api HOST "
          + "--service NAME");
    }
    System.exit(c.run());
  }

  private int run() throws Exception {
    if (service != null) {
      refreshTargets();
      Thread t = new Thread(() -> {
        while (true) {
          try {
            Thread.sleep(50);
            refreshTargets();
          } catch (InterruptedException e) {
            return;
          } catch (Exception e) {
            // keep the last known targets; the manager may be busy for a moment
          }
        }
      }, "targets");
      t.setDaemon(true);
      t.start();
    } else {
      targets = List.copyOf(fixed);
    }
    long requests = 0;
    long failed = 0;
    Map<String, Long> versions = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    List<String> slow = new ArrayList<>();
    long slowest = 0;
    long over = 0;
    int next = 0;
    while (requests < maxRequests && (until == null || !Files.exists(until))) {
      List<String> ts = targets;
      if (ts.isEmpty()) {
        // no task is ready at all: that is an outage, count it as a failed request
        requests++;
        failed++;
        if (failures.size() < 20) {
          failures.add(java.time.Instant.now() + " no ready task");
        }
        Thread.sleep(100);
        continue;
      }
      String url = ts.get(Math.floorMod(next++, ts.size()));
      requests++;
      java.time.Instant sent = java.time.Instant.now();
      long t0 = System.nanoTime();
      try {
        String[] r = get(URI.create(url));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        slowest = Math.max(slowest, ms);
        if (ms > SLOW_MS && over++ < 20) {
          slow.add(sent + " " + url + " " + ms + " ms: " + r[1].strip());
        }
        if (!r[0].equals("200")) {
          throw new IOException("HTTP " + r[0] + " " + r[1].strip());
        }
        String[] words = r[1].strip().split(" ");
        versions.merge(words.length > 1 ? words[1] : r[1].strip(), 1L, Long::sum);
      } catch (IOException e) {
        failed++;
        if (failures.size() < 20) {
          failures.add(sent + " " + url + " " + e + " after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
      }
      Thread.sleep(intervalMs);
    }
    StringBuilder v = new StringBuilder();
    versions.forEach((k, n) -> v.append(v.length() == 0 ? "" : ",").append(k).append(':').append(n));
    System.out.println("requests=" + requests + " failed=" + failed + " versions=" + v);
    failures.forEach(f -> System.out.println("  failed: " + f));
    System.out.println("latency: slowest=" + slowest + "ms over1s=" + over);
    slow.forEach(l -> System.out.println("  slow: " + l));
    return 0;
  }

  /** GET on a new connection; returns {status, body}. */
  private static String[] get(URI u) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(u.getHost(), u.getPort() < 0 ? 80 : u.getPort()), CONNECT_TIMEOUT_MS);
      s.setSoTimeout(READ_TIMEOUT_MS);
      String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
      OutputStream o = s.getOutputStream();
      o.write(("GET " + path + " HTTP/1.0\r\nHost: " + u.getHost() + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      o.flush();
      return parse(s.getInputStream().readAllBytes());
    }
  }

  private static String[] parse(byte[] raw) throws IOException {
    String text = new String(raw, StandardCharsets.UTF_8);
    int end = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/") || end < 0) {
      throw new IOException("not an HTTP response (" + raw.length + " bytes)");
    }
    return new String[] {text.split(" ", 3)[1], text.substring(end + 4)};
  }

  /** The service's ready tasks from the manager: {@code http://NODE_ADDR:PUBLISHED/}. */
  private void refreshTargets() throws IOException {
    Map<String, String> addrs = new HashMap<>();
    for (Object n : (List<?>) Json.parse(apiGet("/nodes"))) {
      addrs.put(str(n, "ID"), str(n, "Status", "Addr"));
    }
    String filters = URLEncoder.encode("{\"service\":{\"" + service + "\":true},\"desired-state\":{\"running\":true}}",
        StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>();
    for (Object t : (List<?>) Json.parse(apiGet("/tasks?filters=" + filters))) {
      String health = str(t, "Status", "ContainerStatus", "Health");
      if (!"running".equals(str(t, "DesiredState")) || !"running".equals(str(t, "Status", "State"))
          || (health != null && !health.equals("healthy"))) {
        continue;
      }
      Object ports = get(t, "Status", "PortStatus", "Ports");
      String addr = addrs.get(str(t, "NodeID"));
      if (ports instanceof List<?> l && !l.isEmpty() && addr != null) {
        out.add("http://" + (addr.equals("0.0.0.0") ? "127.0.0.1" : addr) + ":" + str(l.get(0), "PublishedPort") + "/");
      }
    }
    out.sort(null);
    targets = List.copyOf(out);
  }

  private String apiGet(String path) throws IOException {
    SocketAddress where;
    if (api.startsWith("unix://")) {
      where = UnixDomainSocketAddress.of(api.substring("unix://".length()));
    } else {
      URI u = URI.create(api.replaceFirst("^tcp://", "http://"));
      where = new InetSocketAddress(u.getHost(), u.getPort());
    }
    try (SocketChannel ch = SocketChannel.open(where)) {
      ch.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.0\r\nHost: jswarm\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      InputStream in = java.nio.channels.Channels.newInputStream(ch);
      in.transferTo(b);
      String[] r = parse(b.toByteArray());
      if (!r[0].equals("200")) {
        throw new IOException("API " + path + ": HTTP " + r[0] + " " + r[1]);
      }
      return r[1];
    }
  }

  private static Object get(Object node, String... keys) {
    Object o = node;
    for (String k : keys) {
      if (!(o instanceof Map<?, ?> m)) {
        return null;
      }
      o = m.get(k);
    }
    return o;
  }

  private static String str(Object node, String... keys) {
    Object o = get(node, keys);
    return o == null ? null : o instanceof Double d && d == Math.rint(d) ? Long.toString(d.longValue()) : o.toString();
  }

  /** Just enough JSON for the API's answers: objects, arrays, strings, numbers, true/false/null. */
  static final class Json {
    private final String s;
    private int i;

    private Json(String s) {
      this.s = s;
    }

    static Object parse(String s) throws IOException {
      Json j = new Json(s);
      Object v = j.value();
      j.ws();
      if (j.i != s.length()) {
        throw new IOException("trailing data in JSON at " + j.i);
      }
      return v;
    }

    private void ws() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private Object value() throws IOException {
      ws();
      if (i >= s.length()) {
        throw new IOException("JSON ends early");
      }
      char c = s.charAt(i);
      switch (c) {
        case '{': {
          i++;
          Map<String, Object> m = new LinkedHashMap<>();
          ws();
          if (s.charAt(i) == '}') {
            i++;
            return m;
          }
          while (true) {
            ws();
            String k = string();
            ws();
            expect(':');
            m.put(k, value());
            ws();
            if (s.charAt(i) == ',') {
              i++;
            } else {
              expect('}');
              return m;
            }
          }
        }
        case '[': {
          i++;
          List<Object> l = new ArrayList<>();
          ws();
          if (s.charAt(i) == ']') {
            i++;
            return l;
          }
          while (true) {
            l.add(value());
            ws();
            if (s.charAt(i) == ',') {
              i++;
            } else {
              expect(']');
              return l;
            }
          }
        }
        case '"':
          return string();
        default:
          int start = i;
          while (i < s.length() && ",}] \t\r\n".indexOf(s.charAt(i)) < 0) {
            i++;
          }
          String w = s.substring(start, i);
          return switch (w) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            case "null" -> null;
            default -> Double.parseDouble(w);
          };
      }
    }

    private void expect(char c) throws IOException {
      if (i >= s.length() || s.charAt(i) != c) {
        throw new IOException("JSON: expected '" + c + "' at " + i);
      }
      i++;
    }

    private String string() throws IOException {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\') {
          char e = s.charAt(i++);
          switch (e) {
            case 'n' -> b.append('\n');
            case 't' -> b.append('\t');
            case 'r' -> b.append('\r');
            case 'b' -> b.append('\b');
            case 'f' -> b.append('\f');
            case 'u' -> {
              b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
              i += 4;
            }
            default -> b.append(e);
          }
        } else {
          b.append(c);
        }
      }
    }
  }
}
