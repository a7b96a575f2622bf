package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.cluster.ProcessCluster.CliRun;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
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
 * volume is full, {@code volume inspect} shows the usage, and removing the volume leaves no mount or loop device;
 * iperf3 (run in the tasks' network namespaces) through {@code --limit-bandwidth 10mbit} measures 10 Mbit/s within
 * 10 %, sending to the limited task and receiving from it.
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
    ContainerClusterTest.importBusybox(cluster, node);
  }

  @AfterAll
  static void tearDown() throws Exception {
    ContainerClusterTest.leaveAndRemoveLeftovers(cluster, node, BRIDGE, CGROUP_PARENT);
  }

  static CliRun jswarm(String... args) {
    return node.jswarm(args);
  }

  @Test
  void aForkLoopPastThePidsLimitIsReportedInServicePsAndAsAnEvent() throws Exception {
    long since = Instant.now().getEpochSecond() - 1;
    // the loop's subshell dies at the first refused fork; the task's init stays (exec sleep)
    CliRun created = jswarm("service", "create", "-d", "--name", "forker", "--limit-pids", "32",
        "--stop-grace-period", "1s",
        ContainerClusterTest.IMAGE, "sh", "-c", "(for i in $(seq 1 100); do sleep 600 & done); exec sleep 600");
    assertEquals(0, created.rc(), created.out() + created.err());
    String[] ps = {""};
    await(CONVERGE, "service ps showing the pids limit", () -> {
      ps[0] = jswarm("service", "ps", "--no-trunc", "forker").out();
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
    assertEquals(0, jswarm("service", "rm", "forker").rc());
    await(CONVERGE, "the container gone", () -> ContainerClusterTest.containerProcesses(CGROUP_PARENT).isEmpty());
  }

  @Test
  void iperf3ThroughATenMegabitLimitMeasuresTenMegabitsBothWays() throws Exception {
    CliRun created = jswarm("service", "create", "-d", "--name", "limited", "--limit-bandwidth", "10mbit",
        "--stop-grace-period", "1s",
        ContainerClusterTest.IMAGE, "sleep", "600");
    assertEquals(0, created.rc(), created.out() + created.err());
    assertEquals(0, jswarm("service", "create", "-d", "--name", "free", "--stop-grace-period", "1s",
        ContainerClusterTest.IMAGE, "sleep", "600")
        .rc());
    try {
      long[] pids = new long[2];
      await(CONVERGE, "both tasks running", () -> {
        pids[0] = runningPid("limited");
        pids[1] = runningPid("free");
        return pids[0] > 0 && pids[1] > 0;
      });
      String addr = sh("nsenter -t " + pids[0] + " -n ip -4 -o addr show eth0")
          .replaceAll("(?s).* inet ([0-9.]+)/.*", "$1");
      assertTrue(addr.matches("[0-9.]+"), addr);
      Process server = new ProcessBuilder("nsenter", "-t", Long.toString(pids[0]), "-n", "iperf3", "-s", "-p", "5299")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      try {
        Thread.sleep(500);
        double into = measure(pids[1], addr, false);
        double outOf = measure(pids[1], addr, true);
        System.out.printf("iperf3 through a 10 Mbit/s limit: into the task %.2f Mbit/s, out of it %.2f Mbit/s (%s)%n",
            into / 1e6, outOf / 1e6, sh("uptime").trim());
        assertTrue(near10Mbit(into), "received by the limited task: " + into + " bit/s");
        assertTrue(near10Mbit(outOf), "sent by the limited task: " + outOf + " bit/s");
      } finally {
        server.destroyForcibly().waitFor();
      }
    } finally {
      // also when a measurement failed: the next tests of this class count the containers under the cgroup parent
      assertEquals(0, jswarm("service", "rm", "limited", "free").rc());
      await(CONVERGE, "the containers gone", () -> ContainerClusterTest.containerProcesses(CGROUP_PARENT).isEmpty());
    }
  }

  private static boolean near10Mbit(double bitsPerSecond) {
    return Math.abs(bitsPerSecond - 10e6) <= 1e6;
  }

  /**
   * One iperf3 run, and a second one if the first is off by more than 10 %: a single 4-second TCP run can stall on a
   * loaded machine (CI once measured 0 bit/s in one direction); two runs off in a row fail the test.
   */
  private static double measure(long clientPid, String addr, boolean reverse) throws Exception {
    double first = iperf(clientPid, addr, reverse);
    if (near10Mbit(first)) {
      return first;
    }
    System.out.printf("iperf3%s measured %.0f bit/s; measuring again%n", reverse ? " -R" : "", first);
    Thread.sleep(1000);
    return iperf(clientPid, addr, reverse);
  }

  /** iperf3 from the namespace of {@code clientPid} to {@code addr} for 4 s; bits/s received (-R: sent by the server). */
  private static double iperf(long clientPid, String addr, boolean reverse) throws Exception {
    String json = sh("nsenter -t " + clientPid + " -n iperf3 -c " + addr + " -p 5299 -t 4 -O 1 -J" + (reverse ? " -R" : ""));
    double bits = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(json).path("end")
        .path("sum_received").path("bits_per_second").asDouble();
    if (!near10Mbit(bits)) {
      System.out.println("iperf3" + (reverse ? " -R" : "") + " said: " + json);
    }
    return bits;
  }

  private static long runningPid(String service) {
    JsonNode tasks;
    String serviceId;
    try {
      tasks = node.get("/tasks");
      serviceId = node.get("/services/" + service).path("ID").asText();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    for (JsonNode t : tasks) {
      if (t.path("Status").path("State").asText().equals("running")
          && t.path("ServiceID").asText().equals(serviceId)) {
        return t.path("Status").path("ContainerStatus").path("PID").asLong();
      }
    }
    return 0;
  }

  private static String sh(String command) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(command + " failed: " + out);
    }
    return out;
  }

  @Test
  void writingPastASizedVolumeIsEnospcAndReported() throws Exception {
    CliRun created = jswarm("volume", "create", "--opt", "size=10M", "quota10");
    assertEquals(0, created.rc(), created.out() + created.err());
    created = jswarm("service", "create", "-d", "--name", "filler", "--mount", "type=volume,source=quota10,target=/data",
        "--stop-grace-period", "1s", ContainerClusterTest.IMAGE,
        "sh", "-c", "dd if=/dev/zero of=/data/big bs=1M count=20; echo dd=$?; exec sleep 600");
    assertEquals(0, created.rc(), created.out() + created.err());
    String[] ps = {""};
    await(CONVERGE, "service ps showing the full volume", () -> {
      ps[0] = jswarm("service", "ps", "--no-trunc", "filler").out();
      return ps[0].contains("volume quota10 full (10MiB limit");
    });
    String[] logs = {""};
    await(CONVERGE, "dd's error in the logs", () -> {
      CliRun r = jswarm("service", "logs", "filler");
      logs[0] = r.out() + r.err();
      return logs[0].contains("dd=1");
    });
    assertTrue(logs[0].contains("No space left on device"), logs[0]);
    JsonNode v = node.get("/volumes/quota10?size=1");
    assertEquals("10M", v.path("Options").path("size").asText());
    long used = v.path("UsageData").path("Size").asLong();
    assertTrue(used >= 9L << 20 && used <= 10L << 20, "usage " + used + ": " + v);
    assertTrue(jswarm("volume", "inspect", "quota10").out().contains("\"UsageData\""));
    // docker system df: the loop volume counted with its size and the task using it
    DockerCli docker = new DockerCli(node.host());
    String df = docker.run("system", "df").ok().out();
    assertTrue(java.util.regex.Pattern.compile("(?m)^Local Volumes\\s+1\\s+1\\s+(9\\.|10\\.)\\d*MB").matcher(df).find(),
        df);
    String verbose = docker.run("system", "df", "-v").ok().out();
    assertTrue(java.util.regex.Pattern.compile("(?m)^quota10\\s+1\\s+(9\\.|10\\.)\\d*MB").matcher(verbose).find(),
        verbose);
    JsonNode sysDf = node.get("/system/df");
    JsonNode dfVolume = sysDf.path("Volumes").path(0);
    assertEquals("quota10", dfVolume.path("Name").asText(), sysDf.toString());
    assertEquals(1, dfVolume.path("UsageData").path("RefCount").asLong(), sysDf.toString());
    assertEquals(used, dfVolume.path("UsageData").path("Size").asLong(), sysDf.toString());

    assertEquals(0, jswarm("service", "rm", "filler").rc());
    CliRun[] rm = {null};
    await(CONVERGE, "the volume released and removed", () -> {
      rm[0] = jswarm("volume", "rm", "quota10");
      return rm[0].rc() == 0;
    });
    assertEquals(java.util.List.of(), io.jswarm.linux.Mounts.mountsUnder(cluster.baseDir().resolve("l1")),
        "no mount left under the node's data root");
    assertTrue(io.jswarm.linux.LoopDevices.backingFiles().values().stream()
        .noneMatch(f -> f.startsWith(cluster.baseDir().toString())), io.jswarm.linux.LoopDevices.backingFiles()
        .toString());
  }
}
