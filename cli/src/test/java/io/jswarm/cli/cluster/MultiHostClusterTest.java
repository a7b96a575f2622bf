package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import io.jswarm.cli.cluster.MultiHostCluster.Host;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The multi-host harness itself: three hosts (network namespaces on an underlay bridge, one daemon each, simulated
 * executor) form a swarm over their underlay addresses, a service spreads over them, a killed worker is marked
 * down, and closing the harness leaves no namespace, interface, process or directory behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiHostClusterTest {
  private static final long HEARTBEAT_NANOS = 1_000_000_000L;
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  private static MultiHostCluster cluster;
  private static Host m1;
  private static Host w1;
  private static Host w2;
  private static List<String> daemonPids = new ArrayList<>();

  @BeforeAll
  static void formCluster() throws IOException {
    cluster = MultiHostCluster.create();
    m1 = cluster.init("m1", "\"Spec\":{\"Dispatcher\":{\"HeartbeatPeriod\":" + HEARTBEAT_NANOS + "}}");
    w1 = cluster.join("w1", m1, "worker");
    w2 = cluster.join("w2", m1, "worker");
  }

  @AfterAll
  static void tearDown() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void threeHostsFormASwarmOverTheUnderlay() throws IOException {
    await(CONVERGE, "3 ready nodes", () -> readyNodes().size() == 3);
    Map<String, String> addrs = new TreeMap<>();
    for (JsonNode n : get(m1.daemon(), "/nodes")) {
      addrs.put(n.path("Description").path("Hostname").asText(), n.path("Status").path("Addr").asText());
    }
    assertEquals(Map.of("m1", m1.address, "w1", w1.address, "w2", w2.address), addrs, "node addresses");
    JsonNode leader = get(m1.daemon(), "/nodes/m1").path("ManagerStatus");
    assertEquals(m1.address + ":" + MultiHostCluster.CLUSTER_PORT, leader.path("Addr").asText());
    for (Host h : cluster.hosts()) {
      assertTrue(h.address.startsWith("172.29."), h.address);
      // each daemon listens only on its host's own address, in its own namespace
      String listening = h.exec("cat /proc/net/tcp /proc/net/tcp6");
      assertTrue(listening.contains(hexAddr(h.address, MultiHostCluster.API_PORT)), h + ": " + listening);
      List<String> inNetns = h.processesInNetns();
      assertEquals(1, inNetns.size(), h + " runs exactly its daemon: " + inNetns);
      daemonPids.addAll(inNetns);
    }
    // the workers' connections to the manager come from their underlay addresses
    String managerTcp = m1.exec("cat /proc/net/tcp /proc/net/tcp6");
    for (Host w : List.of(w1, w2)) {
      assertTrue(managerTcp.contains(hexAddr(w.address, 0).substring(0, 8)), w + " not connected: " + managerTcp);
    }
    assertEquals("", m1.exec("ip route show default"), "hosts have no default route");
  }

  @Test
  @Order(2)
  void aServiceSpreadsOverTheThreeHosts() throws IOException {
    m1.daemon().call("POST", "/services/create", "{\"Name\":\"web\",\"TaskTemplate\":{\"ContainerSpec\":"
        + "{\"Image\":\"busybox\"}},\"Mode\":{\"Replicated\":{\"Replicas\":6}}}").expect(201);
    await(CONVERGE, "6 running tasks, 2 per host",
        () -> runningPerNode("web").equals(Map.of("m1", 2, "w1", 2, "w2", 2)));
  }

  @Test
  @Order(3)
  void aKilledWorkerIsMarkedDownAndItsTasksMove() {
    w2.kill();
    await(CONVERGE, "w2 down", () -> state("w2").equals("down"));
    assertEquals("ready", state("w1"));
    await(CONVERGE, "6 running tasks on m1 and w1",
        () -> runningPerNode("web").equals(Map.of("m1", 3, "w1", 3)));
  }

  @Test
  @Order(4)
  void aPartitionedWorkerIsDownAndReturnsWhenHealed() throws Exception {
    w2.restart();
    await(CONVERGE, "w2 ready again", () -> state("w2").equals("ready"));
    w1.partition();
    await(CONVERGE, "w1 down while cut off", () -> state("w1").equals("down"));
    w1.heal();
    await(CONVERGE, "w1 ready after healing", () -> state("w1").equals("ready"));
  }

  @Test
  @Order(5)
  void closeLeavesNothing() throws Exception {
    String prefix = cluster.netnsPrefix();
    Path base = cluster.baseDir();
    List<Host> hosts = cluster.hosts();
    cluster.close();
    assertFalse(MultiHostCluster.sh("ip netns list").contains(prefix), "namespaces left");
    String links = MultiHostCluster.sh("ip -o link show");
    assertFalse(links.contains("jsm" + cluster.tag()), "veth or bridge left: " + links);
    assertFalse(MultiHostCluster.sh("ip -4 route show").contains(cluster.subnet()), "underlay route left");
    for (Host h : hosts) {
      assertEquals(List.of(), h.containerProcesses(), h + " container processes");
      assertEquals(List.of(), h.cgroupDirs(), h + " cgroups");
    }
    for (String pid : daemonPids) {
      assertFalse(Files.exists(Path.of("/proc", pid)), "daemon process " + pid + " still alive");
    }
    assertFalse(Files.exists(base), base + " left");
    assertTrue(daemonPids.size() == 3, "checked the 3 daemons: " + daemonPids);
  }

  // ---- helpers ----

  /** {@code /proc/net/tcp}'s spelling of a local address (little-endian hex IPv4, hex port). */
  static String hexAddr(String ipv4, int port) {
    String[] o = ipv4.split("\\.");
    return String.format("%02X%02X%02X%02X:%04X", Integer.parseInt(o[3]), Integer.parseInt(o[2]),
        Integer.parseInt(o[1]), Integer.parseInt(o[0]), port);
  }

  static String state(String hostname) {
    return get(m1.daemon(), "/nodes/" + hostname).path("Status").path("State").asText();
  }

  static List<String> readyNodes() {
    List<String> out = new ArrayList<>();
    for (JsonNode n : get(m1.daemon(), "/nodes")) {
      if (n.path("Status").path("State").asText().equals("ready")) {
        out.add(n.path("Description").path("Hostname").asText());
      }
    }
    return out;
  }

  static Map<String, Integer> runningPerNode(String service) {
    Map<String, String> hostnames = new HashMap<>();
    for (JsonNode n : get(m1.daemon(), "/nodes")) {
      hostnames.put(n.path("ID").asText(), n.path("Description").path("Hostname").asText());
    }
    Map<String, Integer> out = new TreeMap<>();
    for (JsonNode t : get(m1.daemon(), "/tasks")) {
      if (t.path("Status").path("State").asText().equals("running")
          && t.path("DesiredState").asText().equals("running")) {
        out.merge(hostnames.get(t.path("NodeID").asText()), 1, Integer::sum);
      }
    }
    return out;
  }

  static JsonNode get(Daemon d, String path) {
    try {
      return d.get(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static {
    Json.mapper();
  }
}
