package io.jswarm.cli.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jswarm.transport.metrics.Metrics;
import io.jswarm.transport.metrics.PrometheusText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code --metrics-addr} listener (dockerd's flag; 127.0.0.1:9323 by convention): {@code GET /metrics} in the
 * Prometheus text format, plus read-only pages added with {@link #page}. It serves nothing that changes state, and
 * bounds what a client can make it hold: GET and HEAD only, no request body, small headers, two handler threads
 * with a short queue (a full queue answers 503), and the JDK server's request and response time limits. A
 * non-loopback address must be asked for explicitly ({@code --metrics-allow-remote}): metrics name services,
 * nodes and images.
 */
public final class MetricsListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsListener.class);
  /** Handler threads and queued requests; a scrape takes milliseconds. */
  static final int THREADS = 2;
  static final int QUEUE = 16;

  static {
    // the JDK server reads these once: bound a slow or oversized request (only if the operator set nothing)
    System.setProperty("sun.net.httpserver.maxReqHeaders",
        System.getProperty("sun.net.httpserver.maxReqHeaders", "64"));
    System.setProperty("sun.net.httpserver.maxReqTime", System.getProperty("sun.net.httpserver.maxReqTime", "10"));
    System.setProperty("sun.net.httpserver.maxRspTime", System.getProperty("sun.net.httpserver.maxRspTime", "60"));
  }

  /** A read-only page: content type and body, made per request. */
  public interface Page {
    Response serve(HttpExchange exchange) throws IOException;
  }

  /** A page's answer. */
  public record Response(int status, String contentType, byte[] body) {}

  private final HttpServer server;
  private final ThreadPoolExecutor pool;

  private MetricsListener(HttpServer server, ThreadPoolExecutor pool) {
    this.server = server;
    this.pool = pool;
  }

  /**
   * Binds {@code hostPort} ({@code 127.0.0.1:9323}, {@code [::1]:9323}) and serves {@code metrics} on
   * {@code /metrics}.
   *
   * @throws IllegalArgumentException for a malformed address, or a non-loopback one without {@code allowRemote}
   */
  public static MetricsListener start(String hostPort, boolean allowRemote, Metrics metrics) throws IOException {
    InetSocketAddress addr = parse(hostPort, allowRemote);
    if (!addr.getAddress().isLoopbackAddress()) {
      LOG.warn("**** serving metrics (and the dashboard) unauthenticated on {}: anyone who reaches it sees this "
          + "cluster's services, nodes and images ****", hostPort);
    }
    ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(QUEUE), r -> {
          Thread t = new Thread(r, "jswarm-metrics-http");
          t.setDaemon(true);
          return t;
        }, (r, ex) -> {
          throw new java.util.concurrent.RejectedExecutionException("metrics listener busy");
        });
    pool.allowCoreThreadTimeOut(true);
    HttpServer server;
    try {
      server = HttpServer.create(addr, 32);
    } catch (java.net.BindException e) {
      pool.shutdownNow();
      throw new IOException("--metrics-addr " + hostPort + ": " + e.getMessage() + " (another process listens there; "
          + "choose another port)", e);
    }
    server.setExecutor(pool);
    MetricsListener l = new MetricsListener(server, pool);
    l.page("/metrics", ex -> {
      ByteArrayOutputStream buf = new ByteArrayOutputStream(16 << 10);
      try (Writer w = new OutputStreamWriter(buf, StandardCharsets.UTF_8)) {
        PrometheusText.write(metrics, w);
      }
      return new Response(200, PrometheusText.CONTENT_TYPE, buf.toByteArray());
    });
    server.start();
    LOG.info("metrics on http://{}/metrics", hostPort);
    return l;
  }

  /** Serves {@code page} at {@code path} (and below it, when the path ends with '/'). */
  public void page(String path, Page page) {
    server.createContext(path, ex -> handle(ex, page));
  }

  private static void handle(HttpExchange ex, Page page) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      String length = ex.getRequestHeaders().getFirst("Content-Length");
      Response r;
      if (!method.equals("GET") && !method.equals("HEAD")) {
        r = text(405, "only GET is served here (read only)\n");
        ex.getResponseHeaders().add("Allow", "GET, HEAD");
      } else if ((length != null && !length.equals("0")) || ex.getRequestHeaders().containsKey("Transfer-Encoding")) {
        r = text(400, "a GET takes no body\n");
      } else {
        try {
          r = page.serve(ex);
        } catch (RuntimeException e) {
          LOG.warn("{} {}: {}", method, ex.getRequestURI().getPath(), e.toString());
          r = text(500, "error: " + e.getMessage() + "\n");
        }
      }
      ex.getResponseHeaders().add("Content-Type", r.contentType());
      ex.getResponseHeaders().add("X-Content-Type-Options", "nosniff");
      ex.getResponseHeaders().add("Cache-Control", "no-store");
      if (method.equals("HEAD")) {
        ex.sendResponseHeaders(r.status(), -1);
      } else {
        ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
        try (OutputStream out = ex.getResponseBody()) {
          out.write(r.body());
        }
      }
    }
  }

  /** A plain-text answer. */
  public static Response text(int status, String body) {
    return new Response(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
  }

  /** The port bound (for {@code :0}). */
  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * The address of {@code --metrics-addr}, checked.
   *
   * @throws IllegalArgumentException malformed, or not loopback without {@code allowRemote}
   */
  public static InetSocketAddress parse(String hostPort, boolean allowRemote) {
    InetSocketAddress addr = parse(hostPort);
    if (!addr.getAddress().isLoopbackAddress() && !allowRemote) {
      throw new IllegalArgumentException("--metrics-addr " + hostPort + " is not a loopback address: metrics "
          + "name this cluster's services, nodes and images; use 127.0.0.1:PORT and scrape through a tunnel, or "
          + "add --metrics-allow-remote to serve them to the network unauthenticated");
    }
    return addr;
  }

  static InetSocketAddress parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("--metrics-addr: expected HOST:PORT (127.0.0.1:9323), got \"" + hostPort + "\"");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--metrics-addr: port must be 0-65535, got \"" + hostPort.substring(colon + 1) + "\"");
    }
    if (!host.matches("[0-9a-fA-F.:]+") && !host.equals("localhost")) {
      throw new IllegalArgumentException("--metrics-addr: give an IP address (127.0.0.1:9323), got \"" + host + "\"");
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (IOException e) {
      throw new IllegalArgumentException("--metrics-addr: not an address: " + host);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
