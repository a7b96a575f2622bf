package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.Main;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Limits a task runs into, on one node with real containers (runc): a fork loop past {@code --limit-pids 32}
 * shows {@code pids limit 32 reached} in {@code service ps} and as a {@code limit_reached} event; a task that
 * {@code dd}s past a 10 MB volume ({@code volume create --opt size=10M}) gets ENOSPC, {@code service ps} says the
 * volume is full, {@code volume inspect} shows the usage, and removing the volume leaves no mount or loop device.
 */
class LimitsClusterTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final String TAG = UUID.randomUUID().toString().substring(0, 6);
  private static final String CGROUP_PARENT = "jswarm-ltest-" + TAG;
  private static final String BRIDGE = "jswlt" + TAG;

  private static ProcessCluster cluster;
  private static Daemon node;

  @BeforeAll
  static void startNode() throws Exception {
    int third = 150 + Math.floorMod(TAG.hashCode(), 50);
    cluster = new ProcessCluster().executor("container").daemonArgs("--cgroup-parent", CGROUP_PARENT,
        "--bridge-name", BRIDGE, "--bridge-subnet", "172.31." + third + ".0/24");
    node = cluster.init("l1");
    byte[] rootfs = ContainerClusterTest.busyboxRootfsTar(cluster.baseDir().resolve("rootfs"));
    String q = "fromSrc=-&repo=" + URLEncoder.encode("127.0.0.1:9/jswarm/busybox", StandardCharsets.UTF_8) + "&tag=1";
    node.callBytes("POST", "/images/create?" + q, rootfs, "application/x-tar").expect(200);
  }

  @AfterAll
  static void tearDown() throws Exception {
    try {
      if (node != null && node.alive()) {
        node.call("POST", "/swarm/leave?force=true", null);
      }
    } finally {
      ContainerClusterTest.closeAndRemoveLeftovers(cluster, BRIDGE, CGROUP_PARENT);
    }
  }

  record Run(int rc, String out, String err) {}

  static Run jswarm(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 2];
    all[0] = "-H";
    all[1] = node.host();
    System.arraycopy(args, 0, all, 2, args.length);
    int rc = Main.run(new PrintWriter(out), new PrintWriter(err), all);
    return new Run(rc, out.toString(), err.toString());
  }

  @Test
  void aForkLoopPastThePidsLimitIsReportedInServicePsAndAsAnEvent() throws Exception {
    long since = Instant.now().getEpochSecond() - 1;
    // the loop's subshell dies at the first refused fork; the task's init stays (exec sleep)
    Run created = jswarm("service", "create", "-d", "--name", "forker", "--limit-pids", "32",
        ContainerClusterTest.IMAGE, "sh", "-c", "(for i in $(seq 1 100); do sleep 600 & done); exec sleep 600");
    assertEquals(0, created.rc, created.out + created.err);
    String[] ps = {""};
    await(CONVERGE, "service ps showing the pids limit", () -> {
      ps[0] = jswarm("service", "ps", "--no-trunc", "forker").out;
      return ps[0].contains("pids limit 32 reached");
    });
    assertTrue(ps[0].contains("Running"), "the task keeps running: " + ps[0]);
    JsonNode task = node.get("/tasks").get(0);
    assertEquals("running", task.path("Status").path("State").asText());
    assertTrue(task.path("Status").path("Err").asText().matches("pids limit 32 reached \\([0-9]+ forks? refused\\)"),
        task.toString());
    String until = Long.toString(Instant.now().getEpochSecond() + 1);
    String filters = URLEncoder.encode("{\"event\":[\"limit_reached\"]}", StandardCharsets.UTF_8);
    String events = node.call("GET", "/events?since=" + since + "&until=" + until + "&filters=" + filters, null)
        .expect(200).body();
    assertTrue(events.contains("\"Action\":\"limit_reached\"") && events.contains("pids limit 32 reached"), events);
    assertEquals(0, jswarm("service", "rm", "forker").rc);
    await(CONVERGE, "the container gone", () -> ContainerClusterTest.containerProcesses(CGROUP_PARENT).isEmpty());
  }

  @Test
  void writingPastASizedVolumeIsEnospcAndReported() throws Exception {
    Run created = jswarm("volume", "create", "--opt", "size=10M", "quota10");
    assertEquals(0, created.rc, created.out + created.err);
    created = jswarm("service", "create", "-d", "--name", "filler", "--mount", "type=volume,source=quota10,target=/data",
        ContainerClusterTest.IMAGE, "sh", "-c", "dd if=/dev/zero of=/data/big bs=1M count=20; echo dd=$?; exec sleep 600");
    assertEquals(0, created.rc, created.out + created.err);
    String[] ps = {""};
    await(CONVERGE, "service ps showing the full volume", () -> {
      ps[0] = jswarm("service", "ps", "--no-trunc", "filler").out;
      return ps[0].contains("volume quota10 full (10MiB limit");
    });
    String[] logs = {""};
    await(CONVERGE, "dd's error in the logs", () -> {
      Run r = jswarm("service", "logs", "filler");
      logs[0] = r.out + r.err;
      return logs[0].contains("dd=1");
    });
    assertTrue(logs[0].contains("No space left on device"), logs[0]);
    JsonNode v = node.get("/volumes/quota10?size=1");
    assertEquals("10M", v.path("Options").path("size").asText());
    long used = v.path("UsageData").path("Size").asLong();
    assertTrue(used >= 9L << 20 && used <= 10L << 20, "usage " + used + ": " + v);
    assertTrue(jswarm("volume", "inspect", "quota10").out.contains("\"UsageData\""));

    assertEquals(0, jswarm("service", "rm", "filler").rc);
    Run[] rm = {null};
    await(CONVERGE, "the volume released and removed", () -> {
      rm[0] = jswarm("volume", "rm", "quota10");
      return rm[0].rc == 0;
    });
    assertEquals(java.util.List.of(), io.jswarm.linux.Mounts.mountsUnder(cluster.baseDir().resolve("l1")),
        "no mount left under the node's data root");
    assertTrue(io.jswarm.linux.LoopDevices.backingFiles().values().stream()
        .noneMatch(f -> f.startsWith(cluster.baseDir().toString())), io.jswarm.linux.LoopDevices.backingFiles()
        .toString());
  }
}
