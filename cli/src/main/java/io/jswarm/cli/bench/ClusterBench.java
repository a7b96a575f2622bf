package io.jswarm.cli.bench;

import io.jswarm.cli.cluster.ClusterScenario;
import io.jswarm.cli.cluster.ProcessCluster.Answer;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Stream;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jswarm bench cluster}: the whole control plane at scale on this machine (see {@link ClusterScenario}):
 * nodes Ready, create to all RUNNING with the API's latency sampled meanwhile, a leader kill with every node
 * connected, scale to 0, manager memory and CPU, Raft sizes; then one line per goal.
 */
@Command(name = "cluster", description = "Managers as real processes plus hollow nodes: tasks/s from create to "
    + "RUNNING, API latency meanwhile, leader failover, manager RSS/CPU and Raft sizes, against the issue's goals.")
public final class ClusterBench implements Callable<Integer> {
  /** The goals of issue 16. */
  static final double GOAL_TASKS_PER_SECOND = 5_000;
  static final double GOAL_API_P99_MS = 100;
  static final double GOAL_FAILOVER_SECONDS = 2;
  static final long GOAL_RSS_MB = 1024;
  /** Replicas of the small service whose {@code service ps} is timed during the big step. */
  static final int PROBE_REPLICAS = 10;
  /**
   * The managers' collector: bin/jswarm's {@code JSWARM_DAEMON_PROFILE=throughput}, the profile for a manager of
   * hundreds of nodes (the parallel collector, C2: the JVM's default compilers); docs/scale.md, "The managers'
   * collector".
   */
  static final String MANAGER_COLLECTOR = "-XX:+UseParallelGC";
  /** How long after the last node is Ready the idle CPU is measured ({@code --idle-seconds}). */
  static final Duration IDLE_SETTLE = Duration.ofSeconds(60);

  @Option(names = "--managers", defaultValue = "3", description = "Manager daemons (default: ${DEFAULT-VALUE}).")
  int managers;

  @Option(names = "--nodes", defaultValue = "1000", description = "Hollow worker nodes (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--replicas", defaultValue = "100000", description = "Replicas in all (default: ${DEFAULT-VALUE}).")
  int replicas;

  @Option(names = "--services", defaultValue = "1", description = "Services the replicas are split over (default: "
      + "${DEFAULT-VALUE}).")
  int services;

  @Option(names = "--manager-heap", defaultValue = "768m", description = "-Xmx of each manager (default: "
      + "${DEFAULT-VALUE}).")
  String managerHeap;

  @Option(names = "--manager-java-opt", description = "An extra JVM option of each manager (repeatable), e.g."
      + " -Dorg.slf4j.simpleLogger.log.org.apache.ratis=info to log Raft elections with --keep-logs; a collector named"
      + " here (-XX:+UseSerialGC) replaces the managers' default (the parallel collector, as JSWARM_DAEMON_PROFILE="
      + "throughput).")
  List<String> managerJavaOpts = new ArrayList<>();

  @Option(names = "--hollow-heap", defaultValue = "2g", description = "-Xmx of the hollow nodes' process (default: "
      + "${DEFAULT-VALUE}).")
  String hollowHeap;

  @Option(names = "--timeout", defaultValue = "600", description = "Seconds each step may take (default: "
      + "${DEFAULT-VALUE}).")
  int timeout;

  @Option(names = "--election-tick", paramLabel = "N", description = "The swarm's Spec.Raft.ElectionTick (ticks of "
      + "100 ms; default: the swarm's default, 5 = 0.5-1 s elections).")
  Long electionTick;

  @Option(names = "--idle-seconds", defaultValue = "0", description = "Seconds over which the managers' CPU is "
      + "measured with every node Ready and no service, after 60 s to settle (default: ${DEFAULT-VALUE}, skipped).")
  int idleSeconds;

  @Option(names = "--skip-failover", description = "Do not kill the leader.")
  boolean skipFailover;

  @Option(names = "--keep-logs", description = "Copy the daemons' logs into DIR/<cluster dir>/ at the end "
      + "(default: they are removed with the cluster).")
  java.nio.file.Path keepLogs;

  @Override
  public Integer call() throws Exception {
    if (managers < 1 || nodes < 1 || replicas < 0 || services < 1) {
      throw new IllegalArgumentException("--managers, --nodes and --services must be at least 1, --replicas at least 0");
    }
    if (managers < 3 && !skipFailover) {
      throw new IllegalArgumentException("--managers " + managers + ": a leader kill needs at least 3 managers (a "
          + "quorum must survive); add --skip-failover");
    }
    ClusterScenario.Shape shape = new ClusterScenario.Shape(managers, nodes,
        managerOpts(),
        // C2 stays on in the hollow process: its two I/O threads do every node's TLS handshakes, and at C1 only the
        // EC arithmetic of a reconnect storm (1,000 nodes) held them so long that connects timed out
        List.of("-Xmx" + hollowHeap, "-Xss256k", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-XX:+UseSerialGC"),
        Duration.ofSeconds(timeout), electionTick);
    System.out.printf("Cluster benchmark: %d managers (processes, %s, drained), %d hollow nodes (one process), "
        + "%d replicas in %d service(s); %d cores%n", managers, String.join(" ", managerOpts()), nodes, replicas, services,
        Runtime.getRuntime().availableProcessors());
    Map<String, Boolean> goals = new LinkedHashMap<>();
    try (ClusterScenario sc = new ClusterScenario(shape, System.out, keepLogs)) {
      long t0 = System.nanoTime();
      sc.startManagers();
      step("managers up (swarm init + joins + drain)", seconds(t0));
      sc.startHollow();
      step("all " + nodes + " nodes Ready", sc.awaitNodesReady());
      if (idleSeconds > 0) {
        idleCpu(sc);
      }
      String probe = sc.createService("bench-probe", PROBE_REPLICAS);
      sc.awaitRunning(PROBE_REPLICAS);

      double cpuBefore = totalCpu(sc);
      Latencies lat = new Latencies(sc, probe);
      Thread sampler = new Thread(lat, "api-latency");
      sampler.start();
      long c0 = System.nanoTime();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < services; i++) {
        int share = replicas / services + (i < replicas % services ? 1 : 0);
        ids.add(sc.createService("bench-" + i, share));
      }
      sc.awaitRunning(replicas + PROBE_REPLICAS);
      double create = seconds(c0);
      lat.stop();
      sampler.join();
      double rate = replicas / create;
      step(String.format("create %d replicas -> all RUNNING (%.0f tasks/s)", replicas, rate), create);
      double cpu = totalCpu(sc) - cpuBefore;
      System.out.printf("  managers' CPU meanwhile: %.1f s (%.2f ms per task; load average now %s)%n", cpu,
          replicas == 0 ? 0 : cpu * 1000 / replicas, loadAverage());
      double worstP99 = 0;
      for (Map.Entry<String, List<Double>> en : lat.samples().entrySet()) {
        List<Double> ms = en.getValue();
        double p99 = pct(ms, 0.99);
        worstP99 = Math.max(worstP99, p99);
        System.out.printf("  %-34s %6d calls  p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms%n", en.getKey(), ms.size(),
            pct(ms, 0.5), p99, pct(ms, 1.0));
      }
      goals.put(String.format("create -> RUNNING >= %.0f tasks/s (%.0f)", GOAL_TASKS_PER_SECOND, rate),
          rate >= GOAL_TASKS_PER_SECOND);
      goals.put(String.format("API p99 <= %.0f ms during it (%.1f)", GOAL_API_P99_MS, worstP99),
          worstP99 <= GOAL_API_P99_MS && !lat.samples().values().stream().allMatch(List::isEmpty));
      long psT0 = System.nanoTime();
      int listed = sc.tasks(ids.get(0)).size();
      step("service ps of the big service (" + listed + " tasks)", seconds(psT0));
      printUsage(sc);

      if (!skipFailover) {
        ClusterScenario.Failover f = sc.failover(ids.get(0));
        System.out.printf("kill -9 leader %s with %d nodes connected at %s (the daemons' log clock; load average now"
            + " %s):%n", f.killed(), nodes, f.killedAt(), loadAverage());
        System.out.printf("  new leader shown by node ls after %.2f s%n", f.newLeaderSeconds());
        step("  first accepted write", f.firstWriteSeconds());
        step("  every session back", f.sessionsBackSeconds());
        System.out.printf("  nodes marked down: %d%n", f.nodesDown());
        printTimeline(sc, f);
        goals.put(String.format("failover <= %.0f s to the first write (%.2f)", GOAL_FAILOVER_SECONDS,
            f.firstWriteSeconds()), f.firstWriteSeconds() >= 0 && f.firstWriteSeconds() <= GOAL_FAILOVER_SECONDS);
        goals.put("no node marked down by the failover (" + f.nodesDown() + ")", f.nodesDown() == 0);
      }

      long s0 = System.nanoTime();
      for (String id : ids) {
        sc.scale(id, 0);
      }
      sc.awaitRunning(PROBE_REPLICAS);
      step("scale to 0 -> none running", seconds(s0));
      List<ClusterScenario.Usage> usage = printUsage(sc);
      long peak = usage.stream().mapToLong(ClusterScenario.Usage::peakRssMb).max().orElse(0);
      goals.put("every manager <= " + GOAL_RSS_MB + " MB RSS (peak " + peak + " MB)", peak <= GOAL_RSS_MB);
      long[] raft = sc.raftSizes();
      System.out.printf("Raft on %s: log %.1f MB, snapshots %.1f MB%n", sc.live().name, raft[0] / 1e6, raft[1] / 1e6);
    }
    System.out.println("Goals:");
    int met = 0;
    for (Map.Entry<String, Boolean> g : goals.entrySet()) {
      System.out.println("  " + (g.getValue() ? "MET     " : "NOT MET ") + g.getKey());
      met += g.getValue() ? 1 : 0;
    }
    System.out.printf("%d of %d goals met%n", met, goals.size());
    return 0;
  }

  /**
   * The managers' JVM options: the heap, {@link #MANAGER_COLLECTOR} unless {@code --manager-java-opt} names a collector
   * (e.g. {@code -XX:+UseSerialGC}, the footprint profile's, for a side-by-side run), then those options.
   */
  List<String> managerOpts() {
    boolean collectorNamed = managerJavaOpts.stream().anyMatch(o -> o.matches("-XX:\\+Use\\w+GC"));
    return Stream.concat(Stream.concat(Stream.of("-Xmx" + managerHeap),
        collectorNamed ? Stream.<String>empty() : Stream.of(MANAGER_COLLECTOR)), managerJavaOpts.stream()).toList();
  }

  /**
   * The fixed cost of the nodes: each manager's CPU per second with every node connected (sessions, heartbeats,
   * the leader's deadlines) and nothing else to do, so that the create's CPU per task can be read above it. It waits
   * {@link #IDLE_SETTLE} first: the agents' TLS warm-ups (a full handshake with each other manager within a minute
   * of a session opening, worker {@code TlsWarmup}) and the JIT compiling what the joins ran are not the fixed cost.
   */
  private void idleCpu(ClusterScenario sc) throws IOException, InterruptedException {
    Thread.sleep(IDLE_SETTLE.toMillis());
    String leader = sc.leader().name;
    Map<String, Double> before = new LinkedHashMap<>();
    sc.usage().forEach(u -> before.put(u.manager(), u.cpuSeconds()));
    long t0 = System.nanoTime();
    Thread.sleep(idleSeconds * 1000L);
    double wall = seconds(t0);
    System.out.printf("idle with %d nodes Ready, no service (%.0f s, load average now %s):%n", nodes, wall,
        loadAverage());
    for (ClusterScenario.Usage u : sc.usage()) {
      double cpu = u.cpuSeconds() - before.getOrDefault(u.manager(), u.cpuSeconds());
      System.out.printf("  manager %s%s: %.1f %% of a core (%.0f us per node per second)%n", u.manager(),
          u.manager().equals(leader) ? " (leader)" : "", cpu * 100 / wall, cpu * 1e6 / wall / nodes);
    }
  }

  private static double totalCpu(ClusterScenario sc) {
    return sc.usage().stream().mapToDouble(ClusterScenario.Usage::cpuSeconds).sum();
  }

  private static String loadAverage() {
    return ClusterScenario.loadAverage();
  }

  private static List<ClusterScenario.Usage> printUsage(ClusterScenario sc) {
    List<ClusterScenario.Usage> usage = sc.usage();
    for (ClusterScenario.Usage u : usage) {
      System.out.printf("  manager %s: RSS %d MB (peak %d MB), CPU %.1f s%n", u.manager(), u.rssMb(), u.peakRssMb(),
          u.cpuSeconds());
    }
    return usage;
  }

  /** The failover's steps from the surviving managers' logs, and the parts of the time to the first write. */
  private static void printTimeline(ClusterScenario sc, ClusterScenario.Failover f) {
    Map<String, java.nio.file.Path> logs = new LinkedHashMap<>();
    for (Daemon d : sc.managers()) {
      logs.put(d.name, d.logFile());
    }
    double until = Math.max(f.firstWriteSeconds(), f.newLeaderSeconds()) + 1;
    List<FailoverTimeline.Step> steps = FailoverTimeline.read(logs, f.killedAt(), until);
    System.out.println("  the survivors' logs (seconds after the kill):");
    int shown = 0;
    for (FailoverTimeline.Step st : steps) {
      if (shown++ < 60) {
        System.out.printf("    +%5.2f %-4s %s%n", st.seconds(), st.manager(), st.text());
      }
    }
    FailoverTimeline.Parts p = FailoverTimeline.parts(steps);
    System.out.printf("  parts: leader found gone %s, elected %s, ready %s, first write %.2f s: detection %s, "
        + "election %s, new leader's start %s, ready -> first write %s%n", at(p.gone()), at(p.elected()),
        at(p.ready()), f.firstWriteSeconds(), span(0, p.gone()), span(p.gone(), p.elected()),
        span(p.elected(), p.ready()), span(p.ready(), f.firstWriteSeconds()));
  }

  private static String at(double s) {
    return s < 0 ? "-" : String.format("+%.2f s", s);
  }

  private static String span(double from, double to) {
    return from < 0 || to < 0 ? "-" : String.format("%.2f s", to - from);
  }

  private static void step(String what, double seconds) {
    System.out.printf("%-60s %8.2f s%n", what, seconds);
    System.out.flush();
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  static double pct(List<Double> sorted, double q) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = new ArrayList<>(sorted);
    Collections.sort(s);
    int i = (int) Math.ceil(q * s.size()) - 1;
    return s.get(Math.max(0, Math.min(s.size() - 1, i)));
  }

  /** Times {@code service ls}, {@code node ls} and {@code service ps} (of the probe service) in turn until stopped. */
  private static final class Latencies implements Runnable {
    private final ClusterScenario sc;
    private final String psPath;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Map<String, List<Double>> samples = new LinkedHashMap<>();

    Latencies(ClusterScenario sc, String probeId) {
      this.sc = sc;
      this.psPath = "/tasks?filters=" + URLEncoder.encode("{\"service\":{\"" + probeId + "\":true}}",
          StandardCharsets.UTF_8);
      samples.put("service ls (GET /services?status=1)", new ArrayList<>());
      samples.put("node ls (GET /nodes)", new ArrayList<>());
      samples.put("service ps, " + PROBE_REPLICAS + "-task service", new ArrayList<>());
    }

    @Override
    public void run() {
      String[] paths = {"/services?status=true", "/nodes", psPath};
      List<List<Double>> lists = new ArrayList<>(samples.values());
      int i = 0;
      while (!stop.get()) {
        Daemon d = sc.live();
        long t0 = System.nanoTime();
        try {
          Answer a = d.call("GET", paths[i % 3], null);
          if (a.status() == 200) {
            synchronized (samples) {
              lists.get(i % 3).add((System.nanoTime() - t0) / 1e6);
            }
          }
        } catch (IOException e) {
          // not counted: the failover step measures unavailability
        }
        i++;
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void stop() {
      stop.set(true);
    }

    Map<String, List<Double>> samples() {
      synchronized (samples) {
        return samples;
      }
    }
  }
}
