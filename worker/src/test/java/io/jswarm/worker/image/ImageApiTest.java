package io.jswarm.worker.image;

import io.jswarm.linux.FileTrees;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.transport.http.HttpServer;
import io.jswarm.transport.http.Router;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Engine API image routes over HTTP, with a registry for pull and push. */
class ImageApiTest {
  private Path tmp;
  private HttpServer server;
  private ImageApi api;
  private ImageStore store;
  private TestRegistry registry;
  private final HttpClient http = HttpClient.newHttpClient();
  private String base;

  @BeforeEach
  void setUp() throws Exception {
    tmp = Files.createTempDirectory("h-image-api");
    registry = new TestRegistry();
    store = new ImageStore(tmp.resolve("store"), ImageStore.Options.defaults());
    api = new ImageApi(store);
    Router r = new Router();
    api.routes(r);
    server = HttpServer.start(r, List.of(new HttpServer.Tcp("127.0.0.1", 0)));
    base = "http://127.0.0.1:" + server.port(0) + "/v1.41";
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      server.close();
      api.close();
      registry.close();
    } finally {
      FileTrees.delete(tmp);
    }
  }

  private HttpResponse<String> send(String method, String path, byte[] body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return Manifest.JSON.readTree(r.body());
  }

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void importTagPushRemovePullInspectListLoadThroughTheApi() throws Exception {
    String repo = registry.host() + "/h-image/api";
    HttpResponse<String> imp = send("POST", "/images/create?fromSrc=-&repo=" + q(repo) + "&tag=v1&changes="
        + q("CMD [\"sh\"]"), TestImages.busyboxRootfs());
    assertEquals(200, imp.statusCode(), imp.body());
    String id = json(imp).path("status").asText();

    assertEquals(201, send("POST", "/images/" + repo + ":v1/tag?repo=" + q(repo) + "&tag=v2", null).statusCode());
    HttpResponse<String> push = send("POST", "/images/" + repo + "/push?tag=v2", null);
    assertEquals(200, push.statusCode());
    assertTrue(push.body().contains("\"aux\""), push.body());

    assertEquals(201, send("POST", "/images/" + id + "/tag?repo=h-image/elsewhere", null).statusCode());
    assertCounted(1); // three names, one image
    HttpResponse<String> rm = send("DELETE", "/images/" + id, null);
    assertEquals(409, rm.statusCode(), "tags in two repositories need force: " + rm.body());
    rm = send("DELETE", "/images/" + id + "?force=1", null);
    assertEquals(200, rm.statusCode(), rm.body());
    assertTrue(rm.body().contains("\"Deleted\":\"" + id + "\""), rm.body());
    assertEquals(0, json(send("GET", "/images/json", null)).size());
    assertCounted(0);
    assertEquals(404, send("GET", "/images/" + repo + ":v2/json", null).statusCode());
    assertTrue(send("GET", "/images/nosuch/json", null).body().contains("No such image: nosuch"));

    HttpResponse<String> pull = send("POST", "/images/create?fromImage=" + q(repo) + "&tag=v2", null);
    assertEquals(200, pull.statusCode());
    assertTrue(pull.body().contains("Downloaded newer image for " + repo + ":v2"), pull.body());
    JsonNode inspect = json(send("GET", "/images/" + repo + ":v2/json", null));
    assertEquals(id, inspect.path("Id").asText());
    assertEquals("sh", inspect.path("Config").path("Cmd").path(0).asText());
    assertEquals("layers", inspect.path("RootFS").path("Type").asText());
    JsonNode list = json(send("GET", "/images/json?filters=" + q("{\"reference\":{\"" + repo + "\":true}}"), null));
    assertEquals(1, list.size());
    assertEquals(List.of(repo + ":v2"), List.of(list.get(0).path("RepoTags").get(0).asText()));
    assertCounted(1);

    HttpResponse<String> missing = send("POST", "/images/create?fromImage=" + q(registry.host() + "/h-image/nope"), null);
    assertTrue(missing.body().contains("errorDetail"), missing.body());
    assertEquals(400, send("POST", "/images/create?fromImage=" + q("h-image/UPPER"), null).statusCode());

    // save, remove, load back
    HttpResponse<byte[]> saved = http.send(HttpRequest.newBuilder(URI.create(base + "/images/" + repo + ":v2/get"))
        .build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, saved.statusCode());
    assertEquals(200, send("DELETE", "/images/" + repo + ":v2", null).statusCode());
    HttpResponse<String> load = send("POST", "/images/load", saved.body());
    assertEquals(200, load.statusCode(), load.body());
    assertTrue(load.body().contains("Loaded image: " + repo + ":v2"), load.body());
    assertEquals(id, json(send("GET", "/images/" + repo + ":v2/json", null)).path("Id").asText());
    assertCounted(1);
  }

  /** /info's count ({@link ImageViews#count}) is the list's length, and {@code expected}. */
  private void assertCounted(int expected) throws Exception {
    assertEquals(expected, json(send("GET", "/images/json", null)).size());
    assertEquals(expected, ImageViews.count(store));
  }
}
