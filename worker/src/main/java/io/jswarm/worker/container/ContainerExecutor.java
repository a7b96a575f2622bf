package io.jswarm.worker.container;

import io.jswarm.linux.FileTrees;
import io.jswarm.api.types.Task;
import io.jswarm.linux.Mounts;
import io.jswarm.linux.Processes;
import io.jswarm.worker.agent.Executor;
import io.jswarm.worker.agent.TaskRuntime;
import io.jswarm.worker.discovery.NodeDiscovery;
import io.jswarm.worker.image.ImageProvider;
import io.jswarm.worker.network.TaskNetworking;
import io.jswarm.worker.volume.VolumeProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The container executor: each task becomes an OCI bundle (an overlayfs rootfs stacked from the image's layers
 * and a {@code config.json}) run by runc or crun under {@code jswarm-monitor}, a small C process that outlives
 * the daemon, writes the container's output to {@code json.log} (Docker's json-file format, rotated by size)
 * and, when the container ends, its exit code and OOM kill to an exit file. A daemon that restarts adopts the
 * containers of tasks it is still assigned and removes the others ({@link #retainOnly}).
 *
 * <p>Layout: bundle in {@code <execRoot>/containers/<task>/} ({@code config.json}, {@code rootfs}); overlay
 * upper and work dirs, logs, {@code /etc} files, {@code pid}, {@code monitor.pid} and {@code exit} in
 * {@code <dataRoot>/containers/<task>/}; cgroups {@code <cgroupParent>/<task>} in each v1 hierarchy.
 */
public final class ContainerExecutor implements Executor {
  private static final Logger log = LoggerFactory.getLogger(ContainerExecutor.class);
  static final String MONITOR_RESOURCE = "/io/jswarm/linux/jswarm-monitor";
  /** How often exit files are looked for. */
  static final long EXIT_POLL_MS = 20;

  final ContainerConfig config;
  final ImageProvider images;
  final TaskNetworking networks;
  final VolumeProvider volumes;
  final Clock clock;
  /** The node's service discovery (embedded DNS, VIP rules), or null: containers use the node's nameservers. */
  final NodeDiscovery discovery;
  final Path runtimeBinary;
  final Path monitorBinary;
  private final Map<String, Container> watched = new ConcurrentHashMap<>();
  final ScheduledExecutorService timer;
  final ExecutorService work;
  private final Map<String, String> missingFeatures;
  private final LocalContainers local = new LocalContainers(this);

  public ContainerExecutor(ContainerConfig config, ImageProvider images, TaskNetworking networks,
      VolumeProvider volumes, Clock clock) throws IOException {
    this(config, images, networks, volumes, clock, null);
  }

  /**
   * @param discovery the node's service discovery: containers on an overlay network get the embedded DNS and the
   *     VIP rules (attached after their sandbox is made, detached before it is released); null for none
   */
  public ContainerExecutor(ContainerConfig config, ImageProvider images, TaskNetworking networks,
      VolumeProvider volumes, Clock clock, NodeDiscovery discovery) throws IOException {
    this.discovery = discovery;
    this.config = config;
    this.images = images;
    this.networks = networks;
    this.volumes = volumes;
    this.clock = clock;
    this.runtimeBinary = findRuntime(config.runtime());
    privateDir(config.dataRoot().resolve("containers"));
    privateDir(config.execRoot().resolve("containers"));
    privateDir(config.runtimeRoot());
    if (config.userns() != null) {
      UsernsSetup.check(config);
      log.info("containers run in a user namespace: {}", config.userns());
    }
    this.monitorBinary = installMonitor(config.execRoot().resolve("bin"));
    String blkio = Cgroups.blkioWeightUnsupported();
    this.missingFeatures = blkio == null ? Map.of() : Map.of(io.jswarm.api.types.Node.FEATURE_BLKIO_WEIGHT, blkio);
    if (blkio != null) {
      log.warn("Your kernel does not support Block I/O weight: {}. Block I/O weights of tasks are discarded on "
          + "this node", blkio);
    }
    AtomicInteger n = new AtomicInteger();
    // one thread: the exit poll and the health probes' schedules (the probes run on the work pool); a pool of two
    // started its second thread at the poll's first repeat and kept it idle (~100 KB; docs/footprint.md)
    this.timer = Executors.newScheduledThreadPool(1, r -> daemon(r, "container-timer-" + n.incrementAndGet()));
    this.work = Executors.newCachedThreadPool(r -> daemon(r, "container-work-" + n.incrementAndGet()));
    timer.scheduleWithFixedDelay(this::pollExits, EXIT_POLL_MS, EXIT_POLL_MS, TimeUnit.MILLISECONDS);
  }

  /** The OCI runtime's binary, from PATH and the usual sbin directories. */
  public static Path findRuntime(String name) {
    Set<String> dirs = new LinkedHashSet<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(":")));
    }
    dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
    for (String d : dirs) {
      if (d.isEmpty()) {
        continue;
      }
      Path p = Path.of(d, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IllegalStateException("OCI runtime \"" + name + "\" not found in PATH or /usr/sbin: install it "
        + "(apt-get install " + name + ") or choose the other one with --runtime runc|crun");
  }

  /**
   * Makes {@code dir} (and missing parents) and sets it to 0700, also when it existed with wider bits: container
   * directories hold the containers' files (a setuid binary made in a container lands in its overlay
   * {@code upper/}; its rootfs is mounted in the bundle), which no host user but root may reach (Docker's
   * CVE-2021-41091). 0700 is enough: runc and crun run as root; with {@code --userns-remap}, whose containers'
   * root must reach its rootfs, {@link UsernsSetup} opens the containers directory and each bundle to it alone.
   */
  static Path privateDir(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    return dir;
  }

  /** Copies the monitor out of the jar into {@code dir} (atomically: a running monitor keeps its old file). */
  static Path installMonitor(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path target = dir.resolve("jswarm-monitor");
    Path tmp = dir.resolve(".jswarm-monitor." + ProcessHandle.current().pid());
    try (InputStream in = ContainerExecutor.class.getResourceAsStream(MONITOR_RESOURCE)) {
      if (in == null) {
        throw new IOException("jswarm-monitor is missing from the jswarm jar (" + MONITOR_RESOURCE
            + "): the native module builds it with gcc; rebuild with gcc installed");
      }
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
    }
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    if (!Files.isExecutable(target)) {
      throw new IOException(target + " is not executable (is " + dir + " on a noexec filesystem?); "
          + "choose another --exec-root");
    }
    return target;
  }

  /** The secrets and configs the agent holds for the tasks (memory); null until an agent drives this executor. */
  volatile io.jswarm.worker.agent.TaskDependencies dependencies;

  @Override
  public void useDependencies(io.jswarm.worker.agent.TaskDependencies d) {
    this.dependencies = d;
  }

  /** The kernel's answer, probed once at start: {@code BlkioWeight} when it cannot weight block I/O. */
  @Override
  public Map<String, String> missingFeatures() {
    return missingFeatures;
  }

  /** Bundles under the exec root; a container whose monitor wrote its exit file is stopped. */
  @Override
  public ContainerCount containerCount() {
    int running = 0;
    int stopped = 0;
    for (String id : children(config.execRoot().resolve("containers"))) {
      if (Files.exists(config.stateDir(id).resolve("exit"))) {
        stopped++;
      } else {
        running++;
      }
    }
    return new ContainerCount(running, stopped);
  }

  /** This node's containers as the Docker API shows them ({@code /containers/...}, {@code /exec/...}). */
  public LocalContainers local() {
    return local;
  }

  @Override
  public TaskRuntime runtime(Task task) {
    return new Container(this, task);
  }

  @Override
  public void retainOnly(Set<String> taskIds) {
    Set<String> found = new LinkedHashSet<>();
    found.addAll(children(config.execRoot().resolve("containers")));
    found.addAll(children(config.dataRoot().resolve("containers")));
    found.addAll(children(config.runtimeRoot()));
    found.addAll(Cgroups.taskIds(config.cgroupParent()));
    for (String id : found) {
      if (!taskIds.contains(id)) {
        log.info("removing container {}: its task is no longer assigned to this node", id);
        Container c = watched.get(id);
        try {
          if (c != null) {
            c.remove();
          } else {
            removeLeftovers(id);
          }
        } catch (Exception e) {
          log.warn("removing container {} failed: {}", id, e.toString());
        }
      }
    }
    if (taskIds.isEmpty()) {
      Cgroups.removeParent(config.cgroupParent()); // no task left (leave, or a node with none): no empty parent
    }
    try {
      networks.retainOnly(taskIds);
    } catch (Exception e) {
      log.warn("reconciling task networks failed: {}", e.toString());
    }
    try {
      volumes.retainOnly(taskIds);
    } catch (Exception e) {
      log.warn("reconciling volume users failed: {}", e.toString());
    }
  }

  /**
   * Removes everything of container {@code id} that may exist: its service discovery (DNS, VIP rules), its
   * processes (killed through the runtime, then the monitor), the runtime's state, mounts under its bundle, its
   * cgroups, its directories, its volume uses and its sandbox.
   */
  void removeLeftovers(String id) throws Exception {
    if (discovery != null) {
      discovery.detach(id); // before the sandbox goes: the DNS sockets hold its namespace
    }
    Path state = config.stateDir(id);
    Path bundle = config.bundleDir(id);
    if (Files.isDirectory(config.runtimeRoot().resolve(id))) {
      // A container whose init ended (the monitor wrote its exit) has no process left in its pid namespace:
      // one runtime call less per removed task.
      if (!Files.exists(state.resolve("exit"))) {
        runtime(10, "kill", "--all", id, "KILL");
        waitFor(() -> Files.exists(state.resolve("exit")) || !alive(readPid(state.resolve("monitor.pid"))), 5000);
      }
      try {
        runtime(10, "delete", "-f", id);
      } catch (IOException e) {
        // The monitor deletes the container itself once its init has ended; a kill just above can make it do so
        // between our check and this call (seen with crun under load: "cannot open directory ..."). Gone is fine.
        if (Files.isDirectory(config.runtimeRoot().resolve(id))) {
          throw e;
        }
      }
    }
    Long monitor = readPid(state.resolve("monitor.pid"));
    if (monitor != null && alive(monitor) && isMonitor(monitor)) {
      Processes.kill(monitor.intValue(), Processes.SIGKILL);
    }
    Long pid = readPid(state.resolve("pid"));
    if (pid != null && alive(pid) && !Files.exists(state.resolve("exit")) && inCgroup(pid, id)) {
      Processes.kill(pid.intValue(), Processes.SIGKILL);
    }
    for (Path m : Mounts.mountsUnder(bundle)) {
      Mounts.unmount(m, true);
    }
    // A process no file names (a daemon killed while starting the container, before the pid file was written) is
    // still in the task's cgroup: it goes too, or the container would run on unseen.
    for (Long stray : Cgroups.processes(config.cgroupParent(), id)) {
      log.warn("container {}: killing process {} left in its cgroup", id, stray);
      Processes.kill(stray.intValue(), Processes.SIGKILL);
    }
    List<Path> left = Cgroups.remove(config.cgroupParent(), id);
    if (!left.isEmpty()) {
      log.warn("container {}: cgroups still busy, not removed: {}", id, left);
    }
    deleteTree(bundle);
    deleteTree(state);
    // the sandbox first: once a volume is released it can be removed, and by then nothing of the task is mounted
    try {
      networks.release(id);
    } finally {
      volumes.release(id);
    }
  }

  /** Runs the OCI runtime with its global options; returns its output, or throws with its error text. */
  String runtime(long timeoutSeconds, String... args) throws IOException, InterruptedException {
    List<String> cmd = runtimeCommand(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE)
        .start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(config.runtime() + " " + args[0] + " did not finish within " + timeoutSeconds + " s");
    }
    String text = new String(out, StandardCharsets.UTF_8).trim();
    if (p.exitValue() != 0) {
      throw new IOException(config.runtime() + " " + String.join(" ", args) + ": " + text);
    }
    return text;
  }

  /**
   * The command line of one runtime call. crun runs through the monitor's {@code --exec-without-cgroup2}: it
   * refuses hybrid hosts whose cgroup2 tree has controllers, so it gets a mount namespace without that mount.
   */
  List<String> runtimeCommand(List<String> args) {
    List<String> cmd = new ArrayList<>();
    if (managesCgroups()) {
      cmd.add(monitorBinary.toString());
      cmd.add("--exec-without-cgroup2");
    }
    cmd.add(runtimeBinary.toString());
    cmd.addAll(runtimeGlobals());
    cmd.add("--root");
    cmd.add(config.runtimeRoot().toString());
    cmd.addAll(args);
    return cmd;
  }

  /** crun cannot manage this machine's hybrid cgroups; jswarm places its containers in cgroups itself. */
  List<String> runtimeGlobals() {
    return config.runtime().equals("crun") ? List.of("--cgroup-manager=disabled") : List.of();
  }

  boolean managesCgroups() {
    return config.runtime().equals("crun");
  }

  void watch(Container c) {
    watched.put(c.id, c);
  }

  void unwatch(Container c) {
    watched.remove(c.id, c);
  }

  private void pollExits() {
    for (Container c : watched.values()) {
      try {
        c.poll();
      } catch (RuntimeException e) {
        log.warn("container {}: {}", c.id, e.toString());
      }
    }
  }

  @Override
  public void close() {
    for (Container c : watched.values()) {
      c.stopHealth();
    }
    timer.shutdownNow();
    work.shutdownNow();
  }

  // ---- small helpers ----

  static Long readPid(Path file) {
    try {
      String s = Files.readString(file).trim();
      return s.isEmpty() ? null : Long.parseLong(s);
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  static boolean alive(Long pid) {
    if (pid == null || pid <= 0) {
      return false;
    }
    if (!Processes.alive(pid.intValue())) {
      return false;
    }
    try { // a zombie is not alive
      String stat = Files.readString(Path.of("/proc", pid.toString(), "stat"));
      int close = stat.lastIndexOf(')');
      return close < 0 || stat.length() < close + 3 || stat.charAt(close + 2) != 'Z';
    } catch (IOException e) {
      return false;
    }
  }

  static boolean isMonitor(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim().startsWith("jswarm-monitor");
    } catch (IOException e) {
      return false;
    }
  }

  private boolean inCgroup(long pid, String id) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "cgroup"))
          .contains("/" + config.cgroupParent() + "/" + id);
    } catch (IOException e) {
      return false;
    }
  }

  interface Check {
    boolean done() throws Exception;
  }

  static boolean waitFor(Check check, long timeoutMs) throws Exception {
    long end = System.nanoTime() + timeoutMs * 1_000_000;
    while (!check.done()) {
      if (System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  static List<String> children(Path dir) {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        if (Files.isDirectory(p)) {
          out.add(p.getFileName().toString());
        }
      }
    } catch (IOException e) {
      // not there
    }
    return out;
  }

  /** Deletes a directory tree without following symlinks or crossing into mounts (callers unmount first). */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Mounts.mountsUnder(root).isEmpty()) {
      throw new IOException("not removing " + root + ": something is still mounted under it");
    }
    FileTrees.delete(root);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
