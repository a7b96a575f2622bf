package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import io.jswarm.linux.Mounts;
import io.jswarm.linux.NetNs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The overlay driver wired into a real daemon (one node, so no VXLAN traffic leaves it; the two-host data path is
 * {@code OverlayNetworkingTest}, the multi-host one the harness's): a service on an overlay network gets its tasks
 * plugged into the network's sandbox as {@code eth1} with their allocated addresses, one container reaches the other
 * over the overlay, and {@code service rm} + {@code network rm} leave no sandbox. VNI and data path port are random
 * so that the VXLAN device, which lives in this machine's own namespace here, collides with no other test.
 */
class OverlayNodeClusterTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final String TAG = UUID.randomUUID().toString().substring(0, 6);
  private static final String CGROUP_PARENT = "jswarm-ovtest-" + TAG;
  private static final String BRIDGE = "jswov" + TAG;

  private static ProcessCluster cluster;
  private static Daemon node;

  @BeforeAll
  static void startNode() throws Exception {
    int third = 200 + Math.floorMod(TAG.hashCode() + 7, 50);
    int port = 30000 + ThreadLocalRandom.current().nextInt(10000);
    cluster = new ProcessCluster().executor("container").daemonArgs("--cgroup-parent", CGROUP_PARENT,
        "--bridge-name", BRIDGE, "--bridge-subnet", "172.30." + third + ".0/24");
    node = cluster.init("ov1", "\"DataPathPort\":" + port);
    ContainerClusterTest.importBusybox(cluster, node);
  }

  @AfterAll
  static void tearDown() throws Exception {
    try {
      if (node != null && node.alive()) {
        node.call("POST", "/swarm/leave?force=true", null);
      }
    } finally {
      if (cluster != null) {
        cluster.close();
        for (Path m : Mounts.mountsUnder(cluster.baseDir())) {
          Mounts.unmount(m, true);
        }
      }
      ContainerClusterTest.sh("ip link del " + BRIDGE + " 2>/dev/null; nft delete table ip " + BRIDGE
          + " 2>/dev/null; for d in /sys/fs/cgroup/*/" + CGROUP_PARENT
          + "; do [ -d $d ] && rmdir $d/* $d 2>/dev/null; done; true");
    }
  }

  @Test
  void tasksOnAnOverlayNetworkReachEachOtherAndTheSandboxGoesWithTheNetwork() throws Exception {
    int vni = 100000 + ThreadLocalRandom.current().nextInt(1_000_000);
    node.call("POST", "/networks/create", "{\"Name\":\"ovt\",\"Driver\":\"overlay\",\"IPAM\":{\"Config\":"
        + "[{\"Subnet\":\"10.219.7.0/24\"}]},\"Options\":{\"com.docker.network.driver.overlay.vxlanid_list\":\""
        + vni + "\"}}").expect(201);
    String spec = "{\"Name\":\"ovweb\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"127.0.0.1:9/jswarm/busybox:1\","
        + ContainerClusterTest.SHORT_STOP + ",\"Args\":[\"httpd\",\"-f\",\"-p\",\"80\",\"-h\",\"/www\"]},"
        + "\"Networks\":[{\"Target\":\"ovt\"}]},"
        + "\"Mode\":{\"Replicated\":{\"Replicas\":2}}}";
    String serviceId = node.call("POST", "/services/create", spec).expect(201).json().path("ID").asText();
    await(CONVERGE, "2 running tasks", () -> running(serviceId).size() == 2);
    List<JsonNode> tasks = running(serviceId);
    List<String> addrs = new ArrayList<>();
    for (JsonNode t : tasks) {
      String a = t.path("NetworksAttachments").get(0).path("Addresses").get(0).asText();
      assertTrue(a.startsWith("10.219.7."), a);
      addrs.add(a.split("/")[0]);
    }
    long pidA = tasks.get(0).path("Status").path("ContainerStatus").path("PID").asLong();
    String eth1 = ContainerClusterTest.sh("nsenter -t " + pidA + " -n ip -o addr show eth1");
    assertTrue(eth1.contains(addrs.get(0) + "/24"), eth1);
    // an HTTP request from a thread inside container A's network namespace (the host's busybox wget crashes)
    String page = NetNs.call(Path.of("/proc/" + pidA + "/ns/net"), () -> {
      try (Socket c = new Socket()) {
        c.connect(new InetSocketAddress(addrs.get(1), 80), 5000);
        c.setSoTimeout(5000);
        c.getOutputStream().write(("GET / HTTP/1.0\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      }
    });
    assertTrue(page.startsWith("HTTP/1.") && page.endsWith("hello from jswarm\n"),
        "container A reaches container B's overlay address: " + page);
    String netId = node.call("GET", "/networks/ovt", null).expect(200).json().path("Id").asText();
    Path sandbox = node.execRoot.resolve("overlay").resolve(netId);
    assertTrue(sandbox.toFile().exists(), "sandbox " + sandbox);

    node.call("DELETE", "/services/" + serviceId, null).expect(200);
    await(CONVERGE, "network removed once its tasks have stopped",
        () -> status("DELETE", "/networks/ovt") == 204);
    await(CONVERGE, "the overlay sandbox is gone",
        () -> ContainerClusterTest.children(node.execRoot.resolve("overlay")).isEmpty());
    assertEquals("", ContainerClusterTest.sh("ip -o link show type vxlan | grep " + String.format("vx-%06x", vni)
        + " || true"));
  }

  private static int status(String method, String path) {
    try {
      return node.call(method, path, null).status();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<JsonNode> running(String serviceId) {
    try {
      List<JsonNode> out = new ArrayList<>();
      for (JsonNode t : node.call("GET", "/tasks", null).expect(200).json()) {
        if (t.path("ServiceID").asText().equals(serviceId) && t.path("Status").path("State").asText().equals("running")) {
          out.add(t);
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
