package io.jswarm.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.cli.cluster.ProcessCluster.Answer;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A control plane at scale on this machine: {@code managers} real manager daemons (own data roots, loopback ports,
 * drained so that they run no tasks) and one {@code jswarm hollow} process with {@code nodes} hollow worker nodes.
 * The steps ({@link #awaitNodesReady}, {@link #createService}, {@link #awaitRunning}, {@link #failover}, ...) each
 * return what they measured; {@code jswarm bench cluster} prints them and a test asserts what must hold.
 */
public final class ClusterScenario implements AutoCloseable {
  /** Hollow nodes are named {@value}-1..N. */
  public static final String HOLLOW_PREFIX = "hollow";
  /** Label set on the bench services, so that every step finds them. */
  static final String BENCH_LABEL = "jswarm.bench";
  private static final long POLL_MS = 100;
  /** How often a long wait prints where it is. */
  private static final long PROGRESS_NANOS = 30_000_000_000L;
  /** The hollow process' line for the number of open sessions (see {@code HollowCommand}). */
  private static final java.util.regex.Pattern SESSIONS_LINE =
      java.util.regex.Pattern.compile("hollow: sessions (\\d+) of \\d+");

  /**
   * The cluster's shape and the JVM options of its processes; {@code electionTick}: the swarm's
   * {@code Spec.Raft.ElectionTick} (null: the default).
   */
  public record Shape(int managers, int nodes, List<String> managerJavaOpts, List<String> hollowJavaOpts,
      Duration stepTimeout, Long electionTick) {
    public Shape(int managers, int nodes, List<String> managerJavaOpts, List<String> hollowJavaOpts,
        Duration stepTimeout) {
      this(managers, nodes, managerJavaOpts, hollowJavaOpts, stepTimeout, null);
    }
  }

  /** What a leader kill did: seconds to the first accepted write and until every session was back, nodes marked down. */
  public record Failover(String killed, java.time.Instant killedAt, double firstWriteSeconds,
      double sessionsBackSeconds, int nodesDown, double newLeaderSeconds) {}

  /** One manager's resources: resident set now and at its peak (MB), CPU seconds used. */
  public record Usage(String manager, long rssMb, long peakRssMb, double cpuSeconds) {}

  private final Shape shape;
  private final PrintStream log;
  private final ProcessCluster cluster;
  private final Path keepLogs;
  private final List<Daemon> managers = new ArrayList<>();
  private final Map<String, Usage> lastUsage = new LinkedHashMap<>();
  private Process hollow;
  private Path hollowLog;
  private final AtomicInteger sessions = new AtomicInteger();
  private final AtomicInteger sessionsChanges = new AtomicInteger();

  /**
   * @param log where the hollow process' output and progress go (the daemons log into their own files)
   */
  public ClusterScenario(Shape shape, PrintStream log, Path keepLogs) throws IOException {
    this.shape = shape;
    this.log = log;
    this.keepLogs = keepLogs;
    this.cluster = new ProcessCluster().javaOpts(shape.managerJavaOpts()).keepLogsIn(keepLogs);
  }

  // ---- bring-up ----

  /**
   * Starts the managers (the first inits the swarm, the others join it) and drains them. The swarm's address pool
   * gives the ingress network room for every node ({@link #ingressMaskLength}): each node holds an ingress address.
   */
  public void startManagers() throws IOException {
    Daemon first = cluster.init("m1", "\"DefaultAddrPool\":[\"10.0.0.0/8\"],\"SubnetSize\":"
        + ingressMaskLength(shape.managers() + shape.nodes())
        + (shape.electionTick() == null ? "" : ",\"Spec\":{\"Raft\":{\"ElectionTick\":" + shape.electionTick() + "}}"));
    managers.add(first);
    for (int i = 2; i <= shape.managers(); i++) {
      managers.add(cluster.join("m" + i, first, "manager"));
    }
    for (JsonNode n : first.get("/nodes")) {
      updateSpec(first, "/nodes/" + n.path("ID").asText(), spec -> spec.put("Availability", "drain"));
    }
  }

  /**
   * Reads the object at {@code path} through {@code via}, changes its spec with {@code change} and posts it back at
   * the version read; a failure (most often 409, a stale version: the node's or service's row moved meanwhile,
   * e.g. a node's status right after it joined) is read again and retried, ten times at most.
   */
  private static void updateSpec(Daemon via, String path,
      Consumer<ObjectNode> change) throws IOException {
    for (int attempt = 0; ; attempt++) {
      JsonNode o = via.get(path);
      ObjectNode spec = (ObjectNode) o.path("Spec").deepCopy();
      change.accept(spec);
      Answer a = via.call("POST", path + "/update?version=" + o.path("Version").path("Index").asLong(),
          spec.toString());
      if (a.status() == 200 || attempt >= 10) {
        a.expect(200);
        return;
      }
    }
  }

  /**
   * The prefix length of an ingress subnet with an address for each of {@code nodes} nodes and room to spare: Docker's
   * (and {@code swarm init}'s) default, a /24, holds 253 nodes; the node past that gets no ingress address (no routing
   * mesh) and the allocator retries it on every pass.
   */
  static int ingressMaskLength(int nodes) {
    int bits = 8;
    while ((1L << bits) < 2L * nodes + 8) {
      bits++;
    }
    return Math.max(16, 32 - bits);
  }

  /** Starts the hollow nodes' process; its session counts are read from its output. */
  public void startHollow() throws IOException {
    String token = live().get("/swarm").path("JoinTokens").path("Worker").asText();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(shape.hollowJavaOpts());
    cmd.addAll(List.of("-cp", ProcessCluster.classPath(), "io.jswarm.cli.Main", "hollow",
        "--nodes", Integer.toString(shape.nodes()), "--join-token", token, "--name-prefix", HOLLOW_PREFIX));
    for (Daemon m : managers) {
      cmd.add(m.clusterAddr());
    }
    hollowLog = cluster.baseDir().resolve("hollow.log");
    // its log goes to a file of its own: only the progress lines come through the pipe this side reads
    hollow = new ProcessBuilder(cmd).redirectError(cluster.baseDir().resolve("hollow-stderr.log").toFile()).start();
    Thread reader = new Thread(this::readHollow, "hollow-output");
    reader.setDaemon(true);
    reader.start();
  }

  private void readHollow() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(hollow.getInputStream(), StandardCharsets.UTF_8));
         var w = Files.newBufferedWriter(hollowLog)) {
      String line;
      while ((line = r.readLine()) != null) {
        w.write(java.time.Instant.now() + " " + line); // the daemons' log clock, to line it up with their logs
        w.newLine();
        w.flush();
        java.util.regex.Matcher m = SESSIONS_LINE.matcher(line);
        if (m.matches()) {
          sessions.set(Integer.parseInt(m.group(1)));
          sessionsChanges.incrementAndGet();
        } else if (line.startsWith("hollow: ") || line.startsWith("Exception") || line.startsWith("Error")) {
          log.println("  " + line);
        }
      }
    } catch (IOException | RuntimeException e) {
      log.println("  (hollow output ended: " + e + ")");
    }
  }

  /** Hollow nodes with an open session now. */
  public int sessions() {
    return sessions.get();
  }

  /** Waits until every hollow node is Ready in {@code node ls}; returns the seconds it took. */
  public double awaitNodesReady() {
    long t0 = System.nanoTime();
    long[] lastPrint = {t0};
    await("all " + shape.nodes() + " hollow nodes Ready", () -> {
      int ready = readyHollowNodes();
      if (System.nanoTime() - lastPrint[0] > PROGRESS_NANOS) {
        lastPrint[0] = System.nanoTime();
        log.printf("  %.0f s: %d of %d hollow nodes Ready, %d sessions open (load average %s)%n", seconds(t0), ready,
            shape.nodes(), sessions(), loadAverage());
      }
      return ready == shape.nodes();
    });
    return seconds(t0);
  }

  int readyHollowNodes() throws IOException {
    int ready = 0;
    for (JsonNode n : live().get("/nodes")) {
      if (n.path("Description").path("Hostname").asText().startsWith(HOLLOW_PREFIX + "-")
          && "ready".equals(n.path("Status").path("State").asText())) {
        ready++;
      }
    }
    return ready;
  }

  // ---- services ----

  /** Creates a replicated service of {@code replicas} tasks; returns its id. */
  public String createService(String name, int replicas) throws IOException {
    String spec = "{\"Name\":\"" + name + "\",\"Labels\":{\"" + BENCH_LABEL + "\":\"1\"},"
        + "\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Args\":[\"sleep\",\"1d\"]}},"
        + "\"Mode\":{\"Replicated\":{\"Replicas\":" + replicas + "}}}";
    Answer a = live().call("POST", "/services/create", spec);
    if (a.status() / 100 != 2) {
      throw new IllegalStateException("service create answered " + a.status() + ": " + a.body());
    }
    return a.json().path("ID").asText();
  }

  /** Sets the replica count of service {@code id} (retrying a stale version). */
  public void scale(String id, int replicas) throws IOException {
    updateSpec(live(), "/services/" + id, spec ->
        ((ObjectNode) spec.path("Mode").path("Replicated")).put("Replicas", replicas));
  }

  /** Running tasks of the bench services on nodes that are not down, as {@code service ls} counts them. */
  public long running() throws IOException {
    long n = 0;
    for (JsonNode s : live().get("/services?status=true")) {
      if (s.path("Spec").path("Labels").has(BENCH_LABEL)) {
        n += s.path("ServiceStatus").path("RunningTasks").asLong();
      }
    }
    return n;
  }

  /** Waits until {@link #running} is {@code want}; returns the seconds it took. */
  public double awaitRunning(long want) {
    long t0 = System.nanoTime();
    await(want + " running tasks", () -> running() == want);
    return seconds(t0);
  }

  /** Tasks of service {@code id} as {@code service ps} lists them (GET /tasks?filters={"service":{id:true}}). */
  public JsonNode tasks(String id) throws IOException {
    String filters = URLEncoder.encode("{\"service\":{\"" + id + "\":true}}", StandardCharsets.UTF_8);
    return live().get("/tasks?filters=" + filters);
  }

  /**
   * Slots of service {@code id} that do not have exactly one task both desired and observed running (slot ->
   * how many it has), for slots 1..{@code replicas}; empty when every slot runs once.
   */
  public Map<Long, Integer> slotsNotRunningOnce(String id, int replicas) throws IOException {
    Map<Long, Integer> perSlot = new HashMap<>();
    for (JsonNode t : tasks(id)) {
      if ("running".equals(t.path("Status").path("State").asText()) && "running".equals(t.path("DesiredState").asText())) {
        perSlot.merge(t.path("Slot").asLong(), 1, Integer::sum);
      }
    }
    Map<Long, Integer> wrong = new LinkedHashMap<>();
    for (long slot = 1; slot <= replicas; slot++) {
      int n = perSlot.getOrDefault(slot, 0);
      if (n != 1) {
        wrong.put(slot, n);
      }
    }
    for (Long slot : perSlot.keySet()) {
      if (slot < 1 || slot > replicas) {
        wrong.put(slot, perSlot.get(slot));
      }
    }
    return wrong;
  }

  // ---- failover ----

  /** The manager that is Raft leader now (by its node name). */
  public Daemon leader() throws IOException {
    for (JsonNode n : live().get("/nodes")) {
      if (n.path("ManagerStatus").path("Leader").asBoolean(false)) {
        String host = n.path("Description").path("Hostname").asText();
        for (Daemon d : managers) {
          if (d.name.equals(host)) {
            return d;
          }
        }
      }
    }
    throw new IllegalStateException("no manager is leader now");
  }

  /**
   * Kills the leader with SIGKILL while every node is connected, then measures on the surviving managers: when the
   * first write (a label on service {@code serviceId}) was accepted, when every hollow node had its session again,
   * and how many hollow nodes were marked down meanwhile (watched until a few seconds after the last session came
   * back). The writes are tried by one client per surviving manager, each on its own thread and again 20 ms after
   * every failure (as a user retrying), so that a slow listing of the other measurements never delays them.
   */
  public Failover failover(String serviceId) throws IOException {
    // every node connected first: on a loaded machine an earlier leader change may still have sessions moving
    await("all " + shape.nodes() + " sessions open before the leader kill", () -> sessions() == shape.nodes());
    Daemon leader = leader();
    Set<String> downBefore = downHollowNodes(); // counted apart: only nodes the failover marks down are its doing
    usage(); // the leader's numbers before it goes
    int changesBefore = sessionsChanges.get();
    java.time.Instant killedAt = java.time.Instant.now();
    long t0 = System.nanoTime();
    leader.kill();
    managers.remove(leader);
    java.util.concurrent.atomic.AtomicLong firstWriteAt = new java.util.concurrent.atomic.AtomicLong(-1);
    long deadline = t0 + shape.stepTimeout().toNanos();
    List<Thread> writers = new ArrayList<>();
    AtomicInteger slowFailures = new AtomicInteger();
    for (Daemon via : List.copyOf(managers)) {
      Thread w = new Thread(() -> {
        while (firstWriteAt.get() < 0 && System.nanoTime() < deadline) {
          if (tryWrite(serviceId, via, t0, slowFailures)) {
            firstWriteAt.compareAndSet(-1, System.nanoTime());
            return;
          }
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return; // the step is over
          }
        }
      }, "failover-write-" + via.name);
      w.setDaemon(true);
      w.start();
      writers.add(w);
    }
    double back = -1;
    double newLeader = -1;
    Set<String> down = new HashSet<>();
    long lastDownCheck = 0;
    while (System.nanoTime() < deadline) {
      if (newLeader < 0 && hasLeader()) {
        newLeader = seconds(t0);
      }
      if (back < 0 && sessionsChanges.get() > changesBefore && sessions() == shape.nodes()) {
        back = seconds(t0);
      }
      if (System.nanoTime() - lastDownCheck > 500_000_000L) {
        lastDownCheck = System.nanoTime();
        down.addAll(downHollowNodes());
      }
      if (firstWriteAt.get() >= 0 && back >= 0 && seconds(t0) > back + 5) {
        break;
      }
      sleep(POLL_MS);
    }
    for (Thread w : writers) {
      w.interrupt();
    }
    down.addAll(downHollowNodes());
    down.removeAll(downBefore);
    if (!downBefore.isEmpty()) {
      log.println("  (" + downBefore.size() + " hollow nodes were already down before the kill)");
    }
    long firstWrite = firstWriteAt.get();
    return new Failover(leader.name, killedAt, firstWrite < 0 ? -1 : (firstWrite - t0) / 1e9, back, down.size(), newLeader);
  }

  private boolean hasLeader() {
    try {
      return leader() != null;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * One write attempt through {@code via}: read the service, then update its label at that version. Prints each
   * failed call that took more than 300 ms (at most 20 per failover), which is where a failover's time goes.
   */
  private boolean tryWrite(String serviceId, Daemon via, long t0, AtomicInteger slowFailures) {
    long c0 = System.nanoTime();
    String step = "GET /services/ID";
    Answer a = null;
    try {
      a = via.call("GET", "/services/" + serviceId, null);
      if (a.status() == 200) {
        JsonNode s = a.json();
        ObjectNode spec = (ObjectNode) s.path("Spec").deepCopy();
        ((ObjectNode) spec.path("Labels")).put("jswarm.bench.failover", Long.toString(System.nanoTime()));
        step = "POST /services/ID/update";
        double read = seconds(c0);
        c0 = System.nanoTime();
        a = via.call("POST", "/services/" + serviceId + "/update?version=" + s.path("Version").path("Index").asLong(),
            spec.toString());
        if (a.status() == 200) {
          log.printf("  +%.2f s: write accepted through %s (its read took %.2f s, its update %.2f s)%n", seconds(t0),
              via.name, read, seconds(c0));
          return true;
        }
      }
    } catch (IOException | RuntimeException e) {
      a = new Answer(-1, e.toString());
    }
    double took = seconds(c0);
    if (took > 0.3 && slowFailures.incrementAndGet() <= 20) {
      String body = a.body() == null ? "" : a.body().replaceAll("\\s+", " ");
      log.printf("  +%.2f s: %s via %s failed after %.2f s: %d %s%n", seconds(t0), step, via.name, took, a.status(),
          body.length() > 160 ? body.substring(0, 160) + "..." : body);
    }
    return false;
  }

  private Set<String> downHollowNodes() {
    Set<String> out = new HashSet<>();
    for (Daemon m : managers) {
      try {
        Answer a = m.call("GET", "/nodes", null);
        if (a.status() != 200) {
          continue;
        }
        for (JsonNode n : a.json()) {
          if (n.path("Description").path("Hostname").asText().startsWith(HOLLOW_PREFIX + "-")
              && "down".equals(n.path("Status").path("State").asText())) {
            out.add(n.path("ID").asText());
          }
        }
        return out;
      } catch (IOException | RuntimeException e) {
        // the next manager
      }
    }
    return out;
  }

  // ---- resources ----

  /** Each manager's memory and CPU, read from /proc (a killed manager keeps its last reading). */
  public List<Usage> usage() {
    for (Daemon m : managers) {
      if (!m.alive()) {
        continue;
      }
      try {
        long rss = 0;
        long hwm = 0;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(m.pid()), "status"))) {
          if (line.startsWith("VmRSS:")) {
            rss = Long.parseLong(line.replaceAll("\\D", "")) / 1024;
          } else if (line.startsWith("VmHWM:")) {
            hwm = Long.parseLong(line.replaceAll("\\D", "")) / 1024;
          }
        }
        String stat = Files.readString(Path.of("/proc", Long.toString(m.pid()), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime + stime, USER_HZ 100
        lastUsage.put(m.name, new Usage(m.name, rss, hwm, cpu));
      } catch (IOException | RuntimeException e) {
        // gone meanwhile: keep the last reading
      }
    }
    return new ArrayList<>(lastUsage.values());
  }

  /** Bytes of the Raft log segments and of the snapshots in a live manager's data root. */
  public long[] raftSizes() throws IOException {
    Path raft = managers.get(0).dataRoot.resolve("raft");
    long logBytes = 0;
    long snapBytes = 0;
    if (!Files.isDirectory(raft)) {
      return new long[] {0, 0};
    }
    try (Stream<Path> files = Files.walk(raft)) {
      for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        String s = p.toString();
        long size = Files.size(p);
        if (s.contains("/sm/")) {
          snapBytes += size;
        } else if (p.getFileName().toString().startsWith("log_")) {
          logBytes += size;
        }
      }
    }
    return new long[] {logBytes, snapBytes};
  }

  // ---- helpers ----

  /** A manager that is alive (the first of those left). */
  public Daemon live() {
    for (Daemon m : managers) {
      if (m.alive()) {
        return m;
      }
    }
    throw new IllegalStateException("no manager is alive");
  }

  public List<Daemon> managers() {
    return Collections.unmodifiableList(managers);
  }

  private void await(String what, IoCondition cond) {
    long deadline = System.nanoTime() + shape.stepTimeout().toNanos();
    while (true) {
      try {
        if (cond.holds()) {
          return;
        }
      } catch (IOException | RuntimeException e) {
        // not yet: between leaders
      }
      if (hollow != null && !hollow.isAlive()) {
        throw new IllegalStateException("the hollow nodes' process exited with " + hollow.exitValue() + " (log: "
            + hollowLog + ")");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + shape.stepTimeout().toSeconds() + " s waiting for " + what);
      }
      sleep(POLL_MS);
    }
  }

  /** The 1-minute load average, as {@code uptime} prints it. */
  public static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }

  static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  /** Wraps a poll that may throw IOException for {@link #await}. */
  interface IoCondition {
    boolean holds() throws IOException;
  }

  @Override
  public void close() throws IOException {
    if (hollow != null) {
      hollow.destroyForcibly();
      try {
        hollow.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      keepHollowLogs();
    }
    cluster.close();
  }

  /** The hollow process' logs (its agents' reconnects, its session counts) beside the daemons' kept logs. */
  private void keepHollowLogs() {
    if (keepLogs == null) {
      return;
    }
    try {
      Path keep = keepLogs.resolve(cluster.baseDir().getFileName().toString());
      Files.createDirectories(keep);
      for (String name : List.of("hollow.log", "hollow-stderr.log")) {
        Path f = cluster.baseDir().resolve(name);
        if (Files.exists(f)) {
          Files.copy(f, keep.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      log.println("  (the hollow process' logs were not kept: " + e + ")");
    }
  }
}
