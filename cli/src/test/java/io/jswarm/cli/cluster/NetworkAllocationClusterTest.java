package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The network allocator in real daemons (three managers, one process each): the pool given at init, addresses on a
 * network kept unique across a leader change (the new leader rebuilds from the replicated store), a full subnet
 * shown as a pending task's error, and network removal refused while in use.
 */
class NetworkAllocationClusterTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private ProcessCluster cluster;

  @AfterEach
  void tearDown() throws IOException {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static JsonNode get(Daemon via, String path) {
    try {
      return via.get(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Running tasks of {@code service}, each with its address on {@code networkId}. */
  private static List<String> runningAddresses(Daemon via, String service, String networkId) {
    String f = URLEncoder.encode("{\"service\":{\"" + service + "\":true}}", StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>();
    for (JsonNode t : get(via, "/tasks?filters=" + f)) {
      if (!t.path("Status").path("State").asText().equals("running")
          || !t.path("DesiredState").asText().equals("running")) {
        continue;
      }
      for (JsonNode a : t.path("NetworksAttachments")) {
        if (a.path("Network").path("ID").asText().equals(networkId)) {
          out.add(a.path("Addresses").get(0).asText());
        }
      }
    }
    return out;
  }

  private static Daemon leader(List<Daemon> managers) {
    for (Daemon m : managers) {
      if (get(m, "/nodes/" + m.name).path("ManagerStatus").path("Leader").asBoolean(false)) {
        return m;
      }
    }
    throw new AssertionError("no leader among " + managers);
  }

  private static void scale(Daemon via, String service, int replicas) throws IOException {
    JsonNode s = via.get("/services/" + service);
    String spec = s.path("Spec").toString().replaceFirst("\"Replicas\":\\d+", "\"Replicas\":" + replicas);
    via.call("POST", "/services/" + service + "/update?version=" + s.path("Version").path("Index").asLong(), spec)
        .expect(200);
  }

  @Test
  void addressesStayUniqueAcrossALeaderChangeAndAFullSubnetIsReported() throws IOException {
    cluster = new ProcessCluster();
    // a 1 s heartbeat: the killed manager is marked down (and its tasks replaced) in 3 s rather than 15
    Daemon m1 = cluster.init("m1", "\"DefaultAddrPool\":[\"10.20.0.0/16\"],\"SubnetSize\":24,"
        + "\"Spec\":{\"Dispatcher\":{\"HeartbeatPeriod\":1000000000}}");
    Daemon m2 = cluster.join("m2", m1, "manager");
    Daemon m3 = cluster.join("m3", m1, "manager");
    List<Daemon> managers = List.of(m1, m2, m3);
    JsonNode ingress = m1.get("/networks/ingress");
    assertEquals("10.20.0.0/24", ingress.path("IPAM").path("Config").get(0).path("Subnet").asText(), "from the pool");

    // A /27: hosts .1-.30, gateway .1, one VIP: 28 task addresses. Tasks on the killed manager keep theirs: the
    // node may only be cut off and still run them, so their addresses are not reused while it is down.
    String net = m1.call("POST", "/networks/create", "{\"Name\":\"app\",\"Driver\":\"overlay\","
        + "\"IPAM\":{\"Config\":[{\"Subnet\":\"10.30.0.0/27\"}]}}").expect(201).json().path("Id").asText();
    m1.call("POST", "/services/create", "{\"Name\":\"web\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"},"
        + "\"Networks\":[{\"Target\":\"app\"}]},\"Mode\":{\"Replicated\":{\"Replicas\":4}}}").expect(201);
    await(CONVERGE, "4 running tasks with addresses", () -> runningAddresses(m2, "web", net).size() == 4);
    String vip = m1.get("/services/web").path("Endpoint").path("VirtualIPs").get(0).path("Addr").asText();
    assertTrue(vip.startsWith("10.30.0."), vip);

    Daemon old = leader(managers);
    old.kill();
    List<Daemon> rest = new ArrayList<>(managers);
    rest.remove(old);
    Daemon a = rest.get(0);
    await(CONVERGE, "a new leader", () -> {
      try {
        return !leader(rest).name.equals(old.name);
      } catch (AssertionError | UncheckedIOException e) {
        return false;
      }
    });
    scale(a, "web", 12);
    try {
      await(CONVERGE, "12 running tasks with addresses", () -> runningAddresses(a, "web", net).size() == 12);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; tasks: " + get(a, "/tasks"), e);
    }
    Set<String> all = new HashSet<>(runningAddresses(a, "web", net));
    all.add(vip);
    assertEquals(13, all.size(), "no address handed out twice across leaders: " + all);
    for (String addr : all) {
      assertTrue(addr.matches("10\\.30\\.0\\.([2-9]|[12][0-9]|30)/27"), addr);
    }
    assertEquals(vip, a.get("/services/web").path("Endpoint").path("VirtualIPs").get(0).path("Addr").asText(),
        "the VIP survives the leader change");

    scale(a, "web", 30);
    String f = URLEncoder.encode("{\"service\":{\"web\":true},\"desired-state\":{\"running\":true}}",
        StandardCharsets.UTF_8);
    await(CONVERGE, "a pending task saying the subnet is full", () -> {
      for (JsonNode t : get(a, "/tasks?filters=" + f)) {
        if (t.path("Status").path("State").asText().equals("pending")
            && t.path("Status").path("Err").asText().equals("no free address in network app (10.30.0.0/27)")) {
          return true;
        }
      }
      return false;
    });

    assertEquals(409, a.call("DELETE", "/networks/app", null).status());
    a.call("DELETE", "/services/web", null).expect(200);
    // Refused while the removed service's tasks still hold addresses; allowed once they have stopped.
    await(CONVERGE, "network app removed", () -> {
      try {
        return a.call("DELETE", "/networks/app", null).status() == 204;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    assertEquals(404, a.call("GET", "/networks/app", null).status());
  }
}
