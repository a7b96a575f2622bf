package io.jswarm.manager.logs;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * {@link NodeLogSource} over HTTPS with this manager's node certificate (the node routes answer managers only).
 * The TLS context is asked for on each {@link #client()} so that a renewed certificate is used.
 */
public final class HttpsNodeLogSource implements NodeLogSource {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final Supplier<SSLContext> tls;

  /** @param tls this manager's client TLS context (node certificate, cluster root trusted) */
  public HttpsNodeLogSource(Supplier<SSLContext> tls) {
    this.tls = Objects.requireNonNull(tls, "tls");
  }

  /** A client for one logs request (all of its tasks). */
  public NodeLogSource client() {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT).sslContext(tls.get()).build();
    return (addr, taskId, query) -> open(client, addr, taskId, query);
  }

  @Override
  public InputStream open(String clusterAddr, String taskId, String query) throws IOException {
    return client().open(clusterAddr, taskId, query);
  }

  private static InputStream open(HttpClient client, String addr, String taskId, String query) throws IOException {
    HttpRequest req = HttpRequest.newBuilder(URI.create("https://" + addr + NodeLogSource.path(taskId) + "?" + query))
        .GET().build();
    HttpResponse<InputStream> resp;
    try {
      resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while asking node " + addr + " for the log of task " + taskId);
    } catch (IOException e) {
      throw new IOException("node " + addr + " did not answer for the log of task " + taskId + ": " + e, e);
    }
    if (resp.statusCode() != 200) {
      try (InputStream in = resp.body()) {
        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        throw new IOException("node " + addr + " answered " + resp.statusCode() + " for the log of task " + taskId
            + ": " + body);
      }
    }
    return resp.body();
  }
}
