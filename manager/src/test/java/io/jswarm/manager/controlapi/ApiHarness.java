package io.jswarm.manager.controlapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.LocalProposer;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.transport.http.HttpServer;
import io.jswarm.transport.http.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;

/** The control API on a local store (fixed clock, seeded ids) behind a real HTTP server on 127.0.0.1, and a client. */
final class ApiHarness implements AutoCloseable {
  private static final HttpClient client = HttpClient.newHttpClient(); // shared: Java 17 clients cannot be closed

  final MemoryStore store;
  private final HttpServer server;

  /** An answer: status and body. */
  record Resp(int status, String body) {
    JsonNode json() {
      try {
        return Json.mapper().readTree(body);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    String message() {
      return json().path("message").asText();
    }
  }

  ApiHarness(long seed) throws Exception {
    LocalProposer p = new LocalProposer();
    store = new MemoryStore(p, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC),
        IdGenerator.fromRandom(new Random(seed)));
    p.bind(store);
    Router router = new Router();
    new ControlApi(new FakeLifecycle(store), Clock.systemUTC(), pem -> "JSWMTKN-1-x-y", "0.1.0").routes(router);
    server = HttpServer.start(router, List.of(new HttpServer.Tcp("127.0.0.1", 0)));
  }

  Resp call(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port(0) + path));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    var r = client.send(b.build(), BodyHandlers.ofString());
    return new Resp(r.statusCode(), r.body());
  }

  @Override
  public void close() {
    server.close();
    store.close();
  }
}
