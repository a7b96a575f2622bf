package io.jswarm.worker.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.json.Json;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalVolumesTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-05-06T07:08:09.5Z"), ZoneOffset.UTC);

  @TempDir
  Path dataRoot;

  private LocalVolumes volumes() {
    return new LocalVolumes(dataRoot.resolve("volumes"), CLOCK);
  }

  @Test
  void acquireCreatesOnFirstUseAndRecordsUsersAcrossRestarts() throws Exception {
    LocalVolumes v = volumes();
    Path data = v.acquire("db-data", Map.of("app", "db"), "task1");
    assertEquals(dataRoot.resolve("volumes/db-data/_data"), data);
    assertTrue(Files.isDirectory(data));
    Files.writeString(data.resolve("a"), "12345");
    Files.createDirectories(data.resolve("sub"));
    Files.write(data.resolve("sub/b"), new byte[1000]);
    assertEquals(data, v.acquire("db-data", Map.of("other", "ignored"), "task2"));

    LocalVolumes restarted = volumes();
    Volume i = restarted.inspect("db-data", true);
    assertEquals("db-data", i.name);
    assertEquals("local", i.driver);
    assertEquals("local", i.scope);
    assertEquals(data.toString(), i.mountpoint);
    assertEquals(Map.of("app", "db"), i.labels);
    assertEquals("2026-05-06T07:08:09Z", i.createdAt);
    assertEquals(1005L, i.usageData.size);
    assertEquals(2L, i.usageData.refCount);
    assertEquals(Set.of("task1", "task2"), restarted.users("db-data"));

    ConflictException c = assertThrows(ConflictException.class, () -> restarted.remove("db-data"));
    assertTrue(c.getMessage().contains("volume is in use - [task1, task2]"), c.getMessage());
    restarted.release("task1");
    restarted.retainOnly(Set.of("task9"));
    assertEquals(Set.of(), restarted.users("db-data"));
    restarted.remove("db-data");
    assertFalse(Files.exists(dataRoot.resolve("volumes/db-data")));
    assertThrows(NotFoundException.class, () -> restarted.inspect("db-data", false));
  }

  @Test
  void namesFollowDockersRule() throws Exception {
    LocalVolumes v = volumes();
    for (String bad : List.of("a", "../etc", "x/y", "-lead", ".hidden", "")) {
      assertThrows(InvalidArgumentException.class, () -> v.acquire(bad, null, "t"), bad);
    }
    assertThrows(NotFoundException.class, () -> v.inspect("../etc", false));
    String anonymous = v.create(null, null, null).name;
    assertTrue(anonymous.matches("[0-9a-f]{64}"), anonymous);
  }

  private static HttpResponse call(Router r, String method, String path, String query, String body) throws Exception {
    Router.Match m = r.match(method, path);
    Map<String, List<String>> q = new java.util.HashMap<>();
    if (query != null) {
      for (String kv : query.split("&")) {
        String[] p = kv.split("=", 2);
        q.put(p[0], List.of(java.net.URLDecoder.decode(p[1], StandardCharsets.UTF_8)));
      }
    }
    HttpRequest req = new HttpRequest(method, path, q, Map.of(),
        body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8), m.params(), null);
    return m.handler().handle(req);
  }

  private static JsonNode json(HttpResponse r) throws Exception {
    return Json.mapper().readTree(r.body);
  }

  @Test
  void dockerRoutes() throws Exception {
    LocalVolumes v = volumes();
    Router r = new Router();
    new VolumeRoutes(v).routes(r);
    HttpResponse created = call(r, "POST", "/volumes/create", null,
        "{\"Name\":\"web\",\"Driver\":\"local\",\"Labels\":{\"tier\":\"front\"}}");
    assertEquals(201, created.status);
    assertEquals("web", json(created).path("Name").asText());
    call(r, "POST", "/volumes/create", null, "{\"Name\":\"cache\"}");
    v.acquire("cache", null, "taskA");

    JsonNode list = json(call(r, "GET", "/volumes", null, null));
    assertEquals(2, list.path("Volumes").size());
    assertTrue(list.path("Warnings").isArray());
    assertTrue(list.path("Volumes").get(0).path("UsageData").isMissingNode());
    JsonNode front = json(call(r, "GET", "/volumes", "filters=" + java.net.URLEncoder.encode(
        "{\"label\":{\"tier=front\":true}}", StandardCharsets.UTF_8), null));
    assertEquals(1, front.path("Volumes").size());
    assertEquals("web", front.path("Volumes").get(0).path("Name").asText());
    JsonNode dangling = json(call(r, "GET", "/volumes", "filters=" + java.net.URLEncoder.encode(
        "{\"dangling\":[\"true\"]}", StandardCharsets.UTF_8), null));
    assertEquals("web", dangling.path("Volumes").get(0).path("Name").asText());
    assertEquals(1, dangling.path("Volumes").size());

    JsonNode inspect = json(call(r, "GET", "/volumes/cache", "size=1", null));
    assertEquals(0, inspect.path("UsageData").path("Size").asLong(-1));
    assertEquals(1, inspect.path("UsageData").path("RefCount").asLong());
    assertEquals("local", inspect.path("Scope").asText());

    ConflictException inUse = assertThrows(ConflictException.class, () -> call(r, "DELETE", "/volumes/cache", null, null));
    assertTrue(inUse.getMessage().contains("taskA"), inUse.getMessage());
    assertEquals(204, call(r, "DELETE", "/volumes/web", null, null).status);
    assertThrows(NotFoundException.class, () -> call(r, "DELETE", "/volumes/web", null, null));
    assertEquals(204, call(r, "DELETE", "/volumes/web", "force=1", null).status);
    assertThrows(InvalidArgumentException.class,
        () -> call(r, "POST", "/volumes/create", null, "{\"Name\":\"n1\",\"Driver\":\"nfs\"}"));
  }
}
