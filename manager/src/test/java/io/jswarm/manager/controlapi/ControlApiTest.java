package io.jswarm.manager.controlapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.LocalProposer;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.transport.http.HttpServer;
import io.jswarm.transport.http.Router;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ControlApiTest {
  private static final String WEB = "{\"Name\":\"web\",\"Labels\":{\"tier\":\"front\"},"
      + "\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"}},\"Mode\":{\"Replicated\":{\"Replicas\":2}}}";

  private MemoryStore store;
  private FakeLifecycle lifecycle;
  private HttpServer server;
  private static final HttpClient client = HttpClient.newHttpClient(); // one per class: Java 17 clients cannot be closed

  record Resp(int status, String body, java.net.http.HttpHeaders headers) {
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

  @BeforeEach
  void start() throws Exception {
    LocalProposer p = new LocalProposer();
    store = new MemoryStore(p, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC),
        IdGenerator.fromRandom(new Random(7)));
    p.bind(store);
    lifecycle = new FakeLifecycle(store);
    Router router = new Router();
    new ControlApi(lifecycle, Clock.systemUTC(), pem -> "JSWMTKN-1-" + pem.length() + "-rotated" + System.nanoTime(),
        "0.1.0").routes(router);
    server = HttpServer.start(router, List.of(new HttpServer.Tcp("127.0.0.1", 0)));
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  private Resp call(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port(0) + path));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    var r = client.send(b.build(), BodyHandlers.ofString());
    return new Resp(r.statusCode(), r.body(), r.headers());
  }

  private Resp get(String path) throws Exception {
    return call("GET", path, null);
  }

  private static String filters(String json) {
    return URLEncoder.encode(json, StandardCharsets.UTF_8);
  }

  private String init() throws Exception {
    Resp r = call("POST", "/v1.41/swarm/init", "{\"ListenAddr\":\"0.0.0.0:2377\",\"Spec\":{}}");
    assertEquals(200, r.status(), r.body());
    return r.json().asText();
  }

  private List<String> names(Resp r) {
    List<String> out = new ArrayList<>();
    r.json().forEach(s -> out.add(s.path("Spec").path("Name").asText()));
    return out;
  }

  @Test
  void managerRoutesAnswerDockerds503OutsideASwarmAndOnWorkers() throws Exception {
    Resp ping = get("/_ping");
    assertEquals("OK", ping.body());
    assertEquals("inactive", ping.headers().firstValue("Swarm").orElseThrow());
    for (String path : List.of("/services", "/swarm", "/nodes", "/tasks")) {
      Resp r = get(path);
      assertEquals(503, r.status(), path);
      assertEquals(SwarmLifecycle.NOT_IN_SWARM, r.message());
    }
    Resp info = get("/info");
    assertEquals("inactive", info.json().path("Swarm").path("LocalNodeState").asText());
    assertFalse(info.json().path("Swarm").path("ControlAvailable").asBoolean());

    init();
    lifecycle.manager = false;
    assertEquals("active/worker", get("/_ping").headers().firstValue("Swarm").orElseThrow());
    Resp worker = call("POST", "/services/create", WEB);
    assertEquals(503, worker.status());
    assertEquals("This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. "
        + "Please run this command on a manager node or promote the current node to a manager.", worker.message());
  }

  @Test
  void swarmInspectAndInfoNeverShowTheCaKey() throws Exception {
    String nodeId = init();
    Resp swarm = get("/swarm");
    assertEquals(200, swarm.status());
    assertFalse(swarm.body().contains("TOPSECRETCAKEY"), swarm.body());
    assertFalse(swarm.body().contains("RootCA"), swarm.body());
    assertEquals("JSWMTKN-1-digest-worker0", swarm.json().path("JoinTokens").path("Worker").asText());
    assertEquals("default", swarm.json().path("Spec").path("Name").asText());

    Resp info = get("/info");
    JsonNode s = info.json().path("Swarm");
    assertEquals(nodeId, s.path("NodeID").asText());
    assertTrue(s.path("ControlAvailable").asBoolean());
    assertEquals(1, s.path("Nodes").asInt());
    assertEquals(1, s.path("Managers").asInt());
    assertEquals(swarm.json().path("ID").asText(), s.path("Cluster").path("ID").asText());
    assertEquals("127.0.0.1:2377", s.path("RemoteManagers").path(0).path("Addr").asText(), "where workers join");
    assertEquals("127.0.0.1", s.path("NodeAddr").asText());
    assertFalse(info.body().contains("TOPSECRETCAKEY"));
    assertFalse(info.body().contains("JoinTokens"), "tokens are not part of /info");
    assertEquals("m1", info.json().path("Name").asText());
    assertEquals("active/manager", get("/_ping").headers().firstValue("Swarm").orElseThrow());
    assertEquals("1.41", get("/version").json().path("ApiVersion").asText());
  }

  @Test
  void swarmUpdateRotatesTokensAndRefusesAStaleVersion() throws Exception {
    init();
    JsonNode swarm = get("/swarm").json();
    long version = swarm.path("Version").path("Index").asLong();
    String spec = Json.mapper().writeValueAsString(swarm.path("Spec"));
    Resp ok = call("POST", "/swarm/update?version=" + version + "&rotateWorkerToken=true", spec);
    assertEquals(200, ok.status(), ok.body());
    JsonNode after = get("/swarm").json();
    assertTrue(after.path("JoinTokens").path("Worker").asText().startsWith("JSWMTKN-1-"));
    assertFalse(after.path("JoinTokens").path("Worker").asText().equals("JSWMTKN-1-digest-worker0"));
    assertEquals("JSWMTKN-1-digest-manager0", after.path("JoinTokens").path("Manager").asText());

    Resp stale = call("POST", "/swarm/update?version=" + version, spec);
    assertEquals(409, stale.status());
    assertTrue(stale.message().startsWith("update out of sequence"), stale.message());

    Resp bad = call("POST", "/swarm/update?version=" + after.path("Version").path("Index").asLong(),
        "{\"Name\":\"default\",\"Raft\":{\"ElectionTick\":1,\"HeartbeatTick\":3}}");
    assertEquals(400, bad.status());
    assertTrue(bad.message().contains("Spec.Raft.ElectionTick"), bad.message());
  }

  @Test
  void swarmUpdateStoresTheDefaultForAZeroTick() throws Exception {
    init();
    long version = get("/swarm").json().path("Version").path("Index").asLong();
    // what the docker client sends for fields it was not given
    Resp ok = call("POST", "/swarm/update?version=" + version,
        "{\"Name\":\"default\",\"Raft\":{\"ElectionTick\":0,\"HeartbeatTick\":0}}");
    assertEquals(200, ok.status(), ok.body());
    JsonNode raft = get("/swarm").json().path("Spec").path("Raft");
    assertEquals(Swarm.Raft.DEFAULT_ELECTION_TICK, raft.path("ElectionTick").asLong(), raft.toString());
    assertEquals(Swarm.Raft.DEFAULT_HEARTBEAT_TICK, raft.path("HeartbeatTick").asLong(), raft.toString());
  }

  @Test
  void servicesAreCreatedListedInspectedUpdatedRolledBackAndRemoved() throws Exception {
    init();
    Resp created = call("POST", "/services/create", WEB);
    assertEquals(201, created.status(), created.body());
    String id = created.json().path("ID").asText();
    assertTrue(created.json().has("Warnings"));
    assertEquals(409, call("POST", "/services/create", WEB).status());

    Resp invalid = call("POST", "/services/create", "{\"Name\":\"bad name!\",\"TaskTemplate\":{\"ContainerSpec\":{}}}");
    assertEquals(400, invalid.status());
    assertTrue(invalid.message().contains("Spec.Name"), invalid.message());

    assertEquals(List.of("web"), names(get("/services")));
    assertEquals(id, get("/services/web").json().path("ID").asText());
    assertEquals(id, get("/v1.41/services/" + id.substring(0, 6)).json().path("ID").asText());

    JsonNode svc = get("/services/web").json();
    long v = svc.path("Version").path("Index").asLong();
    String scaled = WEB.replace("\"Replicas\":2", "\"Replicas\":5");
    Resp updated = call("POST", "/services/web/update?version=" + v, scaled);
    assertEquals(200, updated.status(), updated.body());
    JsonNode after = get("/services/web").json();
    assertEquals(5, after.path("Spec").path("Mode").path("Replicated").path("Replicas").asInt());
    assertEquals(2, after.path("PreviousSpec").path("Mode").path("Replicated").path("Replicas").asInt());

    Resp stale = call("POST", "/services/web/update?version=" + v, scaled);
    assertEquals(409, stale.status());
    assertTrue(stale.message().startsWith("update out of sequence"), stale.message());

    Resp rename = call("POST", "/services/web/update?version=" + after.path("Version").path("Index").asLong(),
        scaled.replace("\"web\"", "\"www\""));
    assertEquals(400, rename.status());

    Resp rollback = call("POST", "/services/web/update?rollback=previous&version="
        + after.path("Version").path("Index").asLong(), scaled);
    assertEquals(200, rollback.status(), rollback.body());
    JsonNode rolled = get("/services/web").json();
    assertEquals(2, rolled.path("Spec").path("Mode").path("Replicated").path("Replicas").asInt());
    assertEquals(5, rolled.path("PreviousSpec").path("Mode").path("Replicated").path("Replicas").asInt());
    assertEquals("rollback_started", rolled.path("UpdateStatus").path("State").asText());

    assertEquals(200, call("DELETE", "/services/web", null).status());
    Resp gone = get("/services/web");
    assertEquals(404, gone.status());
    assertEquals("service web not found", gone.message());
  }

  @Test
  void aCanaryUpdateIsRecordedAndOnlyAPausedCanaryCanBePromoted() throws Exception {
    init();
    assertEquals(201, call("POST", "/services/create", WEB).status());
    long v = get("/services/web").json().path("Version").path("Index").asLong();
    Resp bad = call("POST", "/services/web/update?canary=0&version=" + v, WEB);
    assertEquals(400, bad.status());
    assertTrue(bad.message().contains("canary"), bad.message());
    Resp ok = call("POST", "/services/web/update?canary=1&version=" + v, WEB.replace("busybox", "busybox:2"));
    assertEquals(200, ok.status(), ok.body());
    JsonNode st = get("/services/web").json().path("UpdateStatus");
    assertEquals("updating", st.path("State").asText());
    assertEquals(1, st.path("Canary").asInt());
    Resp early = call("POST", "/services/web/promote", null);
    assertEquals(409, early.status());
    assertTrue(early.message().contains("no canary waiting"), early.message());
  }

  @Test
  void referencedObjectsMustExistAndIngressPortsAreExclusive() throws Exception {
    init();
    Resp secret = call("POST", "/services/create", WEB.replace("\"Image\":\"busybox\"", "\"Image\":\"busybox\","
        + "\"Secrets\":[{\"SecretID\":\"s1id\",\"SecretName\":\"db-pass\",\"File\":{\"Name\":\"db\"}}]"));
    assertEquals(400, secret.status());
    assertTrue(secret.message().startsWith("Spec.TaskTemplate.ContainerSpec.Secrets: secret not found: db-pass"),
        secret.message());

    String ports = ",\"EndpointSpec\":{\"Ports\":[{\"TargetPort\":80,\"PublishedPort\":8080}]}}";
    String web = WEB.substring(0, WEB.length() - 1) + ports;
    Resp created = call("POST", "/services/create", web);
    assertEquals(201, created.status(), created.body());
    Resp taken = call("POST", "/services/create", web.replace("\"web\"", "\"api\""));
    assertEquals(400, taken.status());
    assertEquals("port '8080' is already in use by service 'web' (" + created.json().path("ID").asText()
        + ") as an ingress port", taken.message());
    long v = get("/services/web").json().path("Version").path("Index").asLong();
    assertEquals(200, call("POST", "/services/web/update?version=" + v, web.replace("\"Replicas\":2",
        "\"Replicas\":3")).status(), "a service keeps its own port across updates");
  }

  @Test
  void unnamedServicesGetAGeneratedName() throws Exception {
    init();
    Resp created = call("POST", "/services/create", "{\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"}}}");
    assertEquals(201, created.status(), created.body());
    JsonNode svc = get("/services/" + created.json().path("ID").asText()).json();
    assertTrue(svc.path("Spec").path("Name").asText().matches("[a-z]+_[a-z]+\\d*"), svc.toString());
    assertEquals(1, svc.path("Spec").path("Mode").path("Replicated").path("Replicas").asInt());
  }

  @Test
  void listFiltersTakeBothSyntaxesAndRefuseUnknownKeys() throws Exception {
    init();
    call("POST", "/services/create", WEB);
    call("POST", "/services/create", WEB.replace("\"web\"", "\"api\"").replace("front", "back"));
    call("POST", "/services/create", "{\"Name\":\"agent\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"x\"}},"
        + "\"Mode\":{\"Global\":{}}}");
    assertEquals(List.of("web"), names(get("/services?filters=" + filters("{\"name\":{\"web\":true}}"))));
    assertEquals(List.of("web"), names(get("/services?filters=" + filters("{\"name\":[\"we\"]}"))));
    assertEquals(List.of("api"), names(get("/services?filters=" + filters("{\"label\":{\"tier=back\":true}}"))));
    assertEquals(List.of("agent"), names(get("/services?filters=" + filters("{\"mode\":[\"global\"]}"))));
    assertEquals(3, get("/services?filters=" + filters("{\"label\":[]}")).json().size());
    Resp unknown = get("/services?filters=" + filters("{\"bogus\":{\"x\":true}}"));
    assertEquals(400, unknown.status());
    assertEquals("invalid filter 'bogus'; allowed: id, label, mode, name", unknown.message()); // dockerd's text, then what is allowed
    assertEquals(400, get("/services?filters=notjson").status());
  }

  @Test
  void taskFiltersAndServiceStatusCounts() throws Exception {
    String nodeId = init();
    String web = call("POST", "/services/create", WEB).json().path("ID").asText();
    String api = call("POST", "/services/create", WEB.replace("\"web\"", "\"api\"")).json().path("ID").asText();
    store.update(tx -> {
      tx.tasks().create(task(web, 1, nodeId, TaskState.RUNNING, TaskState.RUNNING));
      tx.tasks().create(task(web, 2, nodeId, TaskState.RUNNING, TaskState.PREPARING));
      tx.tasks().create(task(web, 2, nodeId, TaskState.SHUTDOWN, TaskState.FAILED));
      Task current = task(api, 1, nodeId, TaskState.RUNNING, TaskState.RUNNING);
      current.spec = tx.services().get(api).spec.taskTemplate;
      tx.tasks().create(current);
      return null;
    });
    JsonNode upToDate = get("/tasks?filters=" + filters("{\"_up-to-date\":{\"true\":true},\"node\":[\"self\"]}")).json();
    assertEquals(1, upToDate.size());
    assertEquals(api, upToDate.get(0).path("ServiceID").asText());
    assertEquals(3, get("/tasks?filters=" + filters("{\"service\":{\"web\":true}}")).json().size());
    assertEquals(2, get("/tasks?filters=" + filters("{\"service\":[\"web\"],\"desired-state\":[\"running\"]}"))
        .json().size());
    assertEquals(4, get("/tasks?filters=" + filters("{\"node\":[\"m1\"]}")).json().size());
    assertEquals(1, get("/tasks?filters=" + filters("{\"name\":[\"api.1\"]}")).json().size());
    assertEquals(404, get("/tasks?filters=" + filters("{\"service\":[\"nope\"]}")).status());
    assertEquals(400, get("/tasks?filters=" + filters("{\"desired-state\":[\"dancing\"]}")).status());
    JsonNode one = get("/tasks").json().get(0);
    assertEquals(one.path("ID").asText(), get("/tasks/" + one.path("ID").asText()).json().path("ID").asText());

    JsonNode listed = get("/services?status=true&filters=" + filters("{\"name\":{\"web\":true}}")).json().get(0);
    assertEquals(1, listed.path("ServiceStatus").path("RunningTasks").asInt());
    assertEquals(2, listed.path("ServiceStatus").path("DesiredTasks").asInt());
    assertTrue(get("/services").json().get(0).path("ServiceStatus").isMissingNode(), "only with status=true");

    // view=rows (jswarm): the rows service ps prints, named, in docker's order, "ago" counted from the client's now
    long now = java.time.Instant.parse(get("/tasks").json().get(0).path("Status").path("Timestamp").asText("")
        .isEmpty() ? get("/tasks").json().get(0).path("CreatedAt").asText() : get("/tasks").json().get(0).path("Status")
        .path("Timestamp").asText()).toEpochMilli() + 3_600_000;
    JsonNode rows = get("/tasks?view=rows&trunc=true&now=" + now + "&filters=" + filters("{\"service\":[\"web\"]}"))
        .json();
    assertEquals(3, rows.size(), rows.toString());
    List<String> shown = new ArrayList<>();
    rows.forEach(r -> shown.add(r.path("Name").asText() + (r.path("Previous").asBoolean() ? " (older)" : "") + " "
        + r.path("DesiredState").asText() + " " + r.path("CurrentState").asText() + " on " + r.path("Node").asText()));
    String host = get("/nodes/" + nodeId).json().path("Description").path("Hostname").asText();
    assertFalse(host.isEmpty());
    assertEquals("web.1 Running Running about an hour ago on " + host, shown.get(0));
    // the slot's two tasks were created at the same time: either is first, the other is marked older
    assertEquals(java.util.Set.of("web.2 Running Preparing about an hour ago on " + host,
        "web.2 Shutdown Failed about an hour ago on " + host), java.util.Set.of(shown.get(1),
        shown.get(2).replace(" (older)", "")));
    assertTrue(shown.get(2).startsWith("web.2 (older) "), shown.toString());
    assertEquals(12, rows.get(0).path("ID").asText().length(), "trunc shortens the ids");
    assertEquals(404, get("/tasks?view=rows&filters=" + filters("{\"service\":[\"nope\"]}")).status());
    // view=table: the same rows as service ps's default table, plain text
    Resp table = get("/tasks?view=table&trunc=true&now=" + now + "&filters=" + filters("{\"service\":[\"web\"]}"));
    assertEquals(200, table.status());
    assertTrue(table.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), table.headers().map()
        .toString());
    List<io.jswarm.api.listing.TaskRow> bound = new ArrayList<>();
    for (JsonNode r : rows) {
      bound.add(Json.mapper().convertValue(r, io.jswarm.api.listing.TaskRow.class));
    }
    assertEquals(io.jswarm.api.listing.TaskRows.table(bound), table.body());
    assertTrue(table.body().startsWith("ID ") && table.body().contains(" CURRENT STATE "), table.body());
    assertEquals(4, table.body().split("\n").length, table.body());
    assertTrue(table.body().contains(" \\_ web.2 "), table.body());
    assertEquals(404, get("/tasks?view=table&filters=" + filters("{\"service\":[\"nope\"]}")).status());
    Resp badView = get("/tasks?view=columns");
    assertEquals(400, badView.status());
    assertTrue(badView.message().contains("view") && badView.message().contains("rows")
        && badView.message().contains("table"), badView.message());
    Resp badNow = get("/tasks?view=rows&now=yesterday");
    assertEquals(400, badNow.status());
    assertTrue(badNow.message().startsWith("invalid now \"yesterday\": milliseconds since"), badNow.message());
  }

  private static Task task(String service, long slot, String node, TaskState desired, TaskState observed) {
    Task t = new Task();
    t.serviceId = service;
    t.slot = slot;
    t.nodeId = node;
    t.desiredState = desired;
    t.status = new Task.TaskStatus();
    t.status.state = observed;
    return t;
  }

  @Test
  void nodeRulesFollowSwarm() throws Exception {
    String managerId = init();
    String workerId = store.update(tx -> {
      Node n = new Node();
      n.spec = new Node.Spec();
      n.spec.role = "worker";
      n.spec.availability = "active";
      n.spec.labels = Map.of("zone", "a");
      n.description = new Node.Description();
      n.description.hostname = "w1";
      n.status = new Node.Status();
      n.status.state = "ready";
      return tx.nodes().create(n).id;
    });
    JsonNode m = get("/nodes/m1").json();
    assertEquals(managerId, m.path("ID").asText());
    assertTrue(m.path("ManagerStatus").path("Leader").asBoolean());
    assertEquals("reachable", m.path("ManagerStatus").path("Reachability").asText());
    assertEquals("127.0.0.1:2377", m.path("ManagerStatus").path("Addr").asText());
    assertEquals(managerId, get("/nodes/self").json().path("ID").asText());
    assertTrue(get("/nodes/w1").json().path("ManagerStatus").isMissingNode());
    assertEquals(workerId, get("/nodes?filters=" + filters("{\"role\":{\"worker\":true}}")).json().get(0)
        .path("ID").asText());
    assertEquals(1, get("/nodes?filters=" + filters("{\"node.label\":[\"zone=a\"]}")).json().size());
    assertEquals(2, get("/nodes?filters=" + filters("{\"membership\":[\"accepted\"]}")).json().size());

    // node ls keeps each worker's encoding while its row is unchanged: a changed row is answered as changed
    String before = get("/nodes").body();
    assertEquals(before, get("/nodes").body(), "the same rows, the same answer");
    store.update(tx -> {
      Node w = tx.nodes().get(workerId);
      w.spec.labels = Map.of("zone", "b");
      return tx.nodes().update(w);
    });
    JsonNode listed = get("/nodes").json();
    assertEquals(2, listed.size());
    for (JsonNode n : listed) {
      if (n.path("ID").asText().equals(workerId)) {
        assertEquals("b", n.path("Spec").path("Labels").path("zone").asText(), "the new row, not the kept encoding");
        assertTrue(n.path("ManagerStatus").isMissingNode());
      } else {
        assertTrue(n.path("ManagerStatus").path("Leader").asBoolean(), "a manager's status is made for each listing");
      }
    }
    assertEquals(1, get("/nodes?filters=" + filters("{\"node.label\":[\"zone=b\"]}")).json().size());
    assertEquals(get("/nodes/w1").json(), listed.get(listed.get(0).path("ID").asText().equals(workerId) ? 0 : 1),
        "a listed worker is what inspect answers");
    store.update(tx -> {
      Node w = tx.nodes().get(workerId);
      w.spec.labels = Map.of("zone", "a");
      return tx.nodes().update(w);
    });

    long mv = m.path("Version").path("Index").asLong();
    Resp demote = call("POST", "/nodes/" + managerId + "/update?version=" + mv,
        "{\"Role\":\"worker\",\"Availability\":\"active\"}");
    assertEquals(400, demote.status());
    assertEquals("attempting to demote the last manager of the swarm", demote.message());

    Resp rmManager = call("DELETE", "/nodes/" + managerId, null);
    assertEquals(400, rmManager.status());
    assertEquals("node " + managerId + " is a cluster manager and is a member of the raft cluster. It must be "
        + "demoted to worker before removal", rmManager.message());

    Resp rmReady = call("DELETE", "/nodes/w1", null);
    assertEquals(400, rmReady.status());
    assertEquals("node " + workerId + " is not down and can't be removed", rmReady.message());

    long wv = get("/nodes/w1").json().path("Version").path("Index").asLong();
    Resp drain = call("POST", "/nodes/w1/update?version=" + wv, "{\"Role\":\"worker\",\"Availability\":\"drain\"}");
    assertEquals(200, drain.status(), drain.body());
    assertEquals("drain", get("/nodes/w1").json().path("Spec").path("Availability").asText());
    assertEquals(409, call("POST", "/nodes/w1/update?version=" + wv,
        "{\"Role\":\"worker\",\"Availability\":\"active\"}").status());
    assertEquals(400, call("POST", "/nodes/w1/update?version=" + (wv + 100), "{\"Role\":\"boss\"}").status());

    assertEquals(200, call("DELETE", "/nodes/w1?force=true", null).status());
    assertEquals(404, get("/nodes/" + workerId).status());
    assertEquals(Set.of(managerId), Set.of(get("/nodes").json().get(0).path("ID").asText()));
  }
}
