package io.jswarm.worker.agent;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.HeartbeatRequest;
import io.jswarm.api.dispatcher.HeartbeatResponse;
import io.jswarm.api.dispatcher.SessionRequest;
import io.jswarm.api.dispatcher.StatusRequest;
import io.jswarm.api.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.TlsContexts;
import javax.net.ssl.SSLContext;

/**
 * Tests only (the daemon and the hollow nodes use {@link NettyDispatcherTransport}): the dispatcher protocol over
 * HTTPS with the JDK's {@link HttpClient}, a second client of the dispatcher routes. Mutual TLS with the node's
 * certificate, given as an {@link SSLContext} whose key manager holds the node key and certificate and whose trust
 * manager trusts the cluster root CA. The JDK client also checks the manager's certificate against the host name it dials, so
 * that trust manager must accept cluster managers by CA (and role) rather than by host name, or the
 * certificates must name the managers' addresses. A null context speaks plain HTTP (tests only).
 *
 * <p>{@link #close} stops the client's worker threads; Java 17's client keeps one selector thread until it is
 * garbage collected.
 */
public final class HttpDispatcherTransport implements DispatcherTransport, AutoCloseable {
  /** Timeout for connecting, heartbeats and status reports (not for the long-lived session stream). */
  public static final Duration REQUEST_TIMEOUT = DispatcherTransport.REQUEST_TIMEOUT;

  private final String scheme;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "dispatcher-client");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient client;

  /**
   * The transport a node's agent uses: mutual TLS with {@code creds}, talking only to servers that present a
   * <em>manager</em> certificate of the node's cluster. A worker's certificate (same CA) serving a fake
   * dispatcher fails the handshake, so no worker can pose as a manager to the others.
   */
  public static HttpDispatcherTransport forNode(NodeCredentials creds) {
    return new HttpDispatcherTransport(TlsContexts.managerClient(creds));
  }

  public HttpDispatcherTransport(SSLContext sslContext) {
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(REQUEST_TIMEOUT)
        .executor(threads);
    if (sslContext != null) {
      b.sslContext(sslContext);
    }
    this.scheme = sslContext == null ? "http" : "https";
    this.client = b.build();
  }

  @Override
  public Session open(String managerAddr, SessionRequest request) throws IOException {
    HttpRequest req = post(managerAddr, "/dispatcher/session", request).build(); // no timeout: a long stream
    HttpResponse<InputStream> resp = send(req, managerAddr);
    if (resp.statusCode() != 200) {
      try (InputStream in = resp.body()) {
        throw refused(managerAddr, "/dispatcher/session", resp.statusCode(), in.readAllBytes());
      }
    }
    return new StreamSession(resp.body());
  }

  @Override
  public HeartbeatResponse heartbeat(String managerAddr, HeartbeatRequest request) throws IOException {
    byte[] body = call(managerAddr, "/dispatcher/heartbeat", request);
    return Json.fromBytes(body, HeartbeatResponse.class);
  }

  @Override
  public void reportStatus(String managerAddr, StatusRequest request) throws IOException {
    call(managerAddr, "/dispatcher/status", request);
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }

  private byte[] call(String managerAddr, String path, Object body) throws IOException {
    HttpResponse<InputStream> resp = send(post(managerAddr, path, body).timeout(REQUEST_TIMEOUT).build(), managerAddr);
    try (InputStream in = resp.body()) {
      byte[] bytes = in.readAllBytes();
      if (resp.statusCode() / 100 != 2) {
        throw refused(managerAddr, path, resp.statusCode(), bytes);
      }
      return bytes;
    }
  }

  private HttpRequest.Builder post(String managerAddr, String path, Object body) {
    return HttpRequest.newBuilder(URI.create(scheme + "://" + managerAddr + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(Json.toBytes(body)));
  }

  private HttpResponse<InputStream> send(HttpRequest req, String managerAddr) throws IOException {
    try {
      return client.send(req, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while calling manager " + managerAddr);
    }
  }

  /** A manager's error answer as an exception carrying its {@code message}. */
  static IOException refused(String managerAddr, String path, int status, byte[] body) {
    return DispatcherTransport.refused(managerAddr, path, status, body);
  }

  /** Newline-delimited JSON messages read from the response body. */
  private static final class StreamSession implements Session {
    private final InputStream body;
    private final BufferedReader lines;
    private volatile boolean closed;

    StreamSession(InputStream body) {
      this.body = body;
      this.lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    @Override
    public DispatcherMessage next() throws IOException {
      try {
        while (!closed) {
          String line = lines.readLine();
          if (line == null) {
            return null;
          }
          if (!line.isBlank()) {
            return Json.fromString(line, DispatcherMessage.class);
          }
        }
        throw new IOException("session closed");
      } catch (IOException e) {
        if (closed) {
          throw new IOException("session closed", e);
        }
        throw e;
      }
    }

    /** Closing the JDK's body stream cancels the exchange and wakes a blocked read (closeWakesABlockedReader). */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        body.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
