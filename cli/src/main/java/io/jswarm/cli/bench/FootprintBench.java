package io.jswarm.cli.bench;

import io.jswarm.transport.net.FreePorts;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.jswarm.cli.client.ApiClient;
import io.jswarm.cli.client.DaemonAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The daemon's and the CLI's footprint against the goals of issue 18: starts {@code bin/jswarm daemon} (with the
 * JVM options {@code bin/jswarm} gives a daemon) as a single-node swarm running real containers, measures its
 * resident memory idle and with {@code --containers} running busybox tasks, then the wall time of {@code service
 * ls}, {@code node ls} and {@code service ps} through {@code bin/jswarm} and through the docker client on the same
 * socket ({@code --verbs all}: also the other client verbs, most used first). Prints one table with the goals.
 * Everything it made is removed at the end.
 */
@Command(name = "footprint", description = "Daemon RSS idle and with N containers, CLI wall times vs the docker "
    + "client, against the goals.")
public final class FootprintBench implements Callable<Integer> {
  static final long IDLE_GOAL_MB = 120;
  static final long LOADED_GOAL_MB = 167;
  static final long CLI_GOAL_MS = 100;
  /** Seconds after convergence when the start burst's idle threads have left their cached pools (60 s keep-alive). */
  static final int BURST_THREADS_RETIRED_S = 75;
  private static final String IMAGE = "127.0.0.1:9/jswarm/footprint:1";

  @Option(names = "--containers", defaultValue = "100", description = "Running containers to measure with (default: ${DEFAULT-VALUE}).")
  int containers;

  @Option(names = "--runs", defaultValue = "11", description = "Runs of each CLI command (default: ${DEFAULT-VALUE}; the median is printed).")
  int runs;

  @Option(names = "--runtime", defaultValue = "runc", description = "runc or crun (default: ${DEFAULT-VALUE}).")
  String runtime;

  @Option(names = "--jswarm", description = "The launcher to measure (default: bin/jswarm beside the jar).")
  Path jswarm;

  @Option(names = "--docker", defaultValue = "/usr/local/bin/docker", description = "The docker client to compare "
      + "with (default: ${DEFAULT-VALUE}; skipped when missing).")
  Path docker;

  @Option(names = "--verbs", defaultValue = "listings", description = "Client verbs to time: listings (service ls, "
      + "node ls, service ps) or all (also inspect, version, info, secret/config/stack ls, scale, update, logs, "
      + "join-token; timed after the RSS rows) (default: ${DEFAULT-VALUE}).")
  String verbs;

  @Option(names = "--settle", defaultValue = "10", description = "Seconds to wait before reading RSS (default: ${DEFAULT-VALUE}).")
  int settle;

  @Override
  public Integer call() throws Exception {
    if (containers < 0 || runs < 1) {
      throw new IllegalArgumentException("--containers must be at least 0 and --runs at least 1");
    }
    if (!verbs.equals("listings") && !verbs.equals("all")) {
      throw new IllegalArgumentException("--verbs must be listings or all, not '" + verbs + "'");
    }
    Path launcher = jswarm != null ? jswarm : defaultLauncher();
    Path dir = Files.createTempDirectory("jswarm-footprint");
    String tag = Long.toString(ProcessHandle.current().pid());
    String cgroupParent = "jswarm-fp-" + tag;
    String bridge = "jswfp" + tag;
    Path sock = dir.resolve("jswarm.sock");
    int clusterPort = FreePorts.pick();
    List<String> cmd = List.of(launcher.toString(), "daemon", "--data-root", dir.resolve("data").toString(),
        "--exec-root", dir.resolve("exec").toString(), "-H", "unix://" + sock, "--cluster-port",
        Integer.toString(clusterPort), "--raft-port", Integer.toString(FreePorts.pick()), "--runtime", runtime,
        "--cgroup-parent", cgroupParent, "--bridge-name", bridge, "--bridge-subnet",
        "172.30." + (Long.parseLong(tag) % 200 + 20) + ".0/24", "--node-name", "footprint");
    Process daemon = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("daemon.log").toFile()).start();
    ApiClient api = new ApiClient(DaemonAddress.parse("unix://" + sock));
    try {
      await(Duration.ofSeconds(60), "the daemon's socket (log: " + dir.resolve("daemon.log") + ")",
          () -> daemon.isAlive() && Files.exists(sock) && ping(api));
      api.call("POST", "/swarm/init", ("{\"AdvertiseAddr\":\"127.0.0.1:" + clusterPort + "\",\"ListenAddr\":\"127.0.0.1:"
          + clusterPort + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      api.call("POST", "/images/create?fromSrc=-&repo=127.0.0.1:9/jswarm/footprint&tag=1", rootfsTar(dir));
      long idle = settledRssMb(daemon.pid());
      String spec = "{\"Name\":\"fp\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"" + IMAGE + "\","
          + "\"Args\":[\"sleep\",\"1000000\"]}},\"Mode\":{\"Replicated\":{\"Replicas\":" + containers + "}}}";
      long start = System.nanoTime();
      api.call("POST", "/services/create", spec.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      await(Duration.ofMinutes(15), containers + " running containers", () -> running(api) == containers);
      long converged = System.nanoTime();
      double convergeS = (converged - start) / 1e9;
      long loaded = settledRssMb(daemon.pid());
      String host = "unix://" + sock;
      boolean haveDocker = Files.isExecutable(docker);
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"daemon RSS idle (swarm init)", idle + " MB", "", "<= " + IDLE_GOAL_MB + " MB",
          idle <= IDLE_GOAL_MB ? "yes" : "NO"});
      rows.add(new String[] {"daemon RSS, " + containers + " running " + runtime + " containers, after " + settle + " s",
          loaded + " MB", "",
          "<= " + LOADED_GOAL_MB + " MB", loaded <= LOADED_GOAL_MB ? "yes" : "NO"});
      for (List<String> verb : LISTINGS) {
        rows.add(timeVerb(launcher, haveDocker, host, verb, true));
      }
      // the start burst's threads (a runtime call per container: the task pool's workers, the JDK's process
      // reapers) idle out of their cached pools after 60 s; what the daemon keeps for N containers is measured after
      long wait = TimeUnit.SECONDS.toNanos(BURST_THREADS_RETIRED_S) - (System.nanoTime() - converged);
      if (wait > 0) {
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(wait));
      }
      long steady = settledRssMb(daemon.pid(), 0);
      rows.add(2, new String[] {"daemon RSS, " + containers + " containers, after " + BURST_THREADS_RETIRED_S + " s",
          steady + " MB", "", "<= " + LOADED_GOAL_MB + " MB", steady <= LOADED_GOAL_MB ? "yes" : "NO"});
      if (verbs.equals("all")) { // after the RSS rows: the write verbs change the service (without restarting tasks)
        api.call("POST", "/secrets/create", "{\"Name\":\"fp\",\"Data\":\"Zm9vdHByaW50\"}".getBytes(UTF_8));
        api.call("POST", "/configs/create", "{\"Name\":\"fp\",\"Data\":\"Zm9vdHByaW50\"}".getBytes(UTF_8));
        String self = api.getTree("/info").path("Swarm").path("NodeID").asText();
        for (List<String> verb : moreVerbs(containers, self)) {
          rows.add(timeVerb(launcher, haveDocker, host, verb,
              !DOCKER_LACKS.contains(verb.get(0)) && !verb.contains("--pretty")));
        }
      }
      System.out.printf("%s; %d containers converged in %.1f s; load average %s%n", launcher, containers, convergeS,
          loadAverage());
      System.out.printf("%-64s %10s %10s %12s %5s%n", "measure", "jswarm", "docker", "goal", "met");
      for (String[] r : rows) {
        System.out.printf("%-64s %10s %10s %12s %5s%n", (Object[]) r);
      }
      return 0;
    } finally {
      try {
        api.call("POST", "/swarm/leave?force=true", null);
      } catch (RuntimeException e) {
        System.err.println("footprint: swarm leave failed (" + e.getMessage() + "); removing what is left");
      }
      daemon.destroy();
      if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
        daemon.destroyForcibly().waitFor();
      }
      new ProcessBuilder("sh", "-c", "ip link del " + bridge + " 2>/dev/null; nft delete table ip " + bridge
          + " 2>/dev/null; for d in /sys/fs/cgroup/*/" + cgroupParent
          + "; do [ -d $d ] && rmdir $d/* $d 2>/dev/null; done; umount -R " + dir + "/data 2>/dev/null; true")
          .start().waitFor();
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static Path defaultLauncher() throws Exception {
    Path jar = Path.of(FootprintBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path bin = jar.getParent().getParent().getParent().resolve("bin").resolve("jswarm");
    if (!Files.isExecutable(bin)) {
      throw new IllegalArgumentException("--jswarm: no bin/jswarm beside " + jar + "; give its path");
    }
    return bin;
  }

  private static boolean ping(ApiClient api) {
    try {
      return api.call("GET", "/_ping", null).status() == 200;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static int running(ApiClient api) {
    var services = api.getTree("/services?status=true");
    return services.size() == 0 ? 0 : services.get(0).path("ServiceStatus").path("RunningTasks").asInt();
  }

  /** The median of five VmRSS samples a second apart, after {@link #settle} seconds. */
  private long settledRssMb(long pid) throws Exception {
    return settledRssMb(pid, settle);
  }

  private static long settledRssMb(long pid, int settleSeconds) throws Exception {
    Thread.sleep(settleSeconds * 1000L);
    List<Long> kb = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          kb.add(Long.parseLong(line.substring(6).trim().split("\\s+")[0]));
        }
      }
      Thread.sleep(1000);
    }
    return median(kb) / 1024;
  }

  /** The everyday listings, always timed. */
  static final List<List<String>> LISTINGS =
      List.of(List.of("service", "ls"), List.of("node", "ls"), List.of("service", "ps", "fp"));
  /** jswarm verbs the docker client has not (or has with another meaning): no docker column. */
  private static final List<String> DOCKER_LACKS = List.of("version");

  /**
   * The other client verbs {@code --verbs all} times, most used first: the service {@code fp} of {@code replicas}
   * tasks, the secret and config {@code fp}, this node ({@code selfId}: the docker client's {@code node promote} takes
   * no {@code self}). The write verbs leave every task running: the same replica count, a service label, this node
   * promoted (it is the manager already: read, nothing written), services of no replicas created last.
   */
  static List<List<String>> moreVerbs(int replicas, String selfId) {
    return List.of(List.of("service", "inspect", "fp"), List.of("service", "inspect", "--pretty", "fp"),
        List.of("node", "inspect", "self"), List.of("version"), List.of("info"), List.of("secret", "ls"),
        List.of("config", "ls"),
        List.of("stack", "ls"), List.of("network", "ls"), List.of("volume", "ls"), List.of("image", "ls"),
        List.of("service", "logs", "--tail", "1", "fp"), List.of("swarm", "join-token", "worker"),
        List.of("service", "scale", "-d", "fp=" + replicas),
        List.of("service", "update", "-d", "--label-add", "bench=1", "fp"), List.of("node", "promote", selfId),
        List.of("service", "create", "-d", "--replicas", "0", IMAGE, "sleep", "1d"));
  }

  /** One row: the median wall time of {@code verb} through jswarm and, when {@code dockerHasIt}, the docker client. */
  private String[] timeVerb(Path launcher, boolean haveDocker, String host, List<String> verb, boolean dockerHasIt)
      throws Exception {
    List<Long> ours = new ArrayList<>();
    List<Long> theirs = new ArrayList<>();
    boolean dockerFails = !(haveDocker && dockerHasIt);
    for (int i = 0; i < runs + 1; i++) {
      long a = timeMs(launcher.toString(), host, verb, true);
      long b = dockerFails ? -1 : timeMs(docker.toString(), host, verb, false);
      dockerFails |= b < 0; // a verb this daemon does not answer the docker client's way: n/a
      if (i > 0) { // the first run warms the page cache
        ours.add(a);
        theirs.add(b);
      }
    }
    long med = median(ours);
    return new String[] {"jswarm " + String.join(" ", verb) + " (median of " + runs + ")", med + " ms",
        dockerFails ? "n/a" : median(theirs) + " ms", "<= " + CLI_GOAL_MS + " ms", med <= CLI_GOAL_MS ? "yes" : "NO"};
  }

  /** The wall time of one run in ms; -1 when it fails and not {@code mustPass}. */
  private static long timeMs(String exe, String host, List<String> verb, boolean mustPass) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(exe, "-H", host));
    cmd.addAll(verb);
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    int rc = p.waitFor();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    if (rc != 0) {
      if (!mustPass) {
        return -1;
      }
      throw new IllegalStateException(String.join(" ", cmd) + " exited with " + rc);
    }
    return ms;
  }

  private static byte[] rootfsTar(Path dir) throws Exception {
    Path root = dir.resolve("rootfs");
    Files.createDirectories(root.resolve("bin"));
    Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
    for (String applet : List.of("sh", "sleep")) {
      Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
    }
    for (String d : List.of("etc", "tmp", "proc", "sys", "dev")) {
      Files.createDirectories(root.resolve(d));
    }
    Path tar = dir.resolve("rootfs.tar");
    if (new ProcessBuilder("tar", "-C", root.toString(), "-cf", tar.toString(), ".").inheritIO().start().waitFor() != 0) {
      throw new IOException("tar failed");
    }
    return Files.readAllBytes(tar);
  }

  static long median(List<Long> xs) {
    List<Long> s = new ArrayList<>(xs);
    s.sort(null);
    return s.get(s.size() / 2);
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }


  private static void await(Duration max, String what, java.util.function.BooleanSupplier cond) throws Exception {
    long end = System.nanoTime() + max.toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("timed out after " + max.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(200);
    }
  }
}
