package io.jswarm.cli.bench;

import io.jswarm.transport.net.FreePorts;
import io.jswarm.linux.FileTrees;
import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.types.Secret;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.crypto.AesGcmKey;
import io.jswarm.consensus.raft.RaftConfig;
import io.jswarm.consensus.raft.RaftStore;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.MemoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Committed store updates per second and commit latency, for Raft groups of 1 and 3 managers on loopback with
 * the log fsynced (Ratis' default). Each writer thread loops: read its own row, update it (compare-and-set),
 * wait until the update is committed and applied on the leader. Latency is measured around each update. Each cell
 * runs with log and snapshot encryption off and on (a group each, both started first), one right after the
 * other; {@code on/off} is the ratio of their throughputs.
 */
@Command(name = "raft", description = "Committed updates/s and p50/p99 commit latency of the Raft store.")
public final class RaftBench implements Callable<Integer> {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--managers", split = ",", defaultValue = "1,3", description = "Group sizes (default: ${DEFAULT-VALUE}).")
  List<Integer> managers;

  @Option(names = "--writers", split = ",", defaultValue = "1,16,128",
      description = "Concurrent writers (default: ${DEFAULT-VALUE}).")
  List<Integer> writers;

  @Option(names = "--readers", split = ",",
      description = "Also measure linearizable reads (a store view behind the read barrier) with these many concurrent"
          + " readers, on the leader and on a follower, each group size, the first --encryption setting (default: none).")
  List<Integer> readers = List.of();

  @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per cell (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--warmup", defaultValue = "3", description = "Warm-up seconds per cell (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--ratis", description = "Extra Ratis property KEY=VALUE (repeatable), e.g. to try tunings.")
  Map<String, String> ratis = new LinkedHashMap<>();

  @Option(names = "--dir", description = "Where the Raft logs go (default: a new directory under /var/tmp).")
  Path dir;

  @Option(names = "--encryption", split = ",", defaultValue = "off,on",
      description = "Log and snapshot encryption (AES-GCM with a data key) to measure, each cell run with every"
          + " setting one after the other (default: ${DEFAULT-VALUE}).")
  List<String> encryption;

  @Option(names = "--rounds", defaultValue = "1",
      description = "Runs of each cell per setting, the settings' order alternating between rounds; the medians are"
          + " shown (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--rows-per-update", defaultValue = "1",
      description = "Rows each update changes in one transaction: with more than 1 (or --row-bytes), each writer owns"
          + " that many task rows and moves their status as the dispatcher's status writer does; the store's own"
          + " writers (scheduler, orchestrator, status writer) change up to 200 per entry (default: ${DEFAULT-VALUE}).")
  int rowsPerUpdate;

  @Option(names = "--row-bytes", defaultValue = "0",
      description = "Pad each task row to about this many bytes of JSON (a real task row is about 1,000); 0 leaves"
          + " it bare (default: ${DEFAULT-VALUE}).")
  int rowBytes;

  @Option(names = "--compare-etcd",
      description = "Also run etcd 3.4 (/usr/bin/etcd, Debian's etcd-server) with the same member count on loopback,"
          + " each cell on both one after the other, and print both and the ratio jswarm/etcd; encryption off.")
  boolean compareEtcd;

  @Option(names = "--etcd-calibration", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "With --compare-etcd, per member count also: etcdctl check perf --load=l (60 s) against this"
          + " bench's etcd client, and the JSON gateway's cost (default: on; --no-etcd-calibration skips it).")
  boolean etcdCalibration;

  @Option(names = "--etcd-clients-per-connection", defaultValue = "10",
      description = "With --compare-etcd: clients sharing one HTTP/2 connection to etcd (default: ${DEFAULT-VALUE}, as in"
          + " etcd's benchmark setup of 100 connections for 1,000 clients; 1 = a connection each, as etcdctl check perf).")
  int etcdClientsPerConnection;

  @Override
  public Integer call() throws Exception {
    if (rowsPerUpdate < 1 || rowsPerUpdate > 10_000) {
      throw usage("--rows-per-update: expected 1 to 10000, got " + rowsPerUpdate);
    }
    if (rowBytes < 0 || rowBytes > 1_000_000) {
      throw usage("--row-bytes: expected 0 to 1000000, got " + rowBytes);
    }
    if (compareEtcd && taskRows()) {
      throw usage("--compare-etcd compares one bare row per update with one etcd key; leave out --rows-per-update"
          + " and --row-bytes");
    }
    Path base = dir != null ? dir : Files.createTempDirectory(Path.of("/var/tmp"), "jswarm-bench-");
    if (compareEtcd) {
      try {
        return new EtcdComparison(this, base).run();
      } finally {
        if (dir == null) {
          FileTrees.delete(base);
        }
      }
    }
    System.out.printf("Raft store benchmark: log fsync on, loopback, %d s per cell (+%d s warm-up), storage %s%n",
        seconds, warmup, base);
    for (String e : encryption) {
      if (!e.equals("on") && !e.equals("off")) {
        throw usage("--encryption: expected on, off or both (on,off), got " + e);
      }
    }
    if (encryption.contains("on")) {
      System.out.printf("AES-256-GCM seal + open of a 300-byte store batch, one thread: %.2f us%n", sealOpenMicros());
    }
    if (taskRows()) {
      System.out.printf("Each update moves the status of %d task row(s) of %d bytes of JSON in one transaction%n",
          rowsPerUpdate, taskBytes(task("bench-service", 127, rowBytes)));
    }
    System.out.printf("%-9s %-8s %-11s %12s %10s %10s %10s %12s %12s%n", "managers", "writers", "encryption",
        "updates/s", "p50 ms", "p99 ms", "max ms", "on/off", "rows/s");
    for (int m : managers) {
      // one group per setting, all started before measuring, so the settings share the machine's state
      Map<String, List<RaftStore>> groups = new LinkedHashMap<>();
      try {
        for (String e : encryption) {
          groups.put(e, startGroup(m, base.resolve("g" + m + "-" + e), e));
        }
        for (int w : writers) {
          Map<String, List<ClosedLoop.Result>> results = new HashMap<>();
          for (int round = 0; round < rounds; round++) {
            List<String> order = new ArrayList<>(encryption);
            if (round % 2 == 1) {
              java.util.Collections.reverse(order);
            }
            for (String e : order) {
              results.computeIfAbsent(e, k -> new ArrayList<>()).add(runJswarm(awaitLeader(groups.get(e)).store(), w));
            }
          }
          Map<String, Double> rate = new HashMap<>();
          for (String e : encryption) {
            ClosedLoop.Result r = ClosedLoop.median(results.get(e));
            rate.put(e, r.perSecond());
            String ratio = e.equals("on") && rate.containsKey("off")
                ? String.format("%.3f", rate.get("on") / rate.get("off")) : "";
            System.out.printf("%-9d %-8d %-11s %12.0f %10.2f %10.2f %10.2f %12s %12.0f%n", m, w, e, r.perSecond(),
                r.p50(), r.p99(), r.max(), ratio, r.perSecond() * rowsPerUpdate);
            System.out.flush();
          }
        }
        if (!readers.isEmpty()) {
          measureReads(m, groups.values().iterator().next());
        }
      } finally {
        for (List<RaftStore> group : groups.values()) {
          for (RaftStore s : group) {
            s.close();
          }
        }
      }
    }
    if (dir == null) {
      FileTrees.delete(base);
    }
    return 0;
  }

  /**
   * Linearizable reads/s and latency, on the leader and on a follower: each reader loops over one row's view. On a
   * group of several managers every read waits for an empty entry committed after it began (reads in flight share
   * one), on a single manager for Raft's read index.
   */
  private void measureReads(int m, List<RaftStore> group) throws InterruptedException {
    RaftStore leader = awaitLeader(group);
    String name = "bench-read-" + System.nanoTime();
    String id = leader.store().update(tx -> tx.secrets().create(row(name)).id);
    Map<String, RaftStore> where = new LinkedHashMap<>();
    where.put("leader", leader);
    group.stream().filter(s -> s != leader).findFirst().ifPresent(f -> where.put("follower", f));
    System.out.printf("%-9s %-8s %-11s %12s %10s %10s %10s%n", "managers", "readers", "on", "reads/s", "p50 ms",
        "p99 ms", "max ms");
    for (int r : readers) {
      for (Map.Entry<String, RaftStore> e : where.entrySet()) {
        MemoryStore store = e.getValue().store();
        ClosedLoop.Result res = ClosedLoop.run(r, warmup, seconds,
            (me, seq) -> store.view(tx -> tx.secrets().get(id)) != null);
        System.out.printf("%-9d %-8d %-11s %12.0f %10.2f %10.2f %10.2f%n", m, r, e.getKey(), res.perSecond(),
            res.p50(), res.p99(), res.max());
        System.out.flush();
      }
    }
  }

  /** What encryption adds per entry on one core: seal on the proposer, open in apply (on every manager). */
  private static double sealOpenMicros() throws Exception {
    AesGcmKey key = AesGcmKey.generate(new SecureRandom());
    byte[] batch = new byte[300];
    byte[] label = "bench".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    int n = 200_000;
    long best = Long.MAX_VALUE;
    for (int round = 0; round < 3; round++) { // the first round warms the JIT up
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        key.open(key.seal(batch, label), label);
      }
      best = Math.min(best, System.nanoTime() - t0);
    }
    return best / 1e3 / n;
  }

  /** The Secret row each writer updates: a name and a label map that gets {@code seq}. */
  private static Secret row(String name) {
    Secret s = new Secret();
    s.spec = new Secret.Spec();
    s.spec.name = name;
    s.spec.labels = new HashMap<>();
    return s;
  }

  /**
   * A running task of service {@code serviceId} in slot {@code slot}, with a {@code pad} label that brings its JSON to
   * about {@code bytes} once stored (0: no pad): the rows the scheduler, the orchestrator and the status writer write.
   */
  private static Task task(String serviceId, long slot, int bytes) {
    Task t = new Task();
    t.serviceId = serviceId;
    t.slot = slot;
    t.nodeId = "bench-node-" + (slot % 50);
    t.desiredState = TaskState.RUNNING;
    t.status = new Task.TaskStatus();
    t.status.state = TaskState.RUNNING;
    t.status.message = "started";
    t.status.timestamp = java.time.Instant.now().toString();
    t.labels = new HashMap<>();
    int pad = bytes - taskBytes(t) - "\"pad\":\"\",".length();
    if (pad > 0) {
      t.labels.put("pad", "x".repeat(pad));
    }
    return t;
  }

  /** The JSON size of task {@code t} once stored (an id, versions, times), without a store. */
  private static int taskBytes(Task t) {
    Task c = io.jswarm.api.json.Json.copy(t);
    c.id = "x".repeat(25);
    c.version = new io.jswarm.api.types.Version(1_000_000);
    c.createdAt = c.updatedAt = java.time.Instant.now().toString();
    return io.jswarm.api.json.Json.toBytes(c).length;
  }

  private picocli.CommandLine.ParameterException usage(String message) {
    return new picocli.CommandLine.ParameterException(spec != null ? spec.commandLine() : new picocli.CommandLine(this),
        message);
  }

  /** The encoded size of one writer's row after an update, as the store keeps and logs it. */
  static int rowSize(MemoryStore store) {
    String name = "bench-" + System.nanoTime() + "-127";
    String id = store.update(tx -> tx.secrets().create(row(name)).id);
    store.update(tx -> {
      Secret s = tx.secrets().get(id);
      s.spec.labels.put("seq", "1000000");
      return tx.secrets().update(s);
    });
    return io.jswarm.api.json.Json.toBytes(store.view(tx -> tx.secrets().get(id))).length;
  }

  /** Whether updates move task rows ({@code --rows-per-update} above 1 or {@code --row-bytes}), not one secret. */
  private boolean taskRows() {
    return rowsPerUpdate > 1 || rowBytes > 0;
  }

  /** One cell on the Raft store: {@link #taskRowUpdates} with {@link #taskRows}, else {@link #secretUpdates}. */
  ClosedLoop.Result runJswarm(MemoryStore store, int nWriters) throws InterruptedException {
    return taskRows() ? taskRowUpdates(store, nWriters) : secretUpdates(store, nWriters);
  }

  /** Each writer updates its own secret: read + compare-and-set on its version (what etcd is compared with). */
  private ClosedLoop.Result secretUpdates(MemoryStore store, int nWriters) throws InterruptedException {
    String[] ids = new String[nWriters];
    for (int i = 0; i < nWriters; i++) {
      String name = "bench-" + System.nanoTime() + "-" + i;
      ids[i] = store.update(tx -> tx.secrets().create(row(name)).id);
    }
    return ClosedLoop.run(nWriters, warmup, seconds, (me, seq) -> {
      try {
        store.update(tx -> {
          Secret s = tx.secrets().get(ids[me]);
          s.spec.labels.put("seq", Long.toString(seq));
          return tx.secrets().update(s);
        });
        return true;
      } catch (ConflictException e) {
        return false; // cannot happen with one writer per row; kept so a surprise does not kill the thread
      }
    });
  }

  /**
   * Each writer owns {@link #rowsPerUpdate} task rows and moves their status in one transaction per update, as the
   * dispatcher's status writer does (a patch of the status alone, {@code TableWriter.patch}).
   */
  private ClosedLoop.Result taskRowUpdates(MemoryStore store, int nWriters) throws InterruptedException {
    String[][] ids = new String[nWriters][rowsPerUpdate];
    for (int i = 0; i < nWriters; i++) {
      String service = "bench-" + System.nanoTime() + "-" + i;
      String[] mine = ids[i];
      store.update(tx -> {
        for (int k = 0; k < mine.length; k++) {
          mine[k] = tx.tasks().insert(task(service, k + 1, rowBytes)).id;
        }
        return null;
      });
    }
    return ClosedLoop.run(nWriters, warmup, seconds, (me, seq) -> {
      String now = java.time.Instant.now().toString();
      store.update(tx -> {
        for (String id : ids[me]) {
          Task p = tx.tasks().read(id, t -> {
            Task patch = t.emptyPatch();
            patch.status = t.status.shallowCopy();
            return patch;
          });
          p.status.message = "seq " + seq;
          p.status.timestamp = now;
          tx.tasks().patch(p);
        }
        return null;
      });
      return true;
    });
  }

  List<RaftStore> startGroup(int n, Path dir, String encryption) throws IOException {
    AesGcmKey key = encryption.equals("on") ? AesGcmKey.generate(new SecureRandom()) : null;
    Map<String, String> peers = new LinkedHashMap<>();
    for (int i = 1; i <= n; i++) {
      peers.put("m" + i, "127.0.0.1:" + FreePorts.pick());
    }
    List<RaftStore> out = new ArrayList<>();
    for (Map.Entry<String, String> p : peers.entrySet()) {
      RaftConfig.Builder b = RaftConfig.builder(p.getKey(), p.getValue(), dir.resolve(p.getKey()))
          .clusterId("bench-" + encryption).peers(peers).dataKey(key);
      ratis.forEach(b::ratisProperty);
      RaftConfig cfg = b.build();
      out.add(RaftStore.start(cfg, Clock.systemUTC(), IdGenerator.secure()));
    }
    return out;
  }

  static RaftStore awaitLeader(List<RaftStore> group) throws InterruptedException {
    for (int i = 0; i < 3000; i++) {
      for (RaftStore s : group) {
        if (s.node().isLeader()) {
          return s;
        }
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("no Raft leader elected within 30 s");
  }


}
