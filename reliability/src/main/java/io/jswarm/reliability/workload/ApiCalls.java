package io.jswarm.reliability.workload;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP calls to one daemon's API; a transport failure or timeout is an {@link IOException}. */
public final class ApiCalls {
  /** A client waits this long for an answer before it records the outcome as unknown. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(12);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** One answer: status, body and whether the manager marked it as a possibly stale read. */
  public record Answer(int status, String body, boolean stale) {}

  public Answer call(String apiAddr, String method, String path, String json) throws IOException {
    return call(apiAddr, method, path, json, REQUEST_TIMEOUT);
  }

  /** As {@link #call(String, String, String, String)}, for a route that may rightly take longer to answer. */
  public Answer call(String apiAddr, String method, String path, String json, Duration timeout) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + apiAddr + "/v1.41" + path))
        .timeout(timeout)
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body(), r.headers().firstValue("X-Jswarm-Stale-Read").isPresent());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
