package io.jswarm.cli.cluster;

import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import io.jswarm.linux.Mounts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Several "hosts" on one machine, each a network namespace on an underlay bridge with its own address, running
 * its own {@code jswarm daemon} (own data root, exec root, cgroup parent, unix socket) whose API, cluster and Raft
 * listeners are on that address at the usual ports (2375, 2377, 2378). The test process stays in the root
 * namespace, which holds the bridge and the first address of the underlay /24, and talks to every daemon over
 * the underlay exactly as a remote client would.
 *
 * <p>Everything carries a random tag: namespaces {@code jsmh-<tag>-<host>}, the bridge {@code jsm<tag>br}, the
 * root ends of the veths {@code jsm<tag><n>} (each host sees its end as {@code eth0}), cgroup parents
 * {@code jsmh-<tag>-<host>}, and the underlay is a free {@code 172.29.X.0/24} (the overlay pool 10.0.0.0/8 and the
 * daemons' default local bridge 172.18.0.0/16 stay clear of it). Hosts have no default route: their traffic
 * stays on the underlay.
 *
 * <p>Daemons are started with {@code nsenter --net=...}, not {@code ip netns exec}, which would remount /sys and
 * hide the cgroup file systems from the container executor. {@link #close} removes everything — daemons, the
 * containers' processes (found by cgroup parent), mounts, cgroups, namespaces, veths, the bridge (nftables
 * tables of a host go with its namespace) and the temporary directories — also after a failed test, and from a
 * shutdown hook if the JVM exits without closing it.
 */
public final class MultiHostCluster implements AutoCloseable {
  public static final int API_PORT = 2375;
  public static final int CLUSTER_PORT = 2377;
  public static final int RAFT_PORT = 2378;

  private final String tag;
  private final String bridge;
  private final String subnetPrefix;
  private final ProcessCluster processes;
  private final Map<String, Host> hosts = new LinkedHashMap<>();
  private final List<String> daemonArgs = new ArrayList<>();
  private String executor = "simulated";
  private boolean closed;
  /** Cleans up if the JVM ends without {@link #close} (a test run interrupted or timed out). */
  private final Thread closeOnExit = new Thread(this::closeQuietly, "multi-host-cluster-cleanup");

  private MultiHostCluster() throws IOException {
    byte[] b = new byte[3];
    new SecureRandom().nextBytes(b);
    this.tag = HexFormat.of().formatHex(b);
    this.bridge = "jsm" + tag + "br";
    this.processes = new ProcessCluster();
    Runtime.getRuntime().addShutdownHook(closeOnExit);
    String prefix = null;
    try {
      prefix = freeUnderlay(Math.floorMod(b[0] * 256 + b[1], 200) + 20);
      this.subnetPrefix = prefix;
      sh("ip link add " + bridge + " type bridge && ip addr add " + prefix + "1/24 dev " + bridge
          + " && ip link set " + bridge + " up");
    } catch (IOException | RuntimeException e) {
      closeQuietly();
      throw e;
    }
  }

  /** A new underlay with no hosts yet. */
  public static MultiHostCluster create() throws IOException {
    return new MultiHostCluster();
  }

  /** The executor of daemons started after this call: {@code simulated} (the default) or {@code container}. */
  public MultiHostCluster executor(String name) {
    this.executor = name;
    return this;
  }

  /** Flags added to every daemon started after this call. */
  public MultiHostCluster daemonArgs(String... args) {
    daemonArgs.addAll(List.of(args));
    return this;
  }

  /** The random tag of every name this cluster creates. */
  public String tag() {
    return tag;
  }

  /** The underlay bridge in the root namespace. */
  public String bridge() {
    return bridge;
  }

  /** The underlay subnet, {@code 172.29.X.0/24}. */
  public String subnet() {
    return subnetPrefix + "0/24";
  }

  /** The prefix of every namespace (and cgroup parent) of this cluster. */
  public String netnsPrefix() {
    return "jsmh-" + tag + "-";
  }

  /** Where the daemons' data and exec roots are. */
  public Path baseDir() {
    return processes.baseDir();
  }

  /** The busybox test image the multi-host tests run, as {@link #importBusybox} names it. */
  public static final String BUSYBOX = "127.0.0.1:9/jswarm/busybox:1";

  private byte[] busyboxTar;

  /** Imports the busybox test image ({@link #BUSYBOX}, one layer from the host's busybox) on {@code h}. */
  public void importBusybox(Host h) throws Exception {
    if (busyboxTar == null) {
      busyboxTar = ContainerClusterTest.busyboxRootfsTar(baseDir().resolve("rootfs"));
    }
    byte[] rootfs = busyboxTar;
    String q = "fromSrc=-&repo=" + java.net.URLEncoder.encode("127.0.0.1:9/jswarm/busybox", StandardCharsets.UTF_8)
        + "&tag=1";
    h.daemon().callBytes("POST", "/images/create?" + q, rootfs, "application/x-tar").expect(200);
  }

  /**
   * After {@link #close}: nothing of this cluster may be left on the machine — no namespace, link, container
   * process, cgroup, mount or file under its base directory.
   */
  public void assertNothingLeft(List<Host> hosts) throws IOException {
    Path base = baseDir();
    org.junit.jupiter.api.Assertions.assertFalse(sh("ip netns list").contains(netnsPrefix()), "namespaces left");
    org.junit.jupiter.api.Assertions.assertFalse(sh("ip -o link show").contains("jsm" + tag()), "links left");
    for (Host h : hosts) {
      org.junit.jupiter.api.Assertions.assertEquals(List.of(), h.containerProcesses(), h + " processes");
      org.junit.jupiter.api.Assertions.assertEquals(List.of(), h.cgroupDirs(), h + " cgroups");
    }
    org.junit.jupiter.api.Assertions.assertEquals(List.of(), Mounts.mountsUnder(base), "mounts left");
    org.junit.jupiter.api.Assertions.assertFalse(Files.exists(base), base + " left");
  }

  /** Creates host {@code name} (namespace, veth, address) and starts its daemon, in no swarm yet. */
  public Host start(String name) throws IOException {
    Host h = addHost(name);
    h.startDaemon();
    return h;
  }

  /** Starts host {@code name} and makes it the first manager of a new swarm, advertising its underlay address. */
  public Host init(String name, String... initBody) throws IOException {
    Host h = start(name);
    h.daemon().initSwarm(initBody);
    return h;
  }

  /** Starts host {@code name} and joins it through {@code via} as {@code role} (worker or manager). */
  public Host join(String name, Host via, String role) throws IOException {
    Host h = start(name);
    h.daemon().joinThrough(via.daemon(), role);
    return h;
  }

  /** Creates host {@code name}: its namespace with loopback up and {@code eth0} on the underlay; no daemon yet. */
  public Host addHost(String name) throws IOException {
    if (hosts.containsKey(name) || !name.matches("[a-z0-9]{1,8}")) {
      throw new IllegalArgumentException("host name: 1-8 of [a-z0-9] and not used yet, got \"" + name + "\"");
    }
    int n = hosts.size() + 1;
    if (n > 200) {
      throw new IllegalStateException("at most 200 hosts on one underlay");
    }
    Host h = new Host(name, n);
    hosts.put(name, h);
    String peer = h.veth + "p";
    sh("ip netns add " + h.netns
        + " && ip link add " + h.veth + " type veth peer name " + peer
        + " && ip link set " + peer + " netns " + h.netns
        + " && ip link set " + h.veth + " master " + bridge + " up"
        + " && ip -n " + h.netns + " link set " + peer + " name eth0"
        + " && ip -n " + h.netns + " addr add " + h.address + "/24 dev eth0"
        + " && ip -n " + h.netns + " link set eth0 up && ip -n " + h.netns + " link set lo up");
    return h;
  }

  public Host get(String name) {
    Host h = hosts.get(name);
    if (h == null) {
      throw new IllegalArgumentException("no host " + name + "; hosts: " + hosts.keySet());
    }
    return h;
  }

  public List<Host> hosts() {
    return List.copyOf(hosts.values());
  }

  /**
   * Removes everything this cluster made, in an order that works after any failure: daemons, every other
   * process in a host's namespace or cgroup parent, mounts under the base directory, cgroups, namespaces, veths,
   * the bridge, then the directories (the daemons' logs are kept under {@code target/cluster-logs/}).
   */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (Thread.currentThread() != closeOnExit) {
      try {
        Runtime.getRuntime().removeShutdownHook(closeOnExit);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting: the hook is running or about to, and finds this cluster closed
      }
    }
    List<Exception> failures = new ArrayList<>();
    for (Daemon d : processes.all()) {
      d.kill();
    }
    for (Host h : hosts.values()) {
      step(failures, h::killEverything);
    }
    step(failures, () -> {
      for (Path m : Mounts.mountsUnder(baseDir())) {
        Mounts.unmount(m, true);
      }
    });
    for (Host h : hosts.values()) {
      step(failures, h::removeCgroups);
      step(failures, () -> sh("ip netns del " + h.netns + " 2>/dev/null; ip link del " + h.veth
          + " 2>/dev/null; true"));
    }
    step(failures, () -> sh("ip link del " + bridge + " 2>/dev/null; true"));
    step(failures, processes::close);
    if (!failures.isEmpty()) {
      IOException e = new IOException("cleaning up multi-host cluster " + tag + " failed; see suppressed");
      failures.forEach(e::addSuppressed);
      throw e;
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException | RuntimeException e) {
      // the creation failure is the one to report
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void step(List<Exception> failures, Step s) {
    try {
      s.run();
    } catch (Exception e) {
      failures.add(e);
    }
  }

  /** The first {@code 172.29.X.} from {@code start} on that no route of the root namespace touches. */
  private static String freeUnderlay(int start) throws IOException {
    String routes = sh("ip -4 route show table all; ip -4 addr show");
    for (int i = 0; i < 230; i++) {
      int x = 20 + Math.floorMod(start - 20 + i, 230);
      String prefix = "172.29." + x + ".";
      if (!routes.contains(prefix) && !routes.contains("172.29.0.0/16")) {
        return prefix;
      }
    }
    throw new IllegalStateException("no free 172.29.X.0/24 for the underlay");
  }

  /**
   * {@link ProcessCluster#await}, and on timeout the tasks' service, node, desired state and status (with its
   * message and error) in the failure, which is what one needs to see why a multi-host test did not converge.
   */
  static void awaitOrShowTasks(java.time.Duration timeout, Host manager, String what,
      java.util.function.BooleanSupplier cond) {
    try {
      ProcessCluster.await(timeout, what, cond);
    } catch (AssertionError e) {
      StringBuilder s = new StringBuilder(e.getMessage()).append("; tasks:");
      for (com.fasterxml.jackson.databind.JsonNode t : MultiHostClusterTest.get(manager.daemon(), "/tasks")) {
        s.append("\n  ").append(t.path("ServiceID").asText()).append(' ').append(t.path("NodeID").asText())
            .append(' ').append(t.path("DesiredState").asText()).append(' ').append(t.path("Status").toString());
      }
      throw new AssertionError(s.toString(), e);
    }
  }

  /**
   * A plain HTTP/1.0 GET of {@code /} (2 s to connect, 10 s to read); the whole answer, headers included. The read
   * bound is long because the tests ask which task answers, not how fast: on a busy 2-core CI machine an answer has
   * taken over 3 s. A failure names how long it took, to tell a lost connection from a slow one.
   */
  static String httpGet(String addr, int port) throws IOException {
    long start = System.nanoTime();
    try (java.net.Socket c = new java.net.Socket()) {
      c.connect(new java.net.InetSocketAddress(addr, port), 2000);
      c.setSoTimeout(10_000);
      c.getOutputStream().write("GET / HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      return new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IOException(addr + ":" + port + ": " + e + " after " + (System.nanoTime() - start) / 1_000_000
          + " ms", e);
    }
  }

  /** {@link #httpGet} from inside the network namespace of process {@code pid} (a container). */
  static String httpGetFrom(long pid, String addr, int port) throws Exception {
    return io.jswarm.linux.NetNs.call(Path.of("/proc/" + pid + "/ns/net"), () -> httpGet(addr, port));
  }

  /** Tries {@code get} up to 20 times, 250 ms apart, until it returns an HTTP answer; else the last answer or error. */
  static String httpWithRetry(java.util.concurrent.Callable<String> get) {
    String last = "";
    for (int i = 0; i < 20; i++) {
      try {
        last = get.call();
        if (last.startsWith("HTTP/1.")) {
          return last;
        }
      } catch (Exception e) {
        last = String.valueOf(e.getMessage());
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return last;
      }
    }
    return last;
  }

  /** Runs {@code command} with sh; fails with its output unless it exits 0. */
  static String sh(String command) throws IOException {
    Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    try {
      if (p.waitFor() != 0) {
        throw new IOException("`" + command + "` exited with " + p.exitValue() + ": " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running " + command, e);
    }
    return out;
  }

  /** One host: a network namespace on the underlay and (once started) its daemon. */
  public final class Host {
    public final String name;
    /** The namespace, under /run/netns. */
    public final String netns;
    /** The root end of the host's veth, on the bridge. */
    public final String veth;
    /** The host's underlay address. */
    public final String address;
    /** The cgroup parent of the host's containers. */
    public final String cgroupParent;
    private Daemon daemon;

    Host(String name, int n) {
      this.name = name;
      this.netns = netnsPrefix() + name;
      this.veth = "jsm" + tag + n;
      this.address = subnetPrefix + (10 + n);
      this.cgroupParent = netnsPrefix() + name;
    }

    /** Starts the host's daemon in its namespace (once; later use {@link #restart}). */
    public Daemon startDaemon() throws IOException {
      if (daemon != null) {
        throw new IllegalStateException(name + " has a daemon already; use restart()");
      }
      List<String> args = new ArrayList<>(daemonArgs);
      args.addAll(List.of("--cgroup-parent", cgroupParent));
      processes.executor(executor);
      daemon = processes.start(name, address, API_PORT, CLUSTER_PORT, RAFT_PORT,
          List.of("nsenter", "--net=/run/netns/" + netns), args);
      return daemon;
    }

    /** The daemon; fails if it was never started. */
    public Daemon daemon() {
      if (daemon == null) {
        throw new IllegalStateException(name + " has no daemon; call startDaemon()");
      }
      return daemon;
    }

    /** {@code -H} value that reaches this host's daemon from the root namespace. */
    public String apiHost() {
      return "tcp://" + address + ":" + API_PORT;
    }

    /** SIGKILL to the daemon (its containers keep running). */
    public void kill() {
      daemon().kill();
    }

    /** Starts the killed or stopped daemon again on the same data root and addresses. */
    public void restart() throws IOException, InterruptedException {
      daemon().restart();
    }

    /** Cuts the host off the underlay (its veth down); {@link #heal} undoes it. */
    public void partition() throws IOException {
      sh("ip link set " + veth + " down");
    }

    public void heal() throws IOException {
      sh("ip link set " + veth + " up");
    }

    /** Runs {@code command} (sh syntax) in the host's network namespace and returns its output. */
    public String exec(String command) throws IOException {
      return sh("nsenter --net=/run/netns/" + netns + " sh -c '" + command.replace("'", "'\\''") + "'");
    }

    /** Processes whose network namespace is this host's (the daemon and anything it runs there). */
    public List<String> processesInNetns() throws IOException {
      if (!Files.exists(Path.of("/run/netns", netns))) {
        return List.of();
      }
      String out = sh("ip netns pids " + netns + " 2>/dev/null; true");
      return out.isBlank() ? List.of() : List.of(out.split("\\s+"));
    }

    /** Processes in this host's cgroup parent: its containers. */
    public List<String> containerProcesses() {
      return processesInCgroup("/" + cgroupParent + "/");
    }

    /** The cgroup directories of this host, in every v1 hierarchy. */
    public List<Path> cgroupDirs() throws IOException {
      List<Path> out = new ArrayList<>();
      try (DirectoryStream<Path> hs = Files.newDirectoryStream(Path.of("/sys/fs/cgroup"))) {
        for (Path hierarchy : hs) {
          Path p = hierarchy.resolve(cgroupParent);
          if (Files.isDirectory(p)) {
            out.add(p);
          }
        }
      }
      return out;
    }

    void killEverything() throws IOException, InterruptedException {
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (true) {
        List<String> pids = new ArrayList<>(containerProcesses());
        pids.addAll(processesInNetns());
        pids.remove(Long.toString(ProcessHandle.current().pid()));
        if (pids.isEmpty()) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IOException("processes of host " + name + " survive SIGKILL: " + pids);
        }
        sh("kill -9 " + String.join(" ", pids) + " 2>/dev/null; true");
        Thread.sleep(50);
      }
    }

    void removeCgroups() throws IOException {
      for (Path top : cgroupDirs()) {
        try (Stream<Path> s = Files.walk(top)) {
          for (Path d : s.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(d); // rmdir: a cgroup directory without tasks can be removed with its files
          }
        }
      }
    }

    @Override
    public String toString() {
      return name + "(" + address + ")";
    }
  }

  static List<String> processesInCgroup(String fragment) {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : ds) {
        try {
          if (Files.readString(p.resolve("cgroup")).contains(fragment)) {
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
}
