package io.jswarm.reliability.nemesis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jswarm.cli.cluster.MultiHostCluster;
import io.jswarm.cli.cluster.MultiHostCluster.Host;
import io.jswarm.reliability.check.Anomaly;
import io.jswarm.reliability.check.CasRegisterChecker;
import io.jswarm.reliability.check.LeakChecker;
import io.jswarm.reliability.check.LostWriteChecker;
import io.jswarm.reliability.check.SlotChecker;
import io.jswarm.reliability.check.TaskStateChecker;
import io.jswarm.reliability.history.History;
import io.jswarm.reliability.history.Op;
import io.jswarm.reliability.history.Outcome;
import io.jswarm.reliability.workload.ApiCalls;
import io.jswarm.reliability.workload.Clients;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One nemesis run: a cluster of {@code managers} managers and {@code workers} workers (simulated executor: tasks
 * are reported running without containers, which keeps a run fast and puts the weight on the control plane), each
 * in its own network namespace; concurrent {@link Clients}; seeded random {@link Faults} for {@code duration}; then
 * everything healed, the checkers run on the history, a flipped byte in a stopped manager's Raft storage (which
 * must be refused by name, then repaired), and the leak check after the cluster is gone. A run with anomalies
 * writes its seed, fault schedule, anomalies and history to a file, so that it can be read and replayed
 * ({@code --seed}).
 */
public final class NemesisRun {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long the cluster gets to settle after the last fault before the final reads. */
  static final Duration CONVERGE = Duration.ofSeconds(120);
  /** Longer than the manager's wait for stopping tasks to give a network's addresses back (NetworkRoutes). */
  private static final Duration NETWORK_REMOVE_TIMEOUT = Duration.ofSeconds(60);
  static final String API_PORT = ":" + MultiHostCluster.API_PORT;

  /**
   * What to run. {@code executor} is the daemons' ({@code simulated}: tasks reported running without containers;
   * {@code container}: real runc containers of the busybox test image on an overlay network, so that node-side
   * agreement and the leftovers of many container creations and removals are checked too).
   */
  public record Settings(long seed, Duration duration, int managers, int workers, int clients, Path reportDir,
      PrintStream out, String executor) {
    public Settings {
      if (!executor.equals("simulated") && !executor.equals("container")) {
        throw new IllegalArgumentException("executor: simulated or container, got \"" + executor + "\"");
      }
    }

    public Settings(long seed, Duration duration, int managers, int workers, int clients, Path reportDir,
        PrintStream out) {
      this(seed, duration, managers, workers, clients, reportDir, out, "simulated");
    }

    boolean containers() {
      return executor.equals("container");
    }
  }

  /** The overlay network the clients' services attach to. */
  static final String NETWORK = "nemnet";

  /**
   * What a run found; {@code report} is the failure file, or null when there were no anomalies. {@code
   * containersOnNodes} is how many task containers the nodes themselves showed in the last agreement check (0 with
   * the simulated executor), {@code hostResources} how many host resources the leftover check compared.
   */
  public record Result(int operations, int acknowledged, int unknown, int faults, Map<String, List<Anomaly>> anomalies,
      List<String> undecided, Path report, int containersOnNodes, int hostResources, List<Op> history,
      Map<String, Integer> faultsByKind) {
    /** Acknowledged service operations of one type (node label writes are not counted). */
    public int count(Op.Type type) {
      return (int) history.stream().filter(o -> o.type() == type && o.outcome() == Outcome.OK
          && !o.key().startsWith("node:")).count();
    }

    public int anomalyCount() {
      return anomalies.values().stream().mapToInt(List::size).sum();
    }
  }

  private final Settings s;
  private final History history = new History();
  private final ApiCalls api = new ApiCalls();
  private final Map<String, List<Anomaly>> anomalies = new LinkedHashMap<>();
  private List<Host> managers;
  private List<Host> all;
  private int containersOnNodes;
  private int hostResources;

  private NemesisRun(Settings s) {
    this.s = s;
    for (String c : List.of(CasRegisterChecker.NAME, LostWriteChecker.NAME, TaskStateChecker.NAME, SlotChecker.NAME,
        "restart", "corruption", LeakChecker.NAME)) {
      anomalies.put(c, new ArrayList<>());
    }
  }

  public static Result run(Settings s) throws Exception {
    return new NemesisRun(s).go();
  }

  private Result go() throws Exception {
    Random random = new Random(s.seed());
    String tag;
    Path base;
    List<String> undecided = List.of();
    int faults = 0;
    Map<String, Integer> byKind = new java.util.TreeMap<>();
    try (MultiHostCluster cluster = MultiHostCluster.create().executor(s.executor())
        .daemonArgs("--snapshot-interval", "200")) {
      tag = cluster.tag();
      base = cluster.baseDir();
      managers = new ArrayList<>();
      all = new ArrayList<>();
      Host m1 = cluster.init("m1", "\"Spec\":{\"Dispatcher\":{\"HeartbeatPeriod\":1000000000}}");
      managers.add(m1);
      for (int i = 2; i <= s.managers(); i++) {
        managers.add(cluster.join("m" + i, m1, "manager"));
      }
      all.addAll(managers);
      for (int i = 1; i <= s.workers(); i++) {
        all.add(cluster.join("w" + i, m1, "worker"));
      }
      await("every node ready", () -> readyNodes() == all.size());
      if (s.containers()) {
        for (Host h : all) {
          cluster.importBusybox(h);
        }
      }
      Map<Host, Set<String>> baseline = new LinkedHashMap<>();
      for (Host h : all) {
        baseline.put(h, NodeProbe.residue(h, h.daemon().dataRoot.getParent()));
        hostResources += baseline.get(h).size();
      }
      api.call(leaderOrFirst().address + API_PORT, "POST", "/networks/create",
          "{\"Name\":\"" + NETWORK + "\",\"Driver\":\"overlay\"}");
      List<String> serviceKeys = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        serviceKeys.add("nem" + i);
      }
      List<String> nodeKeys = all.stream().map(h -> h.name).toList();
      for (String n : nodeKeys) {
        labelNode(n);
      }
      s.out().printf("nemesis: seed %d, %d managers + %d workers (%s executor), %d clients, %d s%n",
          s.seed(), s.managers(), s.workers(), s.executor(), s.clients(), s.duration().toSeconds());
      String image = s.containers() ? "\"" + MultiHostCluster.BUSYBOX + "\",\"Command\":[\"sleep\",\"86400\"]"
          : "\"busybox\"";
      Clients clients = new Clients(history, () -> managers.get(ThreadLocalRandom.current().nextInt(managers.size()))
          .address + API_PORT, serviceKeys, nodeKeys,
          "{\"ContainerSpec\":{\"Image\":" + image + "},\"Networks\":[{\"Target\":\"" + NETWORK + "\"}]}");
      Faults nemesis = new Faults(managers, all, this::leader, history, random);
      clients.start(s.clients(), s.seed());
      long end = System.nanoTime() + s.duration().toNanos();
      Faults.Kind[] kinds = Faults.Kind.values();
      while (System.nanoTime() < end) {
        Thread.sleep(2000 + random.nextInt(3000));
        Faults.Kind kind = kinds[random.nextInt(kinds.length)];
        try {
          nemesis.inject(kind);
          faults++;
          byKind.merge(kind.name().toLowerCase(java.util.Locale.ROOT), 1, Integer::sum);
        } catch (Exception e) {
          history.fault("could not inject " + kind + ": " + e.getMessage());
        }
        Thread.sleep(3000 + random.nextInt(7000));
        nemesis.healAll();
      }
      Thread.sleep(3000);
      clients.stop();
      nemesis.healAll();
      nemesis.failedRestarts().forEach(f -> anomalies.get("restart").add(new Anomaly("restart", f.split(":")[0],
          "did not come back after a fault: " + f)));
      await("a leader and every node ready after healing", () -> readyNodes() == all.size());
      undecided = checkHistory();
      int flips = flipAByteInAStoppedManager(random);
      faults += flips;
      byKind.merge("flipped_byte", flips, Integer::sum);
      await("every node ready after the repaired manager's restart", () -> readyNodes() == all.size());
      anomalies.get(LeakChecker.NAME).addAll(leftoversAfterRemovingEverything(baseline));
      if (anomalies.values().stream().anyMatch(l -> !l.isEmpty())) {
        keepLogs();
      }
    }
    anomalies.get(LeakChecker.NAME).addAll(new LeakChecker().check(Set.of(), LeakChecker.snapshot(tag, base)));
    List<Op> ops = history.ops();
    int ok = (int) ops.stream().filter(o -> o.outcome() == Outcome.OK).count();
    int unknown = (int) ops.stream().filter(o -> o.outcome() == Outcome.UNKNOWN).count();
    // keys the checker could not decide are no verdict either: their history is kept for `--check`
    Path report = anomalies.values().stream().allMatch(List::isEmpty) && undecided.isEmpty() ? null : writeReport();
    return new Result(ops.size(), ok, unknown, faults, anomalies, undecided, report, containersOnNodes, hostResources, ops,
        byKind);
  }

  /** Runs checkers (a)-(d) on the history and the healed cluster; returns the keys (a) could not decide. */
  private List<String> checkHistory() throws Exception {
    List<Op> ops = history.ops();
    CasRegisterChecker cas = new CasRegisterChecker();
    anomalies.get(CasRegisterChecker.NAME).addAll(cas.check(ops));
    Map<String, String> finalValues = new HashMap<>();
    Host via = leaderOrFirst();
    for (JsonNode svc : get(via, "/services")) {
      JsonNode l = svc.path("Spec").path("Labels").path(Clients.LABEL);
      finalValues.put(svc.path("Spec").path("Name").asText(), l.isMissingNode() ? null : l.asText());
    }
    for (JsonNode n : get(via, "/nodes")) {
      JsonNode l = n.path("Spec").path("Labels").path(Clients.LABEL);
      finalValues.put("node:" + n.path("Description").path("Hostname").asText(), l.isMissingNode() ? null : l.asText());
    }
    anomalies.get(LostWriteChecker.NAME).addAll(new LostWriteChecker().check(ops, finalValues));
    anomalies.get(TaskStateChecker.NAME).addAll(new TaskStateChecker().check(new ArrayList<>(history.observations())));
    // (d): once the orchestrator has caught up, one running task per slot
    Map<String, Integer> replicas = new HashMap<>();
    for (JsonNode svc : get(via, "/services")) {
      replicas.put(svc.path("ID").asText(), svc.path("Spec").path("Mode").path("Replicated").path("Replicas").asInt(1));
    }
    List<Anomaly> slots = List.of();
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    do {
      List<SlotChecker.Task> tasks = new ArrayList<>();
      for (JsonNode t : get(leaderOrFirst(), "/tasks")) {
        tasks.add(new SlotChecker.Task(t.path("ID").asText(), t.path("ServiceID").asText(), t.path("Slot").asInt(),
            t.path("NodeID").asText(null), t.path("DesiredState").asText(), t.path("Status").path("State").asText()));
      }
      slots = new SlotChecker().check(replicas, tasks, s.containers() ? tasksOnNodes() : Map.of());
      if (!slots.isEmpty()) {
        Thread.sleep(1000);
      }
    } while (!slots.isEmpty() && System.nanoTime() < deadline);
    for (Anomaly a : slots) { // name what the managers say of each task a node disagrees on
      StringBuilder detail = new StringBuilder(a.detail());
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b[a-z0-9]{25}\\b").matcher(a.detail());
      while (a.subject().startsWith("node ") && m.find()) {
        ApiCalls.Answer t = api.call(leaderOrFirst().address + API_PORT, "GET", "/tasks/" + m.group(), null);
        detail.append("\n    managers' task ").append(m.group()).append(": ").append(t.status()).append(' ')
            .append(t.body().strip());
      }
      anomalies.get(SlotChecker.NAME).add(new Anomaly(a.checker(), a.subject(), detail.toString()));
    }
    return cas.undecided();
  }

  /** Node id -> tasks whose containers run on that host, for every host whose daemon is up. */
  private Map<String, Set<String>> tasksOnNodes() throws IOException {
    Map<String, String> idByHost = new HashMap<>();
    for (JsonNode n : get(leaderOrFirst(), "/nodes")) {
      idByHost.put(n.path("Description").path("Hostname").asText(), n.path("ID").asText());
    }
    Map<String, Set<String>> out = new HashMap<>();
    for (Host h : all) {
      if (h.daemon().alive() && idByHost.containsKey(h.name)) {
        out.put(idByHost.get(h.name), NodeProbe.runningTasks(h));
      }
    }
    containersOnNodes = out.values().stream().mapToInt(Set::size).sum();
    return out;
  }

  /**
   * Checker (e) on the live cluster: removes every service and the network, waits until no container runs, then
   * compares each host's links, addresses, nftables rules, mounts and cgroups with what it had before the workload
   * (up to {@link #CONVERGE} for the daemons to finish cleaning up).
   */
  private List<Anomaly> leftoversAfterRemovingEverything(Map<Host, Set<String>> baseline) throws Exception {
    await("every service removed", () -> {
      Host via = leaderOrFirst();
      JsonNode services = get(via, "/services");
      for (JsonNode svc : services) {
        api.call(via.address + API_PORT, "DELETE", "/services/" + svc.path("ID").asText(), null);
      }
      return services.isEmpty();
    });
    long removing = System.nanoTime();
    await("the overlay network removed", () -> {
      // the manager holds a remove for up to 45 s while stopping tasks still hold addresses on the network, and a
      // `sleep` that is its container's PID 1 ignores SIGTERM, so each takes the whole 10 s stop grace period
      int status = api.call(leaderOrFirst().address + API_PORT, "DELETE", "/networks/" + NETWORK, null,
          NETWORK_REMOVE_TIMEOUT).status();
      return status == 204 || status == 200 || status == 404;
    });
    s.out().printf("the overlay network was removed %.1f s after the last service%n",
        (System.nanoTime() - removing) / 1e9);
    List<Anomaly> left = new ArrayList<>();
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    do {
      left.clear();
      for (Map.Entry<Host, Set<String>> e : baseline.entrySet()) {
        Set<String> now = NodeProbe.residue(e.getKey(), e.getKey().daemon().dataRoot.getParent());
        now.removeAll(e.getValue());
        now.forEach(r -> left.add(new Anomaly(LeakChecker.NAME, e.getKey().name + " " + r,
            "left on the host after every service and network was removed")));
      }
      if (!left.isEmpty()) {
        Thread.sleep(1000);
      }
    } while (!left.isEmpty() && System.nanoTime() < deadline);
    return left;
  }

  /**
   * Between runs: stop a follower manager, flip a byte in its newest snapshot (or a log segment), and check that
   * its restart is refused with the file named; then flip it back and restart it. Returns the faults injected.
   */
  private int flipAByteInAStoppedManager(Random random) throws Exception {
    Host leader = leader();
    List<Host> followers = new ArrayList<>(managers);
    followers.remove(leader);
    Host h = followers.get(random.nextInt(followers.size()));
    h.kill();
    Path file = damageable(h.daemon().dataRoot.resolve("raft"));
    if (file == null) {
      h.daemon().relaunch();
      return 0;
    }
    long at = Files.size(file) / 2;
    flip(file, at);
    history.fault("flipped byte " + at + " of " + file + " on stopped " + h.name);
    try {
      h.daemon().relaunch();
    } catch (AssertionError exited) {
      // expected: the daemon exits when its manager refuses the damaged file
    }
    for (int i = 0; i < 40 && h.daemon().alive(); i++) {
      Thread.sleep(500);
    }
    String log = Files.readString(h.daemon().logFile());
    boolean named = log.contains(file.getFileName() + "") && log.contains("is corrupt");
    if (h.daemon().alive() || !named) {
      anomalies.get("corruption").add(new Anomaly("corruption", file.toString(), h.daemon().alive()
          ? "the manager started on a damaged file" : "the refusal does not name the file"));
    }
    h.kill();
    flip(file, at);
    history.fault("restored " + file + "; restart " + h.name);
    h.daemon().relaunch();
    return 1;
  }

  /** The newest snapshot, else a closed segment, else the open segment, under a manager's Raft directory. */
  private static Path damageable(Path raftDir) throws IOException {
    List<Path> files;
    try (var walk = Files.walk(raftDir)) {
      files = walk.filter(Files::isRegularFile).filter(p -> !p.toString().contains("before-force-new-cluster"))
          .toList();
    }
    for (String pattern : List.of("snapshot\\.\\d+_\\d+", "log_\\d+-\\d+", "log_inprogress_\\d+")) {
      Path best = null;
      for (Path p : files) {
        if (p.getFileName().toString().matches(pattern) && Files.size(p) > 64
            && (best == null || p.toFile().lastModified() > best.toFile().lastModified())) {
          best = p;
        }
      }
      if (best != null) {
        return best;
      }
    }
    return null;
  }

  private static void flip(Path file, long at) throws IOException {
    try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(at);
      int b = raf.read();
      raf.seek(at);
      raf.write(b ^ 0x5a);
    }
  }

  /** Sets label {@link Clients#LABEL}=init on a node and records it as the register's first write. */
  private void labelNode(String host) throws Exception {
    await("label on " + host, () -> {
      Host via = leaderOrFirst();
      JsonNode n = get(via, "/nodes/" + host);
      com.fasterxml.jackson.databind.node.ObjectNode spec = (com.fasterxml.jackson.databind.node.ObjectNode) n.path("Spec");
      spec.with("Labels").put(Clients.LABEL, "init");
      long t0 = history.now();
      ApiCalls.Answer a = api.call(via.address + API_PORT, "POST", "/nodes/" + n.path("ID").asText()
          + "/update?version=" + n.path("Version").path("Index").asLong(), spec.toString());
      if (a.status() == 200) {
        history.add(Op.create(-1, "node:" + host, "init", t0, history.now(), Outcome.OK));
        return true;
      }
      return false;
    });
  }

  private int readyNodes() {
    try {
      int n = 0;
      for (JsonNode node : get(leaderOrFirst(), "/nodes")) {
        if (node.path("Status").path("State").asText().equals("ready")) {
          n++;
        }
      }
      return n;
    } catch (IOException e) {
      return -1;
    }
  }

  /** The leader's host as a manager reports it, or null. */
  private Host leader() {
    for (Host m : managers) {
      if (!m.daemon().alive()) {
        continue;
      }
      try {
        ApiCalls.Answer a = api.call(m.address + API_PORT, "GET", "/nodes", null);
        if (a.status() != 200 || a.stale()) {
          continue;
        }
        for (JsonNode n : JSON.readTree(a.body())) {
          if (n.path("ManagerStatus").path("Leader").asBoolean()) {
            String host = n.path("Description").path("Hostname").asText();
            return managers.stream().filter(h -> h.name.equals(host)).findFirst().orElse(null);
          }
        }
      } catch (IOException e) {
        // try the next manager
      }
    }
    return null;
  }

  private Host leaderOrFirst() {
    Host l = leader();
    return l != null ? l : managers.stream().filter(h -> h.daemon().alive()).findFirst().orElse(managers.get(0));
  }

  private JsonNode get(Host via, String path) throws IOException {
    ApiCalls.Answer a = api.call(via.address + API_PORT, "GET", path, null);
    if (a.status() != 200) {
      throw new IOException("GET " + path + " on " + via.name + ": " + a.status() + " " + a.body());
    }
    return JSON.readTree(a.body());
  }

  private interface Probe {
    boolean ok() throws Exception;
  }

  /**
   * Polls until {@code p} holds. A call that fails or times out on the way (a manager still electing, a slow remove)
   * is a "not yet"; only the deadline ends the wait, naming the last such failure.
   */
  private static void await(String what, Probe p) throws Exception {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    IOException last = null;
    while (true) {
      try {
        if (p.ok()) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + CONVERGE.toSeconds() + " s waiting for " + what
            + (last == null ? "" : "; the last call failed with " + last), last);
      }
      Thread.sleep(500);
    }
  }

  /** Copies every daemon's log next to the report before the cluster (and its directory) goes. */
  private void keepLogs() throws IOException {
    Path dir = s.reportDir().resolve("nemesis-seed" + s.seed() + "-logs");
    Files.createDirectories(dir);
    for (Host h : all) {
      if (Files.exists(h.daemon().logFile())) {
        Files.copy(h.daemon().logFile(), dir.resolve(h.name + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    s.out().println("daemon logs kept in " + dir);
  }

  private Path writeReport() throws IOException {
    Files.createDirectories(s.reportDir());
    Path f = s.reportDir().resolve("nemesis-seed" + s.seed() + "-" + System.currentTimeMillis() + ".txt");
    StringBuilder b = new StringBuilder();
    b.append("seed ").append(s.seed()).append("\nsettings ").append(s.managers()).append(" managers, ")
        .append(s.workers()).append(" workers, ").append(s.clients()).append(" clients, ")
        .append(s.duration().toSeconds()).append(" s\nreplay: jswarm bench nemesis --seed ").append(s.seed())
        .append(" --managers ").append(s.managers()).append("\n\n== anomalies\n");
    anomalies.forEach((c, list) -> list.forEach(a -> b.append(a).append('\n')));
    b.append("\n== nemesis schedule\n");
    history.faults().forEach(x -> b.append(x).append('\n'));
    b.append("\n== history (times in ns since start)\n");
    history.ops().forEach(o -> b.append(o).append('\n'));
    Files.writeString(f, b.toString());
    return f;
  }
}
