package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.RootCA;
import io.jswarm.transport.pki.TlsContexts;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The control plane end to end: five real daemon processes (3 managers + 2 workers, simulated executor) formed
 * into one cluster over mutual TLS, driven through the Docker-shaped HTTP API. One cluster serves every test,
 * in order, because starting five JVMs is the expensive part; each test leaves the cluster healthy for the next,
 * except the last ones, which kill nodes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControlPlaneClusterTest {
  /** Heartbeat period for this cluster: short, so that Down detection (3 periods) takes seconds. */
  private static final long HEARTBEAT_NANOS = 1_000_000_000L;
  private static final Duration CONVERGE = Duration.ofSeconds(60);

  private static ProcessCluster cluster;
  private static Daemon m1;
  private static Daemon m2;
  private static Daemon m3;
  private static Daemon w1;
  private static Daemon w2;

  @BeforeAll
  static void formCluster() throws IOException {
    cluster = new ProcessCluster();
    m1 = cluster.init("m1", "\"Spec\":{\"Dispatcher\":{\"HeartbeatPeriod\":" + HEARTBEAT_NANOS + "}}");
    m2 = cluster.join("m2", m1, "manager");
    m3 = cluster.join("m3", m1, "manager");
    w1 = cluster.join("w1", m1, "worker");
    w2 = cluster.join("w2", m1, "worker");
    await(CONVERGE, "5 ready nodes", () -> readyNodes(m1) == 5);
  }

  @AfterAll
  static void tearDown() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
  }

  static int readyNodes(Daemon via) {
    int n = 0;
    for (JsonNode node : get(via, "/nodes")) {
      if (node.path("Status").path("State").asText().equals("ready")) {
        n++;
      }
    }
    return n;
  }

  static JsonNode get(Daemon via, String path) {
    try {
      return via.get(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String filters(String json) {
    return URLEncoder.encode(json, StandardCharsets.UTF_8);
  }

  /** Running tasks of a service per node hostname. */
  static Map<String, Integer> runningPerNode(Daemon via, String service) {
    Map<String, String> hostnames = new HashMap<>();
    for (JsonNode n : get(via, "/nodes")) {
      hostnames.put(n.path("ID").asText(), n.path("Description").path("Hostname").asText());
    }
    Map<String, Integer> out = new TreeMap<>();
    JsonNode tasks = get(via, "/tasks?filters=" + filters("{\"service\":{\"" + service + "\":true}}"));
    for (JsonNode t : tasks) {
      if (t.path("Status").path("State").asText().equals("running")
          && t.path("DesiredState").asText().equals("running")) {
        out.merge(hostnames.get(t.path("NodeID").asText()), 1, Integer::sum);
      }
    }
    return out;
  }

  static int total(Map<String, Integer> m) {
    return m.values().stream().mapToInt(Integer::intValue).sum();
  }

  static String createService(Daemon via, String json) throws IOException {
    return via.call("POST", "/services/create", json).expect(201).json().path("ID").asText();
  }

  @Test
  @Order(1)
  void managersFormOneRaftGroupWithOneLeader() {
    JsonNode nodes = get(m2, "/nodes");
    int managers = 0;
    int leaders = 0;
    for (JsonNode n : nodes) {
      if (n.path("Spec").path("Role").asText().equals("manager")) {
        managers++;
        if (n.path("ManagerStatus").path("Leader").asBoolean(false)) {
          leaders++;
        }
      }
    }
    assertEquals(3, managers, nodes.toPrettyString());
    assertEquals(1, leaders, nodes.toPrettyString());
    JsonNode info = get(w1, "/info").path("Swarm");
    assertEquals("active", info.path("LocalNodeState").asText());
    assertEquals(false, info.path("ControlAvailable").asBoolean());
  }

  @Test
  @Order(2)
  void aWorkerCannotServeManagerRoutes() throws IOException {
    ProcessCluster.Answer a = w1.call("GET", "/services", null);
    assertEquals(503, a.status());
    assertTrue(a.body().contains("Worker nodes can't be used to view or modify cluster state"), a.body());
  }

  @Test
  @Order(3)
  void tenReplicasSpreadEvenly() throws IOException {
    createService(m1, "{\"Name\":\"web\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"}},"
        + "\"Mode\":{\"Replicated\":{\"Replicas\":10}}}");
    await(CONVERGE, "10 running tasks of web", () -> total(runningPerNode(m2, "web")) == 10);
    Map<String, Integer> spread = runningPerNode(m3, "web");
    assertEquals(5, spread.size(), spread.toString());
    spread.values().forEach(n -> assertEquals(2, n, spread.toString()));
  }

  @Test
  @Order(4)
  void drainMovesTasksOff() throws IOException {
    JsonNode node = get(m1, "/nodes/w1");
    long version = node.path("Version").path("Index").asLong();
    m1.call("POST", "/nodes/" + node.path("ID").asText() + "/update?version=" + version,
        "{\"Role\":\"worker\",\"Availability\":\"drain\"}").expect(200);
    await(CONVERGE, "web off w1, 10 running elsewhere", () -> {
      Map<String, Integer> s = runningPerNode(m1, "web");
      return !s.containsKey("w1") && total(s) == 10;
    });
    node = get(m1, "/nodes/w1");
    m1.call("POST", "/nodes/" + node.path("ID").asText() + "/update?version=" + node.path("Version").path("Index").asLong(),
        "{\"Role\":\"worker\",\"Availability\":\"active\"}").expect(200);
  }

  @Test
  @Order(5)
  void unsatisfiableConstraintLeavesTasksPendingWithTheReason() throws IOException {
    createService(m1, "{\"Name\":\"nowhere\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"},"
        + "\"Placement\":{\"Constraints\":[\"node.labels.zone==mars\"]}},\"Mode\":{\"Replicated\":{\"Replicas\":2}}}");
    await(CONVERGE, "2 pending tasks of nowhere explaining why", () -> {
      JsonNode tasks = get(m1, "/tasks?filters=" + filters("{\"service\":{\"nowhere\":true}}"));
      int explained = 0;
      for (JsonNode t : tasks) {
        String msg = t.path("Status").path("Err").asText() + t.path("Status").path("Message").asText();
        if (t.path("Status").path("State").asText().equals("pending")
            && msg.contains("no suitable node") && msg.contains("constraint")) {
          explained++;
        }
      }
      return explained == 2;
    });
    m1.call("DELETE", "/services/nowhere", null).expect(200);
  }

  @Test
  @Order(6)
  void globalServiceFollowsAJoiningNode() throws IOException {
    createService(m2, "{\"Name\":\"agent\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"}},"
        + "\"Mode\":{\"Global\":{}}}");
    await(CONVERGE, "one agent task on each of 5 nodes", () -> runningPerNode(m1, "agent").size() == 5);
    Daemon w3 = cluster.join("w3", m1, "worker");
    await(CONVERGE, "an agent task on w3 too", () -> runningPerNode(m1, "agent").containsKey("w3"));
    Map<String, Integer> perNode = runningPerNode(m1, "agent");
    perNode.values().forEach(n -> assertEquals(1, n, perNode.toString()));
    assertTrue(w3.alive());
  }

  @Test
  @Order(7)
  void wrongAndRotatedTokensAreRefused() throws IOException {
    Daemon stranger = cluster.start("stranger");
    String good = get(m1, "/swarm").path("JoinTokens").path("Worker").asText();
    String forged = good.substring(0, good.length() - 5) + (good.endsWith("aaaaa") ? "bbbbb" : "aaaaa");
    ProcessCluster.Answer a = stranger.joinWithToken(m1, forged);
    assertNotEquals(200, a.status());
    assertTrue(a.body().toLowerCase().contains("token"), a.body());

    long version = get(m1, "/swarm").path("Version").path("Index").asLong();
    JsonNode spec = get(m1, "/swarm").path("Spec");
    m1.call("POST", "/swarm/update?version=" + version + "&rotateWorkerToken=true", spec.toString()).expect(200);
    a = stranger.joinWithToken(m1, good);
    assertNotEquals(200, a.status(), "a rotated token must be refused");
    assertTrue(a.body().toLowerCase().contains("token"), a.body());
    assertEquals("inactive", get(stranger, "/info").path("Swarm").path("LocalNodeState").asText());
  }

  @Test
  @Order(8)
  void aCertificateFromAnotherCaIsRefusedOnTheClusterPort() throws Exception {
    NodeCredentials real = w1.credentials();
    assertTrue(talksToClusterPort(m1, real), "the cluster's own worker certificate must be accepted");

    RootCA foreign = RootCA.create("other-cluster", Clock.systemUTC());
    NodeCredentials key = NodeCredentials.generateKey();
    String cert = foreign.issue(key.csrPem(), real.nodeId(), "swarm-worker", "other-cluster", Duration.ofDays(1),
        Clock.systemUTC());
    // the impostor accepts any server (so its own side of the handshake succeeds) but shows a certificate
    // signed by another CA: the manager must refuse it
    NodeCredentials impostor = key.withCertificate(cert, foreign.certPem());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(new javax.net.ssl.KeyManager[] {TlsContexts.keyManager(impostor)},
        new javax.net.ssl.TrustManager[] {new TrustingEverything()}, null);
    assertTrue(!talksToClusterPort(m1, ctx), "a certificate from a foreign CA must be refused");
  }

  /** A test client's trust manager that accepts any server, to see what the server decides alone. */
  static final class TrustingEverything implements javax.net.ssl.X509TrustManager {
    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

    @Override
    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
      return new java.security.cert.X509Certificate[0];
    }
  }

  static boolean talksToClusterPort(Daemon manager, NodeCredentials creds) throws Exception {
    return talksToClusterPort(manager, TlsContexts.client(creds));
  }

  /** Whether a dispatcher call over mutual TLS with {@code ctx} gets an HTTP answer from {@code manager}. */
  static boolean talksToClusterPort(Daemon manager, SSLContext ctx) throws Exception {
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", manager.clusterPort)) {
      s.setSoTimeout(10_000);
      s.startHandshake();
      OutputStream out = s.getOutputStream();
      out.write(("POST /dispatcher/heartbeat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: 2\r\nConnection: close\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] head = s.getInputStream().readNBytes(8);
      return new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1");
    } catch (javax.net.ssl.SSLException | java.net.SocketException e) {
      return false;
    }
  }

  @Test
  @Order(9)
  void promoteAndDemoteChangeTheRaftGroup() throws IOException {
    setRole("w1", "manager");
    await(Duration.ofSeconds(120), "w1 a reachable manager", () -> "reachable".equals(
        get(m1, "/nodes/w1").path("ManagerStatus").path("Reachability").asText()));
    await(CONVERGE, "w1 answers manager routes", () -> status(w1, "/services") == 200);
    assertEquals(4, managerCount(m2));
    setRole("w1", "worker");
    await(CONVERGE, "w1 a worker again", () -> managerCount(m1) == 3
        && status(w1, "/services") == 503);
    await(CONVERGE, "w1 ready", () -> get(m1, "/nodes/w1").path("Status").path("State").asText().equals("ready"));
  }

  static int status(Daemon d, String path) {
    try {
      return d.call("GET", path, null).status();
    } catch (IOException e) {
      return -1;
    }
  }

  static void setRole(String node, String role) throws IOException {
    JsonNode n = get(m1, "/nodes/" + node);
    JsonNode spec = n.path("Spec");
    ((com.fasterxml.jackson.databind.node.ObjectNode) spec).put("Role", role);
    m1.call("POST", "/nodes/" + n.path("ID").asText() + "/update?version=" + n.path("Version").path("Index").asLong(),
        spec.toString()).expect(200);
  }

  static int managerCount(Daemon via) {
    int n = 0;
    for (JsonNode node : get(via, "/nodes")) {
      if (node.path("ManagerStatus").has("Reachability")) {
        n++;
      }
    }
    return n;
  }

  @Test
  @Order(10)
  void aKilledWorkerIsDownWithinThreeHeartbeatsAndItsTasksMove() {
    w2.kill();
    long killedAt = System.nanoTime();
    await(Duration.ofSeconds(30), "w2 down", () -> get(m1, "/nodes/w2").path("Status").path("State").asText().equals("down"));
    long tookMs = (System.nanoTime() - killedAt) / 1_000_000;
    // 3 periods, plus one period of polling slack on each side
    assertTrue(tookMs < 5 * HEARTBEAT_NANOS / 1_000_000, "took " + tookMs + " ms");
    await(CONVERGE, "web all running on live nodes", () -> {
      Map<String, Integer> s = runningPerNode(m1, "web");
      return !s.containsKey("w2") && total(s) == 10;
    });
  }

  @Test
  @Order(11)
  void killingTheLeaderElectsAnotherAndMarksNoWorkerDown() throws IOException {
    Daemon leader = null;
    for (Daemon m : List.of(m1, m2, m3)) {
      JsonNode self = get(m, "/nodes/" + m.name);
      if (self.path("ManagerStatus").path("Leader").asBoolean(false)) {
        leader = m;
      }
    }
    assertTrue(leader != null, "no leader among m1..m3");
    Daemon oldLeader = leader;
    oldLeader.kill();
    List<Daemon> rest = new ArrayList<>(List.of(m1, m2, m3));
    rest.remove(leader);
    Daemon survivor = rest.get(0);
    await(CONVERGE, "a new leader", () -> {
      for (JsonNode n : get(survivor, "/nodes")) {
        if (n.path("ManagerStatus").path("Leader").asBoolean(false)
            && !n.path("Description").path("Hostname").asText().equals(oldLeader.name)) {
          return true;
        }
      }
      return false;
    });
    // Workers reconnect to the new leader within the grace: none may be marked down meanwhile.
    long until = System.nanoTime() + 6 * HEARTBEAT_NANOS;
    while (System.nanoTime() < until) {
      for (Daemon d : rest) {
        assertEquals("ready", get(d, "/nodes/w1").path("Status").path("State").asText(), "w1 marked down");
      }
    }
    assertEquals(10, get(rest.get(1), "/services/web").path("Spec").path("Mode").path("Replicated").path("Replicas").asInt());
    await(CONVERGE, "web back to 10 running", () -> total(runningPerNode(rest.get(1), "web")) == 10);
  }
}
