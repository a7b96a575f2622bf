package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.json.Json;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import io.jswarm.linux.Mounts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real containers end to end: one {@code jswarm daemon} process with the container executor (runc), an image
 * imported through the API from the host's static busybox, and a busybox httpd service published in host mode
 * that answers HTTP on the node; scale 3 -> 6 -> 1; the daemon killed with SIGKILL while its containers keep
 * serving, then restarted and adopting them; {@code service rm} leaving no container, mount, cgroup, bundle,
 * netns or veth behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerClusterTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  /** A loopback registry that does not answer: the image is imported, never pulled from the internet. */
  static final String IMAGE = "127.0.0.1:9/jswarm/busybox:1";
  /**
   * A ContainerSpec field for test services that are not about stopping: their busybox {@code sleep} or
   * {@code httpd} is PID 1 of its container and ignores SIGTERM, so each stop would wait out Docker's default 10 s
   * grace before the SIGKILL. The CLI's form: {@code --stop-grace-period 1s}.
   */
  static final String SHORT_STOP = "\"StopGracePeriod\":1000000000";

  private static final String TAG = UUID.randomUUID().toString().substring(0, 6);
  private static final String CGROUP_PARENT = "jswarm-ctest-" + TAG;
  private static final String BRIDGE = "jswct" + TAG;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static ProcessCluster cluster;
  private static Daemon node;
  private static String serviceId;

  @BeforeAll
  static void startNode() throws Exception {
    int third = 200 + Math.floorMod(TAG.hashCode(), 50);
    cluster = new ProcessCluster().executor("container").daemonArgs("--cgroup-parent", CGROUP_PARENT,
        "--bridge-name", BRIDGE, "--bridge-subnet", "172.31." + third + ".0/24");
    node = cluster.init("c1");
    importBusybox(cluster, node);
  }

  @AfterAll
  static void tearDown() throws Exception {
    leaveAndRemoveLeftovers(cluster, node, BRIDGE, CGROUP_PARENT);
  }

  /**
   * Closes {@code cluster}, then — belt and braces after a failed test — kills what still runs in the test's
   * cgroups and removes its mounts, bridge, nftables table and cgroups: nothing of a test may stay on the machine.
   */
  /** Imports the busybox rootfs into {@code node} as {@code 127.0.0.1:9/jswarm/busybox:1}, the image these tests run. */
  static void importBusybox(ProcessCluster cluster, ProcessCluster.Daemon node) throws Exception {
    byte[] rootfs = busyboxRootfsTar(cluster.baseDir().resolve("rootfs"));
    String q = "fromSrc=-&repo=" + URLEncoder.encode("127.0.0.1:9/jswarm/busybox", StandardCharsets.UTF_8) + "&tag=1";
    node.callBytes("POST", "/images/create?" + q, rootfs, "application/x-tar").expect(200);
  }

  /** Makes a live {@code node} leave its swarm (removing its tasks), then {@link #closeAndRemoveLeftovers}. */
  static void leaveAndRemoveLeftovers(ProcessCluster cluster, ProcessCluster.Daemon node, String bridge,
      String cgroupParent) throws Exception {
    try {
      if (node != null && node.alive()) {
        node.call("POST", "/swarm/leave?force=true", null);
      }
    } finally {
      closeAndRemoveLeftovers(cluster, bridge, cgroupParent);
    }
  }

  static void closeAndRemoveLeftovers(ProcessCluster cluster, String bridge, String cgroupParent) throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    for (String pid : containerProcesses(cgroupParent)) {
      new ProcessBuilder("kill", "-9", pid).start().waitFor();
    }
    if (cluster != null) {
      for (Path m : Mounts.mountsUnder(cluster.baseDir())) {
        Mounts.unmount(m, true);
      }
    }
    new ProcessBuilder("sh", "-c", "ip link del " + bridge + " 2>/dev/null; nft delete table ip " + bridge
        + " 2>/dev/null; for d in /sys/fs/cgroup/*/" + cgroupParent
        + "; do [ -d $d ] && rmdir $d/* $d 2>/dev/null; done; true").start().waitFor();
  }

  @Test
  @Order(0)
  void containersRunUnderTheDefaultSeccompProfileAndABrokenProfileIsRefused() throws Exception {
    String bad = "{\"Name\":\"probe\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"" + IMAGE + "\","
        + "\"Privileges\":{\"Seccomp\":{\"Mode\":\"custom\",\"Profile\":\"{\\\"defaultAction\\\":1}\"}}}}}";
    String refused = node.call("POST", "/services/create", bad).expect(400).body();
    assertTrue(refused.contains("Spec.TaskTemplate.ContainerSpec.Privileges.Seccomp.Profile: defaultAction"), refused);
    String probe = "{\"Name\":\"probe\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"" + IMAGE + "\","
        + SHORT_STOP + ","
        + "\"Args\":[\"sh\",\"-c\",\"grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; unshare -Urn true; "
        + "echo unshare=$?; sleep 600\"]}}}";
    String id = node.call("POST", "/services/create", probe).expect(201).json().path("ID").asText();
    String[] log = {""};
    await(CONVERGE, "the probe's output", () -> {
      log[0] = containerLogs();
      return log[0].contains("unshare=");
    });
    assertTrue(log[0].contains("Seccomp:\\t2") && log[0].contains("NoNewPrivs:\\t1")
        && log[0].contains("unshare=1") && log[0].contains("Operation not permitted"), log[0]);
    node.call("DELETE", "/services/" + id, null).expect(200);
    await(CONVERGE, "the probe container gone", () -> containers().isEmpty()
        && children(node.dataRoot.resolve("containers")).isEmpty());
  }

  /** Every container log of the node, concatenated (json-file lines). */
  private static String containerLogs() {
    StringBuilder out = new StringBuilder();
    for (String c : children(node.dataRoot.resolve("containers"))) {
      try {
        out.append(Files.readString(node.dataRoot.resolve("containers").resolve(c).resolve("json.log")));
      } catch (IOException notYet) {
        // not written yet
      }
    }
    return out.toString();
  }

  @Test
  @Order(1)
  void threeReplicasAnswerHttpOnTheirHostPorts() throws Exception {
    String spec = "{\"Name\":\"web\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"" + IMAGE + "\","
        + SHORT_STOP + ",\"Args\":[\"httpd\",\"-f\",\"-p\",\"80\",\"-h\",\"/www\"]}},"
        + "\"Mode\":{\"Replicated\":{\"Replicas\":3}},"
        + "\"EndpointSpec\":{\"Ports\":[{\"Protocol\":\"tcp\",\"TargetPort\":80,\"PublishMode\":\"host\"}]}}";
    serviceId = node.call("POST", "/services/create", spec).expect(201).json().path("ID").asText();
    await(CONVERGE, "3 running web tasks with a published port", () -> publishedPorts().size() == 3);
    for (int port : publishedPorts().values()) {
      assertEquals("hello from jswarm\n", httpGet(port));
    }
    assertEquals(3, containers().size(), "one container per task");
    JsonNode info = node.get("/info");
    assertEquals(3, info.path("ContainersRunning").asInt(), info.toString());
    assertEquals(3, info.path("Containers").asInt());
    assertEquals(1, info.path("Images").asInt(), "the imported busybox");
    assertEquals(node.dataRoot.toString(), info.path("DockerRootDir").asText());
    assertEquals("runc", info.path("DefaultRuntime").asText());
  }

  @Test
  @Order(2)
  void scaleUpThenDownRemovesTheSurplusContainers() throws Exception {
    scale(6);
    await(CONVERGE, "6 running web tasks", () -> publishedPorts().size() == 6);
    for (int port : publishedPorts().values()) {
      assertEquals("hello from jswarm\n", httpGet(port));
    }
    scale(1);
    await(CONVERGE, "1 running web task and 1 httpd left",
        () -> publishedPorts().size() == 1 && containers().size() == 1);
    assertEquals("hello from jswarm\n", httpGet(publishedPorts().values().iterator().next()));
  }

  @Test
  @Order(3)
  void containersOutliveAKilledDaemonAndAreAdoptedWhenItReturns() throws Exception {
    Map<String, Integer> before = publishedPorts();
    Map<String, Long> pidsBefore = pids();
    node.kill();
    int port = before.values().iterator().next();
    assertEquals("hello from jswarm\n", httpGet(port), "the container still serves with its daemon dead");
    node.relaunch();
    await(CONVERGE, "the task reported running again by the restarted daemon",
        () -> pids().equals(pidsBefore) && publishedPorts().equals(before));
    assertEquals("hello from jswarm\n", httpGet(port));
    assertEquals(1, containers().size(), "adopted, not replaced");
  }

  /**
   * Issue 12: a kernel without a weight-based I/O scheduler (no BFQ) has no blkio weight file. Like Docker, the
   * node discards the weight and runs the task, says so in the task's status message, reports the missing feature
   * in its description, and service create answers a warning naming the node. Where the kernel has the file, the
   * weight is written there. Which case applies is read off the task's own blkio cgroup, not off the daemon.
   */
  @Test
  @Order(4)
  void aBlkioWeightIsWrittenWhereTheKernelHasOneAndDiscardedWithAWarningWhereNot() throws Exception {
    String spec = "{\"Name\":\"weighted\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"" + IMAGE + "\","
        + SHORT_STOP + ","
        + "\"Args\":[\"sleep\",\"600\"]},\"Resources\":{\"Limits\":{\"BlkioWeight\":300}}},"
        + "\"Mode\":{\"Replicated\":{\"Replicas\":1}}}";
    JsonNode created = node.call("POST", "/services/create", spec).expect(201).json();
    String id = created.path("ID").asText();
    try {
      JsonNode[] task = new JsonNode[1];
      await(CONVERGE, "the weighted task running", () -> (task[0] = runningTask(id)) != null);
      Path cgroup = Path.of("/sys/fs/cgroup/blkio", CGROUP_PARENT, task[0].path("ID").asText());
      assertTrue(Files.isDirectory(cgroup), cgroup + " (the task's blkio cgroup)");
      Path weight = Stream.of("blkio.weight", "blkio.bfq.weight").map(cgroup::resolve).filter(Files::exists)
          .findFirst().orElse(null);
      JsonNode missing = node.get("/nodes").get(0).path("Description").path("Engine").path("MissingFeatures");
      String message = task[0].path("Status").path("Message").asText();
      JsonNode warnings = node.get("/info").path("Warnings");
      if (weight != null) {
        assertEquals("300", Files.readString(weight).trim().replaceFirst("^default ", ""), weight.toString());
        assertTrue(created.path("Warnings").isNull(), created.toString());
        assertTrue(missing.path("BlkioWeight").isMissingNode(), missing.toString());
        assertEquals("started", message);
        assertEquals(0, warnings.size(), warnings.toString());
      } else {
        assertEquals("[\"WARNING: No blkio weight support\"]", warnings.toString(), "docker info's warning");
        assertTrue(missing.path("BlkioWeight").asText().contains("blkio.bfq.weight"), missing.toString());
        assertEquals(1, created.path("Warnings").size(), created.toString());
        String warning = created.path("Warnings").get(0).asText();
        assertTrue(warning.startsWith("Resources.Limits.BlkioWeight: node c1 cannot honour it"), warning);
        assertTrue(message.startsWith("started (warning: Resources.Limits.BlkioWeight 300 discarded: your kernel "
            + "does not support Block I/O weight"), message);
      }
    } finally {
      node.call("DELETE", "/services/" + id, null).expect(200);
    }
    await(CONVERGE, "the weighted task's container gone", () -> containers().size() == 1);
  }

  static JsonNode runningTask(String service) {
    try {
      for (JsonNode t : node.get("/tasks")) {
        if (t.path("ServiceID").asText().equals(service) && t.path("Status").path("State").asText().equals("running")) {
          return t;
        }
      }
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  @Order(5)
  void serviceRmLeavesNothingBehind() throws Exception {
    await(CONVERGE, "the restarted manager to answer", () -> tasks().size() == 1);
    node.call("DELETE", "/services/" + serviceId, null).expect(200);
    await(CONVERGE, "no container left", () -> containerProcesses().isEmpty()
        && children(node.execRoot.resolve("containers")).isEmpty()
        && children(node.dataRoot.resolve("containers")).isEmpty()
        && children(node.execRoot.resolve("netns")).isEmpty());
    assertEquals(List.of(), Mounts.mountsUnder(cluster.baseDir()), "mounts left");
    assertEquals(List.of(), cgroupDirs(), "cgroups left");
    assertEquals("", sh("ip -o link show master " + BRIDGE), "veths left on the bridge");
  }

  @Test
  @Order(6)
  void leaveRemovesTheCgroupParent() throws Exception {
    node.call("POST", "/swarm/leave?force=true", null).expect(200);
    List<Path> parents = new ArrayList<>();
    try (DirectoryStream<Path> hs = Files.newDirectoryStream(Path.of("/sys/fs/cgroup"))) {
      for (Path h : hs) {
        if (Files.isDirectory(h.resolve(CGROUP_PARENT))) {
          parents.add(h.resolve(CGROUP_PARENT));
        }
      }
    }
    assertEquals(List.of(), parents, "cgroup parent directories left after leave");
  }

  // ---- helpers ----

  static void scale(int replicas) throws IOException {
    JsonNode s = node.get("/services/" + serviceId);
    ObjectNode spec = (ObjectNode) s.path("Spec");
    ((ObjectNode) spec.path("Mode").path("Replicated")).put("Replicas", replicas);
    node.call("POST", "/services/" + serviceId + "/update?version=" + s.path("Version").path("Index").asLong(),
        spec.toString()).expect(200);
  }

  /** Running tasks of the service -> the host port published for each. */
  static Map<String, Integer> publishedPorts() {
    Map<String, Integer> out = new HashMap<>();
    for (JsonNode t : tasks()) {
      JsonNode ports = t.path("Status").path("PortStatus").path("Ports");
      if (ports.size() == 1 && ports.get(0).path("PublishedPort").asInt() > 0) {
        out.put(t.path("ID").asText(), ports.get(0).path("PublishedPort").asInt());
      }
    }
    return out;
  }

  static Map<String, Long> pids() {
    Map<String, Long> out = new HashMap<>();
    for (JsonNode t : tasks()) {
      out.put(t.path("ID").asText(), t.path("Status").path("ContainerStatus").path("PID").asLong());
    }
    return out;
  }

  static List<JsonNode> tasks() {
    try {
      List<JsonNode> out = new ArrayList<>();
      ProcessCluster.Answer a = node.call("GET", "/tasks", null);
      if (a.status() != 200) {
        throw new IllegalStateException("GET /tasks: " + a.status() + " " + a.body()); // await retries
      }
      for (JsonNode t : a.json()) {
        if (t.path("ServiceID").asText().equals(serviceId) && t.path("DesiredState").asText().equals("running")
            && t.path("Status").path("State").asText().equals("running")) {
          out.add(t);
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String httpGet(int port) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  /**
   * Containers with a live process: the distinct task cgroups under this test's parent (counting processes would
   * also count the short-lived child busybox httpd forks for each request).
   */
  static java.util.Set<String> containers() {
    java.util.Set<String> out = new java.util.TreeSet<>();
    for (String pid : containerProcesses()) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", pid, "cgroup"))) {
          int at = line.indexOf("/" + CGROUP_PARENT + "/");
          if (at >= 0) {
            out.add(line.substring(at + CGROUP_PARENT.length() + 2).split("/")[0]);
          }
        }
      } catch (IOException gone) {
        // exited meanwhile
      }
    }
    return out;
  }

  /** Processes in this test's cgroups: the containers' own processes. */
  static List<String> containerProcesses() {
    return containerProcesses(CGROUP_PARENT);
  }

  /** Processes in the cgroups under {@code cgroupParent}. */
  static List<String> containerProcesses(String cgroupParent) {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : ds) {
        try {
          if (Files.readString(p.resolve("cgroup")).contains("/" + cgroupParent + "/")) {
            out.add(p.getFileName().toString());
          }
        } catch (IOException gone) {
          // exited meanwhile
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static List<Path> cgroupDirs() throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> hs = Files.newDirectoryStream(Path.of("/sys/fs/cgroup"))) {
      for (Path h : hs) {
        Path p = h.resolve(CGROUP_PARENT);
        if (Files.isDirectory(p)) {
          try (Stream<Path> s = Files.list(p)) {
            s.filter(Files::isDirectory).forEach(out::add);
          }
        }
      }
    }
    return out;
  }

  static List<String> children(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sh(String command) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor();
    return out;
  }

  /** A root filesystem tarball: the host's static busybox with its applet links, and /www/index.html. */
  static byte[] busyboxRootfsTar(Path dir) throws Exception {
    Files.createDirectories(dir.resolve("bin"));
    Files.copy(Path.of("/bin/busybox"), dir.resolve("bin/busybox"));
    for (String applet : List.of("sh", "httpd", "wget", "cat", "echo", "sleep", "ls", "tty", "id")) {
      Files.createSymbolicLink(dir.resolve("bin").resolve(applet), Path.of("busybox"));
    }
    for (String d : List.of("etc", "tmp", "www", "proc", "sys", "dev")) {
      Files.createDirectories(dir.resolve(d));
    }
    Files.writeString(dir.resolve("www/index.html"), "hello from jswarm\n");
    Path tar = dir.resolveSibling("rootfs.tar");
    Process p = new ProcessBuilder("tar", "-C", dir.toString(), "-cf", tar.toString(), ".").inheritIO().start();
    assertEquals(0, p.waitFor(), "tar");
    assertTrue(Files.size(tar) > 1_000_000);
    return Files.readAllBytes(tar);
  }

  static {
    Json.mapper(); // load the codec before the first timed wait
  }
}
