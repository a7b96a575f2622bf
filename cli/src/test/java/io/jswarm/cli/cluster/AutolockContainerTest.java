package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Autolock with a real container (runc): an autolocked single-manager swarm runs a busybox httpd; the daemon is
 * restarted and comes back locked while the container keeps running and serving; a wrong key is refused, the
 * right one unlocks, and the restarted daemon adopts the same container. The data root holds neither the
 * service's marker nor a private key in the clear.
 */
class AutolockContainerTest {
  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static final String IMAGE = "127.0.0.1:9/jswarm/busybox:1";
  private static final String TAG = UUID.randomUUID().toString().substring(0, 6);
  private static final String CGROUP_PARENT = "jswarm-altest-" + TAG;
  private static final String BRIDGE = "jswal" + TAG;
  private static final String MARKER = "mk" + UUID.randomUUID().toString().replace("-", "");

  private ProcessCluster cluster;

  @AfterEach
  void tearDown() throws Exception {
    try {
      for (Daemon d : cluster.all()) {
        if (d.alive()) {
          d.call("POST", "/swarm/leave?force=true", null);
        }
      }
    } finally {
      ContainerClusterTest.closeAndRemoveLeftovers(cluster, BRIDGE, CGROUP_PARENT);
    }
  }

  @Test
  void lockedManagerKeepsItsContainerRunningAndAdoptsItOnceUnlocked() throws Exception {
    int third = 150 + Math.floorMod(TAG.hashCode(), 50);
    cluster = new ProcessCluster().executor("container").daemonArgs("--cgroup-parent", CGROUP_PARENT,
        "--bridge-name", BRIDGE, "--bridge-subnet", "172.31." + third + ".0/24", "--snapshot-interval", "10");
    Daemon node = cluster.init("al1", "\"Spec\":{\"EncryptionConfig\":{\"AutoLockManagers\":true}}");
    String key = node.get("/swarm/unlockkey").path("UnlockKey").asText();
    ContainerClusterTest.importBusybox(cluster, node);
    String spec = "{\"Name\":\"web\",\"Labels\":{\"note\":\"" + MARKER + "\"},\"TaskTemplate\":{\"ContainerSpec\":"
        + "{\"Image\":\"" + IMAGE + "\",\"Env\":[\"PASSWORD=" + MARKER + "\"],"
        + "\"Args\":[\"httpd\",\"-f\",\"-p\",\"80\",\"-h\",\"/www\"]}},"
        + "\"EndpointSpec\":{\"Ports\":[{\"Protocol\":\"tcp\",\"TargetPort\":80,\"PublishMode\":\"host\"}]}}";
    node.call("POST", "/services/create", spec).expect(201);
    await(CONVERGE, "the web task running with a published port", () -> runningTask(node) != null);
    JsonNode task = runningTask(node);
    int port = task.path("Status").path("PortStatus").path("Ports").get(0).path("PublishedPort").asInt();
    long pid = task.path("Status").path("ContainerStatus").path("PID").asLong();
    assertEquals("hello from jswarm\n", ContainerClusterTest.httpGet(port));

    for (String s : List.of(MARKER, "PRIVATE KEY", key)) {
      assertEquals(List.of(), AutolockClusterTest.filesContaining(node.dataRoot, s),
          "files of the data root holding '" + s + "' in the clear");
    }

    node.restart();
    assertEquals("locked", node.get("/info").path("Swarm").path("LocalNodeState").asText());
    ProcessCluster.Answer a = node.call("GET", "/services", null);
    assertEquals(503, a.status(), a.body());
    assertTrue(a.body().contains("Swarm is encrypted and needs to be unlocked"), a.body());
    assertTrue(Files.exists(Path.of("/proc", Long.toString(pid))), "the container's process runs on while locked");
    assertEquals("hello from jswarm\n", ContainerClusterTest.httpGet(port), "the container serves while its manager is locked");

    a = node.call("POST", "/swarm/unlock", "{\"UnlockKey\":\"" + key.substring(0, key.length() - 4) + "AAAA\"}");
    assertEquals(400, a.status(), a.body());
    assertEquals("locked", node.get("/info").path("Swarm").path("LocalNodeState").asText());

    node.call("POST", "/swarm/unlock", "{\"UnlockKey\":\"" + key + "\"}").expect(200);
    await(CONVERGE, "the task reported running by the unlocked daemon", () -> {
      JsonNode t = runningTask(node);
      return t != null && t.path("ID").asText().equals(task.path("ID").asText())
          && t.path("Status").path("ContainerStatus").path("PID").asLong() == pid;
    });
    assertEquals("hello from jswarm\n", ContainerClusterTest.httpGet(port));
  }

  private static JsonNode runningTask(Daemon node) {
    try {
      ProcessCluster.Answer a = node.call("GET", "/tasks", null);
      if (a.status() != 200) {
        return null;
      }
      for (JsonNode t : a.json()) {
        if (t.path("DesiredState").asText().equals("running") && t.path("Status").path("State").asText().equals("running")
            && t.path("Status").path("PortStatus").path("Ports").size() == 1) {
          return t;
        }
      }
      return null;
    } catch (java.io.IOException e) {
      return null;
    }
  }
}
