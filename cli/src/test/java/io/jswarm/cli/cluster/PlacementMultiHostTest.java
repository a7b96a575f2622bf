package io.jswarm.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.cluster.MultiHostCluster.Host;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Placement on real containers: a manager and two workers (all three take tasks), a busybox image. A binpack
 * service whose tasks each reserve a quarter of a node's CPUs fills one node (4 tasks) before it opens the
 * next; a spread service with the same reservations goes one per node. {@code --dry-run} of create, update and
 * scale prints the plan (and for a constraint no node meets, the scheduler's explanation) and changes nothing.
 * {@code service rebalance} after a drained node comes back, and {@code --rebalance-on-join} when a fourth host
 * joins (last: the others count on three nodes), move tasks with no failed request through the routing mesh.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PlacementMultiHostTest {
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  private static MultiHostCluster cluster;
  private static Host m1;
  private static List<Host> hosts;

  @BeforeAll
  static void start() throws Exception {
    cluster = MultiHostCluster.create().executor("container");
    m1 = cluster.init("m1");
    cluster.join("w1", m1, "worker");
    cluster.join("w2", m1, "worker");
    hosts = cluster.hosts();
    cluster.importBusybox(m1);
    MultiHostCluster.awaitOrShowTasks(CONVERGE, m1, "3 ready nodes", () -> {
      int ready = 0;
      for (JsonNode n : get("/nodes")) {
        ready += n.path("Status").path("State").asText().equals("ready") ? 1 : 0;
      }
      return ready == 3;
    });
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
      cluster.assertNothingLeft(hosts);
    }
  }

  @Test
  void binpackFillsTheFullestNodeWithReservationsBeforeTheNext() throws Exception {
    awaitNoContainers(); // the other test's
    long quarter = get("/nodes").get(0).path("Description").path("Resources").path("NanoCPUs").asLong() / 4;
    String id = create("packed", quarter, "binpack", 6);
    awaitRunning(id, 6);
    assertEquals(List.of(4, 2, 0), sortedCounts(id), "4 on the fullest node, then 2 on the next");
    List<Integer> processes = new ArrayList<>();
    for (Host h : hosts) {
      processes.add(h.containerProcesses().size());
    }
    processes.sort(Comparator.reverseOrder());
    assertEquals(List.of(4, 2, 0), processes, "the containers run where the tasks are placed");

    // one more task goes to the node that has 2 (the full one has no CPU left, the empty one is emptier)
    scale(id, 7);
    awaitRunning(id, 7);
    assertEquals(List.of(4, 3, 0), sortedCounts(id));

    String spread = create("spread", quarter, null, 3);
    awaitRunning(spread, 3);
    Map<String, Integer> perNode = perNode(spread);
    assertEquals(2, perNode.size(), "spread: the full node has no room, the other two share: " + perNode);
    delete(id);
    delete(spread);
    awaitNoContainers();
  }

  @Test
  void dryRunsExplainAndChangeNothing() throws Exception {
    JsonNode servicesBefore = get("/services");
    JsonNode tasksBefore = get("/tasks");
    Run r = jswarm("service", "create", "--dry-run", "--name", "nowhere", "--replicas", "2",
        "--constraint", "node.labels.zone==mars", MultiHostCluster.BUSYBOX, "sleep", "60");
    assertEquals(1, r.rc, r.out + r.err);
    assertTrue(r.out.contains("nowhere.1: no suitable node (scheduling constraints not satisfied on 3 nodes)"), r.out);
    assertTrue(r.out.contains("nothing was changed"), r.out);

    r = jswarm("service", "create", "--dry-run", "--name", "three", "--replicas", "3", MultiHostCluster.BUSYBOX);
    assertEquals(0, r.rc, r.out + r.err);
    for (String h : List.of("m1", "w1", "w2")) {
      assertTrue(r.out.lines().anyMatch(l -> l.matches("\\S+\\s+" + h + "\\s+1\\s+1\\s*")), h + " takes one: " + r.out);
    }
    assertEquals(servicesBefore.toString(), get("/services").toString(), "no service was created");
    assertEquals(tasksBefore.toString(), get("/tasks").toString(), "no task was created");

    String id = create("planned", 0, null, 1);
    awaitRunning(id, 1);
    JsonNode service = get("/services/" + id);
    JsonNode tasks = get("/tasks");
    r = jswarm("service", "scale", "--dry-run", "planned=4");
    assertEquals(0, r.rc, r.out + r.err);
    assertTrue(r.out.contains("Dry run of planned: 4 task(s); nothing was changed"), r.out);
    r = jswarm("service", "update", "--dry-run", "--constraint-add", "node.hostname==w2", "planned");
    assertEquals(0, r.rc, r.out + r.err);
    assertTrue(r.out.contains("replacing the running ones"), r.out);
    assertTrue(r.out.lines().anyMatch(l -> l.matches("\\S+\\s+w2\\s+1\\s+1\\s*")), r.out);
    assertEquals(service.toString(), get("/services/" + id).toString(), "the service is unchanged");
    assertEquals(tasks.toString(), get("/tasks").toString(), "the tasks are unchanged");
    delete(id);
    awaitNoContainers();
  }

  static void awaitNoContainers() {
    MultiHostCluster.awaitOrShowTasks(CONVERGE, m1, "no containers left", () -> hosts.stream()
        .allMatch(h -> h.containerProcesses().isEmpty()));
  }

  @Test
  void rebalanceAfterANodeComesMovesTasksWithoutAFailedRequestThroughTheMesh() throws Exception {
    awaitNoContainers();
    availability("w2", "drain"); // as if w2 had not joined yet
    String spec = "{\"Name\":\"meshweb\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\""
        + MultiHostCluster.BUSYBOX + "\",\"Args\":[\"sh\",\"-c\","
        + "\"busybox hostname > /www/index.html && exec httpd -f -p 80 -h /www\"]}},"
        + "\"Mode\":{\"Replicated\":{\"Replicas\":4}},"
        + "\"EndpointSpec\":{\"Ports\":[{\"Protocol\":\"tcp\",\"TargetPort\":80,\"PublishedPort\":8088}]}}";
    String id = m1.daemon().call("POST", "/services/create", spec).expect(201).json().path("ID").asText();
    awaitRunning(id, 4);
    assertEquals(List.of(2, 2, 0), sortedCounts(id));
    MultiHostCluster.awaitOrShowTasks(CONVERGE, m1, "the mesh answering", () -> {
      try {
        return MultiHostCluster.httpGet(m1.address, 8088).startsWith("HTTP/1.");
      } catch (IOException e) {
        return false;
      }
    });
    MeshProbe probe = new MeshProbe(m1.address, 8088);
    try {
      availability("w2", "active");
      Run r = jswarm("service", "rebalance", "-d", "meshweb");
      assertEquals(0, r.rc, r.out + r.err);
      assertTrue(r.out.contains("moving "), r.out);
      try {
        ProcessCluster.await(CONVERGE, "spread over 3 nodes and the rebalance completed", () ->
            sortedCounts(id).equals(List.of(2, 1, 1)) && get("/services/" + id).path("UpdateStatus").path("State")
                .asText().equals("completed"));
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError(e.getMessage() + ": counts " + sortedCounts(id) + ", update "
            + get("/services/" + id).path("UpdateStatus") + ", tasks " + get("/tasks"), e);
      }
      Thread.sleep(2000); // requests after the moved task stopped
    } finally {
      probe.close();
    }
    System.out.printf("rebalance through the mesh: %d requests answered, %d failed%n", probe.answered(),
        probe.failures().size());
    assertEquals(List.of(), probe.failures(), probe.answered() + " answered");
    assertTrue(probe.answered() > 20, "requests were made: " + probe.answered());
    Run again = jswarm("service", "rebalance", "meshweb");
    assertTrue(again.out.contains("balanced already"), again.out);
    delete(id);
    awaitNoContainers();
  }

  @Test
  @Order(Integer.MAX_VALUE) // a fourth node joins: after the tests that count on three
  void rebalanceOnJoinMovesTasksToAJoiningNodeWithoutAFailedRequestThroughTheMesh() throws Exception {
    awaitNoContainers();
    Run created = jswarm("service", "create", "-d", "--name", "joinweb", "--replicas", "6", "--rebalance-on-join",
        "-p", "8089:80", MultiHostCluster.BUSYBOX, "sh", "-c",
        "busybox hostname > /www/index.html && exec httpd -f -p 80 -h /www");
    assertEquals(0, created.rc, created.out + created.err);
    String id = get("/services/joinweb").path("ID").asText();
    assertTrue(jswarm("service", "inspect", "--pretty", "joinweb").out.contains("Rebalance on join:"));
    awaitRunning(id, 6);
    assertEquals(List.of(2, 2, 2), sortedCounts(id));
    MultiHostCluster.awaitOrShowTasks(CONVERGE, m1, "the mesh answering", () -> {
      try {
        return MultiHostCluster.httpGet(m1.address, 8089).startsWith("HTTP/1.");
      } catch (IOException e) {
        return false;
      }
    });
    MeshProbe probe = new MeshProbe(m1.address, 8089);
    try {
      cluster.join("w3", m1, "worker"); // nobody asks for a rebalance: the join is enough
      hosts = cluster.hosts();
      try {
        ProcessCluster.await(CONVERGE, "spread over 4 nodes and the rebalance completed", () ->
            sortedCounts(id).equals(List.of(2, 2, 1, 1)) && get("/services/" + id).path("UpdateStatus")
                .path("State").asText().equals("completed"));
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError(e.getMessage() + ": counts " + sortedCounts(id) + ", update "
            + get("/services/" + id).path("UpdateStatus") + ", tasks " + get("/tasks"), e);
      }
      Thread.sleep(2000); // requests after the moved tasks stopped
    } finally {
      probe.close();
    }
    System.out.printf("rebalance on join through the mesh: %d requests answered, %d failed%n", probe.answered(),
        probe.failures().size());
    assertEquals(List.of(), probe.failures(), probe.answered() + " answered");
    assertTrue(probe.answered() > 20, "requests were made: " + probe.answered());
    delete(id);
    awaitNoContainers();
  }

  // ---- helpers ----

  static void availability(String hostname, String availability) throws IOException {
    JsonNode n = get("/nodes/" + hostname);
    com.fasterxml.jackson.databind.node.ObjectNode spec = (com.fasterxml.jackson.databind.node.ObjectNode) n.path("Spec");
    spec.put("Availability", availability);
    m1.daemon().call("POST", "/nodes/" + n.path("ID").asText() + "/update?version="
        + n.path("Version").path("Index").asLong(), spec.toString()).expect(200);
  }

  private record Run(int rc, String out, String err) {}

  private static Run jswarm(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    String[] all = new String[args.length + 2];
    all[0] = "-H";
    all[1] = m1.apiHost();
    System.arraycopy(args, 0, all, 2, args.length);
    int rc = io.jswarm.cli.Main.run(new java.io.PrintWriter(out), new java.io.PrintWriter(err), all);
    return new Run(rc, out.toString(), err.toString());
  }

  static String create(String name, long reserveNanoCpus, String strategy, int replicas) throws IOException {
    String spec = "{\"Name\":\"" + name + "\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\""
        + MultiHostCluster.BUSYBOX + "\"," + ContainerClusterTest.SHORT_STOP + ",\"Args\":[\"sleep\",\"3600\"]},"
        + "\"Resources\":{\"Reservations\":{\"NanoCPUs\":" + reserveNanoCpus + "}}"
        + (strategy == null ? "" : ",\"Placement\":{\"Strategy\":\"" + strategy + "\"}") + "},"
        + "\"Mode\":{\"Replicated\":{\"Replicas\":" + replicas + "}}}";
    return m1.daemon().call("POST", "/services/create", spec).expect(201).json().path("ID").asText();
  }

  static void scale(String id, int replicas) throws IOException {
    JsonNode s = get("/services/" + id);
    com.fasterxml.jackson.databind.node.ObjectNode spec = (com.fasterxml.jackson.databind.node.ObjectNode) s.path("Spec");
    ((com.fasterxml.jackson.databind.node.ObjectNode) spec.path("Mode").path("Replicated")).put("Replicas", replicas);
    m1.daemon().call("POST", "/services/" + id + "/update?version=" + s.path("Version").path("Index").asLong(),
        spec.toString()).expect(200);
  }

  static void delete(String id) throws IOException {
    m1.daemon().call("DELETE", "/services/" + id, null).expect(200);
  }

  static void awaitRunning(String serviceId, int n) {
    MultiHostCluster.awaitOrShowTasks(CONVERGE, m1, n + " running tasks of " + serviceId,
        () -> perNode(serviceId).values().stream().mapToInt(Integer::intValue).sum() == n);
  }

  /** Running tasks of the service per node id. */
  static Map<String, Integer> perNode(String serviceId) {
    Map<String, Integer> out = new HashMap<>();
    for (JsonNode t : get("/tasks")) {
      if (t.path("ServiceID").asText().equals(serviceId) && t.path("Status").path("State").asText().equals("running")
          && t.path("DesiredState").asText().equals("running")) {
        out.merge(t.path("NodeID").asText(), 1, Integer::sum);
      }
    }
    return out;
  }

  /** Running tasks of the service on each of the 3 nodes, most first. */
  static List<Integer> sortedCounts(String serviceId) {
    Map<String, Integer> perNode = perNode(serviceId);
    List<Integer> out = new ArrayList<>();
    for (JsonNode n : get("/nodes")) {
      out.add(perNode.getOrDefault(n.path("ID").asText(), 0));
    }
    out.sort(Comparator.reverseOrder());
    return out;
  }

  static JsonNode get(String path) {
    try {
      return m1.daemon().get(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
