package io.jswarm.worker.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Healthcheck;
import io.jswarm.api.types.Limit;
import io.jswarm.api.types.Mount;
import io.jswarm.api.types.ResourceRequirements;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.linux.Mounts;
import io.jswarm.worker.agent.TaskRuntime;
import io.jswarm.worker.network.TaskNetworking;
import io.jswarm.worker.volume.VolumeProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The container executor on this machine's runc with a busybox image: output, exit codes, OOM, pids limit,
 * stop, adoption by a restarted executor, reconcile, health checks, networking. After each test nothing may be
 * left: no mount under the test roots, no cgroup, no process.
 */
class ContainerExecutorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private Path root;
  private String cgroupParent;
  private ContainerConfig config;
  private BusyboxImage image;
  private TestVolumes volumes;
  private final List<ContainerExecutor> executors = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    String tag = UUID.randomUUID().toString().substring(0, 8);
    root = Files.createTempDirectory("hexec-" + tag);
    cgroupParent = "jswarm-hexec-test-" + tag;
    config = new ContainerConfig(root.resolve("data"), root.resolve("exec"), cgroupParent, runtime(), 4096, 3);
    image = new BusyboxImage(root.resolve("image"), null);
    volumes = new TestVolumes(root.resolve("volumes"));
  }

  String runtime() {
    return "runc";
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      ContainerExecutor cleaner = executor();
      cleaner.retainOnly(Set.of());
      for (ContainerExecutor e : executors) {
        e.close();
      }
      assertNothingLeft(root, cgroupParent, config);
      assertEquals(Set.of(), volumes.users, "volume users left");
    } finally {
      forceCleanup(root, cgroupParent);
    }
  }

  /** No mount under {@code root}, no process of the test, no cgroup, bundle or container directory left. */
  static void assertNothingLeft(Path root, String cgroupParent, ContainerConfig config) throws IOException {
    assertEquals(List.of(), Mounts.mountsUnder(root), "mounts left under " + root);
    assertEquals(List.of(), processesOf(root, cgroupParent), "processes left");
    List<Path> cgroups = new ArrayList<>();
    for (Path h : Cgroups.hierarchies()) {
      Path p = h.resolve(cgroupParent);
      if (Files.isDirectory(p)) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(p, Files::isDirectory)) {
          ds.forEach(cgroups::add);
        }
      }
    }
    assertEquals(List.of(), cgroups, "cgroups left");
    assertEquals(List.of(), ContainerExecutor.children(config.bundleDir("x").getParent()), "bundles left");
    assertEquals(List.of(), ContainerExecutor.children(config.stateDir("x").getParent()), "container dirs left");
  }

  /** Removes whatever a failed test left, so that one failure does not leak into the machine. */
  static void forceCleanup(Path root, String cgroupParent) throws Exception {
    for (String pid : processesOf(root, cgroupParent)) {
      new ProcessBuilder("kill", "-9", pid).start().waitFor();
    }
    for (Path m : Mounts.mountsUnder(root)) {
      Mounts.unmount(m, true);
    }
    for (Path h : Cgroups.hierarchies()) {
      Path p = h.resolve(cgroupParent);
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.walk(p)) {
          s.filter(Files::isDirectory).sorted((a, b) -> b.toString().length() - a.toString().length())
              .forEach(d -> d.toFile().delete());
        }
      }
    }
    new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
  }

  /** Pids of processes in the test's cgroups or running from the test's directories. */
  static List<String> processesOf(Path root, String cgroupParent) throws IOException {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : ds) {
        try {
          String cg = Files.readString(p.resolve("cgroup"));
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          if (cg.contains("/" + cgroupParent + "/") || cmd.contains(root.toString())) {
            out.add(p.getFileName().toString());
          }
        } catch (IOException gone) {
          // exited meanwhile
        }
      }
    }
    return out;
  }

  private ContainerExecutor executor() throws IOException {
    ContainerExecutor e = new ContainerExecutor(config, image, TaskNetworking.NONE, volumes, Clock.systemUTC());
    executors.add(e);
    return e;
  }

  static Task task(List<String> args) {
    Task t = new Task();
    t.id = UUID.randomUUID().toString().replace("-", "").substring(0, 25);
    t.spec = new TaskSpec();
    t.spec.containerSpec = new ContainerSpec();
    t.spec.containerSpec.image = "busybox";
    t.spec.containerSpec.args = args;
    return t;
  }

  static Limit limits(Task t) {
    t.spec.resources = new ResourceRequirements();
    t.spec.resources.limits = new Limit();
    return t.spec.resources.limits;
  }

  private static TaskRuntime.Exit await(TaskRuntime r, long seconds) throws Exception {
    return r.exit().get(seconds, TimeUnit.SECONDS);
  }

  private List<JsonNode> logLines(String taskId) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(config.stateDir(taskId).resolve("json.log"))) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  @Test
  void runsTheCommandAndLogsItsOutputInJsonFileFormat() throws Exception {
    ContainerExecutor ex = executor();
    Task t = task(List.of("sh", "-c", "echo hello; echo \"oops \\\"quoted\\\"\" >&2; echo $HOSTNAME; exit 3"));
    TaskRuntime r = ex.runtime(t);
    r.prepare();
    r.start();
    assertEquals(t.id, r.containerId());
    TaskRuntime.Exit x = await(r, 10);
    assertEquals(new TaskRuntime.Exit(3, false, null), x);
    List<JsonNode> lines = logLines(t.id);
    assertEquals(3, lines.size(), lines.toString());
    assertEquals("hello\n", lines.get(0).get("log").asText());
    assertEquals("stdout", lines.get(0).get("stream").asText());
    JsonNode err = lines.stream().filter(l -> l.get("stream").asText().equals("stderr")).findFirst().orElseThrow();
    assertEquals("oops \"quoted\"\n", err.get("log").asText());
    Instant.parse(err.get("time").asText()); // RFC 3339, UTC
    assertTrue(err.get("time").asText().endsWith("Z"));
    assertTrue(lines.stream().anyMatch(l -> l.get("log").asText().equals(t.id.substring(0, 12) + "\n")),
        "default hostname is the id's first 12 characters: " + lines);
    r.remove();
    assertFalse(Files.exists(config.stateDir(t.id)));
  }

  @Test
  void devicesOutsideTheDefaultSetCannotBeOpenedEvenWithMknod() throws Exception {
    // /dev/loop-control (misc 10:237): root on the host can open it; a container may create a node for it (as
    // Docker allows mknod) but the devices cgroup must refuse to open it
    try (var in = Files.newInputStream(Path.of("/dev/loop-control"))) {
      assertTrue(in != null, "the host can open /dev/loop-control, so a refusal below is the cgroup's");
    }
    ContainerExecutor ex = executor();
    Task t = task(List.of("sh", "-c", "mknod /dev/jswarm-lc c 10 237 && echo made; "
        + "if true </dev/jswarm-lc; then echo OPENED; else echo DENIED; fi; true </dev/null && echo null-ok"));
    TaskRuntime r = ex.runtime(t);
    r.prepare();
    r.start();
    assertEquals(0, await(r, 10).exitCode());
    List<String> out = logLines(t.id).stream().filter(l -> l.get("stream").asText().equals("stdout"))
        .map(l -> l.get("log").asText().trim()).toList();
    assertEquals(List.of("made", "DENIED", "null-ok"), out);
    r.remove();
  }

  /** The container's stdout lines, trimmed. */
  private List<String> stdout(String taskId) throws IOException {
    return logLines(taskId).stream().filter(l -> l.get("stream").asText().equals("stdout"))
        .map(l -> l.get("log").asText().trim()).toList();
  }

  private static final String SANDBOX_PROBE = "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status; "
      + "unshare -Urn true; echo unshare=$?; exit 0";

  @Test
  void theDefaultSeccompProfileAndNoNewPrivsRefuseUnshare() throws Exception {
    ContainerExecutor ex = executor();
    Task t = task(List.of("sh", "-c", SANDBOX_PROBE));
    TaskRuntime r = ex.runtime(t);
    r.prepare();
    r.start();
    assertEquals(0, await(r, 10).exitCode());
    List<String> out = stdout(t.id);
    assertTrue(out.stream().anyMatch(l -> l.matches("NoNewPrivs:\\s+1")), "no_new_privs set: " + out);
    assertTrue(out.stream().anyMatch(l -> l.matches("Seccomp:\\s+2")), "seccomp filter mode 2: " + out);
    assertTrue(out.contains("unshare=1"), "unshare refused: " + out);
    String errors = logLines(t.id).stream().filter(l -> l.get("stream").asText().equals("stderr"))
        .map(l -> l.get("log").asText()).reduce("", String::concat);
    assertTrue(errors.contains("Operation not permitted"), "EPERM: " + errors);
    r.remove();
  }

  @Test
  void seccompUnconfinedAndNoNewPrivilegesFalseLetUnshareWork() throws Exception {
    ContainerExecutor ex = executor();
    Task t = task(List.of("sh", "-c", SANDBOX_PROBE));
    t.spec.containerSpec.privileges = new ContainerSpec.Privileges();
    t.spec.containerSpec.privileges.seccomp = new ContainerSpec.SeccompOpts();
    t.spec.containerSpec.privileges.seccomp.mode = "unconfined";
    t.spec.containerSpec.privileges.noNewPrivileges = false;
    TaskRuntime r = ex.runtime(t);
    r.prepare();
    r.start();
    assertEquals(0, await(r, 10).exitCode());
    List<String> out = stdout(t.id);
    assertTrue(out.stream().anyMatch(l -> l.matches("NoNewPrivs:\\s+0")), out.toString());
    assertTrue(out.stream().anyMatch(l -> l.matches("Seccomp:\\s+0")), out.toString());
    assertTrue(out.contains("unshare=0"), "unshare works without the filter: " + out);
    r.remove();
  }

  @Test
  void aCustomProfileIsApplied() throws Exception {
    ContainerExecutor ex = executor();
    // everything allowed but mkdir/mkdirat, which fail with EACCES (13)
    Task t = task(List.of("sh", "-c", "mkdir /tmp/x; echo mkdir=$?; grep -E '^Seccomp:' /proc/self/status"));
    t.spec.containerSpec.privileges = new ContainerSpec.Privileges();
    t.spec.containerSpec.privileges.seccomp = new ContainerSpec.SeccompOpts();
    t.spec.containerSpec.privileges.seccomp.mode = "custom";
    t.spec.containerSpec.privileges.seccomp.profile = java.util.Base64.getEncoder().encodeToString(
        ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],"
            + "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}").getBytes(StandardCharsets.UTF_8));
    TaskRuntime r = ex.runtime(t);
    r.prepare();
    r.start();
    assertEquals(0, await(r, 10).exitCode());
    List<String> out = stdout(t.id);
    assertTrue(out.contains("mkdir=1"), out.toString());
    assertTrue(out.stream().anyMatch(l -> l.matches("Seccomp:\\s+2")), out.toString());
    String errors = logLines(t.id).stream().map(l -> l.get("log").asText()).reduce("", String::concat);
    assertTrue(errors.contains("Permission denied"), errors);
    r.remove();
  }

  @Test
  void aSetuidBinaryMadeInAContainerIsOutOfReachOfHostUsers() throws Exception {
    // the test roots as a careless admin might leave a data root: world-traversable; only the container
    // directories themselves may keep host users out
    for (Path p : List.of(root, root.resolve("data"), root.resolve("exec"))) {
      Files.createDirectories(p);
      Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    ContainerExecutor ex = executor();
    Task t = task(List.of("sh", "-c", "cp /bin/busybox /tmp/suid && chmod 4755 /tmp/suid && echo ready && sleep 600"));
    TaskRuntime r = ex.runtime(t);
    r.prepare();
    r.start();
    assertTrue(ContainerExecutor.waitFor(() -> Files.exists(config.stateDir(t.id).resolve("json.log"))
        && stdout(t.id).contains("ready"), 10_000), "the container made its setuid binary");
    Path inUpper = config.stateDir(t.id).resolve("upper/tmp/suid");
    Path inRootfs = config.bundleDir(t.id).resolve("rootfs/tmp/suid");
    for (Path p : List.of(inUpper, inRootfs)) {
      assertTrue(Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE)
          && (Integer) Files.getAttribute(p, "unix:mode") >= 04000, "root sees the setuid binary at " + p);
      Process nobody = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
          "/bin/sh", "-c", "if test -e " + p + "; then echo REACHED; fi; " + p + " id -u")
          .redirectErrorStream(true).start();
      String said = new String(nobody.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(nobody.waitFor(10, TimeUnit.SECONDS));
      assertTrue(nobody.exitValue() != 0 && !said.contains("REACHED") && said.contains("Permission denied"),
          "user nobody must not reach " + p + ": exit " + nobody.exitValue() + " " + said);
    }
    for (Path d : List.of(config.stateDir(t.id), config.bundleDir(t.id), config.stateDir(t.id).getParent(),
        config.bundleDir(t.id).getParent(), config.runtimeRoot())) {
      assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
          Files.getPosixFilePermissions(d)), d.toString());
    }
    r.shutdown(Duration.ofMillis(100));
    r.remove();
  }

  @Test
  void anImageWhosePasswdLinksToProcKcoreIsRefusedForANamedUser() throws Exception {
    image = new BusyboxImage(root.resolve("kcore-image"), null);
    Path passwd = root.resolve("kcore-image/layer0/etc/passwd");
    Files.delete(passwd);
    Files.createSymbolicLink(passwd, Path.of("/proc/kcore"));
    ContainerExecutor ex = executor();
    Task t = task(List.of("id"));
    t.spec.containerSpec.user = "nobody";
    TaskRuntime r = ex.runtime(t);
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        r::prepare);
    assertTrue(e.getMessage().contains("ContainerSpec.User: no user \"nobody\" in the image's /etc/passwd "
        + "(/etc/passwd links to /proc/kcore"), e.getMessage());
    assertFalse(Files.exists(config.stateDir(t.id)), "a refused prepare leaves nothing");
  }

  @Test
  void rotatesTheLogBySize() throws Exception {
    ContainerExecutor ex = executor(); // 4096 bytes x 3 files
    Task t = task(List.of("sh", "-c", "for i in $(seq 1 300); do echo line-$i; done"));
    TaskRuntime r = ex.runtime(t);
    r.prepare();
    r.start();
    assertEquals(0, await(r, 10).exitCode());
    Path dir = config.stateDir(t.id);
    assertTrue(Files.size(dir.resolve("json.log")) <= 4096);
    assertTrue(Files.exists(dir.resolve("json.log.1")));
    assertTrue(Files.exists(dir.resolve("json.log.2")));
    assertFalse(Files.exists(dir.resolve("json.log.3")));
    assertTrue(Files.readString(dir.resolve("json.log")).contains("line-300\\n"));
    r.remove();
  }

  @Test
  void aMemoryHogUnderALimitIsOomKilledWithExit137() throws Exception {
    ContainerExecutor ex = executor();
    Task t = task(List.of("dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"));
    limits(t).memoryBytes = 16L * 1024 * 1024;
    TaskRuntime r = ex.runtime(t);
    r.prepare();
    r.start();
    assertEquals(new TaskRuntime.Exit(137, true, null), await(r, 20));
    r.remove();
  }

  @Test
  void aForkBombStopsAtThePidsLimitAndTheBlkioWeightIsSetOrDiscarded() throws Exception {
    ContainerExecutor ex = executor();
    // The bomb runs in a subshell that dies when a fork fails; init then waits without forking (exec).
    Task t = task(List.of("sh", "-c", "(for i in $(seq 1 60); do sleep 60 & done); exec sleep 60"));
    Limit limits = limits(t);
    limits.pids = 10L;
    limits.blkioWeight = 300L;
    TaskRuntime r = ex.runtime(t);
    r.prepare();
    r.start();
    // Which case applies is read off the task's own blkio cgroup: the weight file is there only where the kernel
    // has a weight-based I/O scheduler (BFQ). Where it is not, the weight is discarded as Docker does: the container
    // runs (checked below) and the runtime says why in its warnings.
    Path blkio = Cgroups.ROOT.resolve("blkio").resolve(cgroupParent).resolve(t.id);
    assertTrue(Files.isDirectory(blkio), blkio + " (the task's blkio cgroup)");
    if (Files.exists(blkio.resolve("blkio.weight")) || Files.exists(blkio.resolve("blkio.bfq.weight"))) {
      assertEquals("300", Files.readString(Cgroups.blkioWeightFile(blkio)).trim().replaceFirst("^default ", ""));
      assertEquals(List.of(), r.warnings());
      assertEquals(Map.of(), ex.missingFeatures());
    } else {
      assertEquals(1, r.warnings().size(), r.warnings().toString());
      assertTrue(r.warnings().get(0).startsWith("Resources.Limits.BlkioWeight 300 discarded: your kernel does not "
          + "support Block I/O weight (this kernel has no blkio.weight or blkio.bfq.weight"), r.warnings().get(0));
      assertTrue(ex.missingFeatures().containsKey("BlkioWeight"), ex.missingFeatures().toString());
    }
    Path pids = Cgroups.ROOT.resolve("pids").resolve(cgroupParent).resolve(t.id);
    assertEquals("10", Files.readString(pids.resolve("pids.max")).trim());
    assertTrue(ContainerExecutor.waitFor(() -> Files.readString(pids.resolve("pids.events")).matches("(?s)max [1-9].*"),
        10_000), "forks were refused at the limit");
    long current = Long.parseLong(Files.readString(pids.resolve("pids.current")).trim());
    assertTrue(current <= 10, "pids.current " + current + " > 10");
    assertFalse(r.exit().isDone(), "the container survives its fork bomb");
    List<String> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
    r.onChange(() -> changes.add(String.valueOf(r.limitReached())));
    assertTrue(ContainerExecutor.waitFor(() -> r.limitReached() != null, 10_000), "the running task says so");
    assertTrue(r.limitReached().matches("pids limit 10 reached \\([0-9]+ forks? refused\\)"), r.limitReached());
    r.shutdown(Duration.ofSeconds(1));
    assertTrue(r.exit().isDone());
    assertTrue(r.limitReached().startsWith("pids limit 10 reached"), "and still after it ended: " + r.limitReached());
    r.remove();
  }

  @Test
  void stopSendsTheStopSignalThenKillsAfterTheGracePeriod() throws Exception {
    ContainerExecutor ex = executor();
    Task polite = task(List.of("sh", "-c", "trap 'exit 7' USR1; while true; do sleep 0.1; done"));
    polite.spec.containerSpec.stopSignal = "SIGUSR1";
    Task stubborn = task(List.of("sleep", "600")); // pid 1 ignores SIGTERM without a handler
    TaskRuntime p = ex.runtime(polite);
    TaskRuntime s = ex.runtime(stubborn);
    p.prepare();
    p.start();
    s.prepare();
    s.start();
    Thread.sleep(200);
    long t0 = System.nanoTime();
    p.shutdown(Duration.ofSeconds(10));
    assertEquals(7, p.exit().get().exitCode());
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
    t0 = System.nanoTime();
    s.shutdown(Duration.ofMillis(800));
    long took = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(137, s.exit().get().exitCode());
    assertFalse(s.exit().get().oomKilled());
    assertTrue(took >= 800, "killed after " + took + " ms, before the grace period");
    p.remove();
    s.remove();
  }

  @Test
  void secretsAreOnATmpfsOnlyTheContainerSeesAndConfigsAreReadOnlyFiles() throws Exception {
    String marker = "marker-" + UUID.randomUUID();
    ContainerExecutor ex = executor();
    ex.useDependencies(secretAndConfig(marker));
    Task t = task(List.of("sh", "-c", "stat -c '%a %u %g' /run/secrets/db_pass /run/secrets/tls/key; "
        + "md5sum /run/secrets/db_pass; stat -c '%a %u' /etc/app.conf; cat /etc/app.conf; "
        + "(echo x > /etc/app.conf) 2>/dev/null || echo config-read-only; echo ready; sleep 30"));
    referToSecretAndConfig(t);
    TaskRuntime r = ex.runtime(t);
    r.prepare();
    r.start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    List<String> out = List.of();
    while (System.nanoTime() < deadline && !out.contains("ready\n")) {
      Thread.sleep(100);
      out = Files.exists(config.stateDir(t.id).resolve("json.log"))
          ? logLines(t.id).stream().map(l -> l.get("log").asText()).toList() : List.of();
    }
    String md5 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
        .digest(marker.getBytes(StandardCharsets.UTF_8)));
    assertEquals(List.of("400 1000 1001\n", "444 0 0\n", md5 + "  /run/secrets/db_pass\n", "444 33\n",
        "listen 80\n", "config-read-only\n", "ready\n"), out);
    // While it runs: nothing under the data and exec roots holds the secret (its tmpfs is in the container's
    // mount namespace only), neither does the bundle.
    Process grep = new ProcessBuilder("grep", "-r", "-l", "-a", marker, root.toString()).redirectErrorStream(true).start();
    String found = new String(grep.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    grep.waitFor();
    assertEquals("", found.lines().filter(l -> !l.startsWith("grep:")).reduce("", String::concat),
        "the secret is on the node's disk");
    assertFalse(Files.readString(config.bundleDir(t.id).resolve("config.json"))
        .contains(io.jswarm.api.types.Base64Data.encode(marker.getBytes(StandardCharsets.UTF_8))));
    r.shutdown(Duration.ofSeconds(1));
    r.remove();
  }

  @Test
  void aContainerAnEarlierDaemonCreatedButNeverStartedIsDeletedWhenAdopted() throws Exception {
    io.jswarm.api.types.Secret secret = new io.jswarm.api.types.Secret();
    secret.id = "s1";
    secret.spec = new io.jswarm.api.types.Secret.Spec();
    secret.spec.name = "k";
    secret.spec.data = "eA==";
    io.jswarm.worker.agent.TaskDependencies deps = new io.jswarm.worker.agent.TaskDependencies();
    deps.apply(io.jswarm.api.dispatcher.DispatcherMessage.dependencies(true, List.of(secret), List.of(), List.of(),
        List.of()));
    ContainerExecutor first = executor();
    first.useDependencies(deps);
    Task t = task(List.of("sleep", "30"));
    ContainerSpec.SecretReference a = new ContainerSpec.SecretReference();
    a.secretId = "s1";
    a.secretName = "k";
    a.file = new ContainerSpec.FileTarget();
    a.file.name = "k";
    t.spec.containerSpec.secrets = List.of(a);
    TaskRuntime r = first.runtime(t);
    r.prepare();
    r.start();
    assertFalse(Files.exists(config.stateDir(t.id).resolve("awaiting-start")), "started: the mark is gone");
    // As if the daemon had died between create and start: the mark is there when the next daemon adopts it.
    Files.writeString(config.stateDir(t.id).resolve("awaiting-start"), "");
    first.close();
    ContainerExecutor second = executor();
    second.retainOnly(Set.of(t.id));
    TaskRuntime adopted = second.runtime(t);
    assertTrue(adopted.adopted());
    TaskRuntime.Exit x = await(adopted, 15);
    assertFalse(x.succeeded(), x.toString());
    adopted.remove();
  }

  @Test
  void aTaskWhoseSecretTheNodeWasNotGivenIsRefusedWithItsName() throws Exception {
    ContainerExecutor ex = executor();
    ex.useDependencies(new io.jswarm.worker.agent.TaskDependencies());
    Task t = task(List.of("true"));
    ContainerSpec.SecretReference a = new ContainerSpec.SecretReference();
    a.secretId = "s9";
    a.secretName = "missing";
    a.file = new ContainerSpec.FileTarget();
    a.file.name = "x";
    t.spec.containerSpec.secrets = List.of(a);
    TaskRuntime r = ex.runtime(t);
    IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, r::prepare);
    assertTrue(e.getMessage().contains("secret missing (s9) was not given to this node"), e.getMessage());
    r.remove();
  }

  @Test
  void aRestartedExecutorAdoptsARunningContainerAndSeesItsExit() throws Exception {
    ContainerExecutor first = executor();
    Task t = task(List.of("sh", "-c", "echo started; sleep 1.5; echo done; exit 5"));
    TaskRuntime r = first.runtime(t);
    r.prepare();
    r.start();
    long pid = r.pid();
    first.close(); // the daemon goes away; the container does not
    assertTrue(ContainerExecutor.alive(pid));
    ContainerExecutor second = executor();
    second.retainOnly(Set.of(t.id));
    TaskRuntime adopted = second.runtime(t);
    assertTrue(adopted.adopted());
    assertEquals(pid, adopted.pid());
    assertEquals(new TaskRuntime.Exit(5, false, null), await(adopted, 10));
    assertEquals(List.of("started\n", "done\n"), logLines(t.id).stream().map(l -> l.get("log").asText()).toList());
    adopted.remove();
  }

  @Test
  void retainOnlyRemovesContainersNobodyWants() throws Exception {
    ContainerExecutor first = executor();
    Task keep = task(List.of("sleep", "600"));
    Task drop = task(List.of("sleep", "600"));
    List<Mount> mounts = new ArrayList<>();
    Mount v = new Mount();
    v.type = "volume";
    v.source = "data";
    v.target = "/data";
    mounts.add(v);
    drop.spec.containerSpec.mounts = mounts;
    for (Task t : List.of(keep, drop)) {
      TaskRuntime r = first.runtime(t);
      r.prepare();
      r.start();
    }
    assertEquals(Set.of(drop.id), volumes.users);
    first.close();
    ContainerExecutor second = executor();
    second.retainOnly(Set.of(keep.id));
    assertFalse(Files.exists(config.bundleDir(drop.id)));
    assertFalse(Files.exists(config.stateDir(drop.id)));
    assertTrue(Files.exists(config.stateDir(keep.id).resolve("pid")));
    assertEquals(Set.of(), volumes.users);
    TaskRuntime kept = second.runtime(keep);
    assertTrue(kept.adopted());
    assertFalse(kept.exit().isDone());
    kept.remove();
  }

  @Test
  void aHealthCheckTurnsHealthyAndAnUnhealthyContainerEnds() throws Exception {
    ContainerExecutor ex = executor();
    Task good = task(List.of("sleep", "600"));
    good.spec.containerSpec.healthcheck = check(List.of("CMD-SHELL", "test -d /www"), 2);
    Task bad = task(List.of("sleep", "600"));
    bad.spec.containerSpec.healthcheck = check(List.of("CMD", "false"), 2);
    bad.spec.containerSpec.stopGracePeriod = Duration.ofMillis(100).toNanos();
    TaskRuntime g = ex.runtime(good);
    TaskRuntime b = ex.runtime(bad);
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    g.onChange(() -> seen.add(g.health()));
    g.prepare();
    g.start();
    // before the first check (one 150 ms interval after start); b's prepare and start may take longer than that
    assertEquals("starting", g.health());
    b.prepare();
    b.start();
    assertTrue(ContainerExecutor.waitFor(() -> "healthy".equals(g.health()), 10_000), "health " + g.health());
    assertTrue(seen.contains("healthy"));
    TaskRuntime.Exit x = await(b, 10);
    assertEquals("container unhealthy: health check failed 2 times in a row (last: exit code 1)", x.error());
    assertEquals("unhealthy", b.health());
    assertFalse(g.exit().isDone());
    g.remove();
    b.remove();
    assertNull(g.pid());
  }

  @Test
  void aProcessNoFileNamesInAnUnassignedTasksCgroupIsKilledOnReconcile() throws Exception {
    ContainerExecutor ex = executor();
    // What a daemon killed in the middle of a start can leave: the task's cgroup with a process in it, no pid file
    Path cg = Path.of("/sys/fs/cgroup/pids", cgroupParent, "orphan1");
    Files.createDirectories(cg);
    Process stray = new ProcessBuilder("sleep", "600").start();
    try {
      Files.writeString(cg.resolve("cgroup.procs"), Long.toString(stray.pid()));
      ex.retainOnly(java.util.Set.of());
      assertTrue(stray.waitFor(5, java.util.concurrent.TimeUnit.SECONDS), "the stray process was killed");
      assertFalse(Files.exists(cg), "and its cgroup removed");
    } finally {
      stray.destroyForcibly();
    }
  }

  private static Healthcheck check(List<String> test, long retries) {
    Healthcheck h = new Healthcheck();
    h.test = test;
    h.interval = Duration.ofMillis(150).toNanos();
    h.timeout = Duration.ofSeconds(5).toNanos();
    h.retries = retries;
    return h;
  }

  @Test
  void busyboxHttpdAnswersInsideItsNetworkNamespace() throws Exception {
    ContainerExecutor ex = executor();
    Task t = task(List.of("httpd", "-f", "-p", "8080", "-h", "/www"));
    Mount tmp = new Mount();
    tmp.type = "tmpfs";
    tmp.target = "/scratch";
    t.spec.containerSpec.mounts = List.of(tmp);
    t.spec.containerSpec.readOnly = true;
    TaskRuntime r = ex.runtime(t);
    r.prepare();
    r.start();
    String[] answer = new String[1];
    assertTrue(ContainerExecutor.waitFor(() -> {
      Process p = new ProcessBuilder("nsenter", "-t", r.pid().toString(), "-n", "/bin/busybox", "wget", "-qO-",
          "http://127.0.0.1:8080/").redirectErrorStream(true).start();
      if (!p.waitFor(3, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      answer[0] = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int rc = p.waitFor(); // (busybox wget's -T crashes it; the wait above is the timeout)
      answer[0] += rc == 0 ? "" : " (exit " + rc + ")";
      return rc == 0;
    }, 10_000), "no answer: " + answer[0] + " log: " + Files.readString(config.stateDir(t.id).resolve("json.log"))
        + " exited: " + r.exit().getNow(null));
    assertEquals("hello from h-exec\n", answer[0]);
    r.shutdown(Duration.ofSeconds(2));
    r.remove();
  }

  /** A node's dependencies: secret {@code s1} ("db_pass", holding {@code secretData}) and config {@code c1}. */
  static io.jswarm.worker.agent.TaskDependencies secretAndConfig(String secretData) {
    io.jswarm.api.types.Secret secret = new io.jswarm.api.types.Secret();
    secret.id = "s1";
    secret.spec = new io.jswarm.api.types.Secret.Spec();
    secret.spec.name = "db_pass";
    secret.spec.data = io.jswarm.api.types.Base64Data.encode(secretData.getBytes(StandardCharsets.UTF_8));
    io.jswarm.api.types.Config appConf = new io.jswarm.api.types.Config();
    appConf.id = "c1";
    appConf.spec = new io.jswarm.api.types.Config.Spec();
    appConf.spec.name = "app.conf";
    appConf.spec.data = io.jswarm.api.types.Base64Data.encode("listen 80\n".getBytes(StandardCharsets.UTF_8));
    io.jswarm.worker.agent.TaskDependencies deps = new io.jswarm.worker.agent.TaskDependencies();
    deps.apply(io.jswarm.api.dispatcher.DispatcherMessage.dependencies(true, List.of(secret), List.of(appConf),
        List.of(), List.of()));
    return deps;
  }

  /**
   * {@code t} gets the secret of {@link #secretAndConfig} twice ({@code db_pass} as 1000:1001 mode 0400, and
   * {@code /run/secrets/tls/key} with the defaults) and the config as {@code /etc/app.conf} owned by uid 33.
   */
  static void referToSecretAndConfig(Task t) {
    ContainerSpec.SecretReference a = new ContainerSpec.SecretReference();
    a.secretId = "s1";
    a.secretName = "db_pass";
    a.file = new ContainerSpec.FileTarget();
    a.file.name = "db_pass";
    a.file.uid = "1000";
    a.file.gid = "1001";
    a.file.mode = 0400L;
    ContainerSpec.SecretReference b = new ContainerSpec.SecretReference();
    b.secretId = "s1";
    b.secretName = "db_pass";
    b.file = new ContainerSpec.FileTarget();
    b.file.name = "/run/secrets/tls/key";
    ContainerSpec.ConfigReference c = new ContainerSpec.ConfigReference();
    c.configId = "c1";
    c.configName = "app.conf";
    c.file = new ContainerSpec.FileTarget();
    c.file.name = "/etc/app.conf";
    c.file.uid = "33";
    t.spec.containerSpec.secrets = List.of(a, b);
    t.spec.containerSpec.configs = List.of(c);
  }

  /** Volumes as directories under the test root; users recorded so the test can see releases. */
  static final class TestVolumes implements VolumeProvider {
    final Path dir;
    final Set<String> users = java.util.concurrent.ConcurrentHashMap.newKeySet();

    TestVolumes(Path dir) {
      this.dir = dir;
    }

    @Override
    public Path acquire(String name, Map<String, String> labels, String taskId) throws IOException {
      users.add(taskId);
      return Files.createDirectories(dir.resolve(name));
    }

    @Override
    public void release(String taskId) {
      users.remove(taskId);
    }

    @Override
    public void retainOnly(Set<String> taskIds) {
      users.retainAll(new HashSet<>(taskIds));
    }
  }
}
