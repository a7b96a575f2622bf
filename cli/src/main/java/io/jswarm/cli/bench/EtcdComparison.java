package io.jswarm.cli.bench;

import io.jswarm.cli.bench.etcd.EtcdCluster;
import io.jswarm.cli.bench.etcd.EtcdGateway;
import io.jswarm.cli.bench.etcd.EtcdGrpc;
import io.jswarm.consensus.raft.RaftStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench raft --compare-etcd}: the Raft store and etcd 3.4 with the same member count side by side, each cell
 * (members, clients) run on both right after the other, with the same closed loop ({@link ClosedLoop}: one thread per
 * client, one compare-and-set of the client's own row after the other) and the same value size.
 */
final class EtcdComparison {
  private static final long ETCD_TIMEOUT_MS = 30_000;

  private final RaftBench bench;
  private final Path base;

  EtcdComparison(RaftBench bench, Path base) {
    this.bench = bench;
    this.base = base;
  }

  private record Cell(int managers, int clients, ClosedLoop.Result jswarm, ClosedLoop.Result etcd, String load) {}

  int run() throws Exception {
    System.out.printf("Raft store against etcd %s: same member count on loopback, same clients, compare-and-set of"
        + " each client's own row/key, values the size of the store's row, WAL/log fsync on in both, %d s per cell"
        + " (+%d s warm-up)%n", etcdVersion(), bench.seconds, bench.warmup);
    System.out.println("How: jswarm = store.update(read row, change it, commit if its version is unchanged) on the"
        + " leader, in process (no client RPC); etcd = one Txn per update over its native gRPC API to the leader"
        + " (compare mod_revision == the revision the client last saw, then put; 1 connection per "
        + bench.etcdClientsPerConnection + " clients), etcd members as separate processes. Encryption at rest off (etcd has none).");
    List<Cell> cells = new ArrayList<>();
    String header = String.format("%-9s %-8s | %9s %8s %8s | %9s %8s %8s | %-26s | %s", "managers", "clients",
        "jswarm/s", "p50 ms", "p99 ms", "etcd/s", "p50 ms", "p99 ms", "jswarm/etcd: /s  p50  p99", "load avg");
    for (int m : bench.managers) {
      List<RaftStore> group = bench.startGroup(m, base.resolve("g" + m), "off");
      try (EtcdCluster etcd = EtcdCluster.start(m, base.resolve("etcd-" + m))) {
        int valueSize = RaftBench.rowSize(RaftBench.awaitLeader(group).store());
        System.out.printf("%d manager(s): the store's row is %d bytes of JSON; etcd's values are %d bytes%n", m,
            valueSize, valueSize);
        System.out.println(header);
        for (int w : bench.writers) {
          List<ClosedLoop.Result> js = new ArrayList<>();
          List<ClosedLoop.Result> et = new ArrayList<>();
          for (int round = 0; round < bench.rounds; round++) {
            if (round % 2 == 0) {
              js.add(bench.runJswarm(RaftBench.awaitLeader(group).store(), w));
              et.add(runEtcd(etcd, w, valueSize));
            } else {
              et.add(runEtcd(etcd, w, valueSize));
              js.add(bench.runJswarm(RaftBench.awaitLeader(group).store(), w));
            }
          }
          Cell c = new Cell(m, w, ClosedLoop.median(js), ClosedLoop.median(et), loadAverage());
          cells.add(c);
          print(c);
        }
        if (bench.etcdCalibration) {
          calibrate(etcd, valueSize);
        }
      } finally {
        for (RaftStore s : group) {
          s.close();
        }
      }
    }
    for (Cell c : cells) {
      if (c.managers == 3 && (c.clients == 128 || c.clients == 1000)) {
        double thr = c.jswarm.perSecond() / c.etcd.perSecond();
        double p99 = c.jswarm.p99() / c.etcd.p99();
        System.out.printf("goal (3 managers, %d clients): throughput %.2fx etcd's (>= 1.0: %s), p99 %.2fx etcd's"
            + " (<= 1.0: %s)%n", c.clients, thr, thr >= 1.0 ? "met" : "NOT met", p99, p99 <= 1.0 ? "met" : "NOT met");
      }
    }
    return 0;
  }

  private static void print(Cell c) {
    System.out.printf("%-9d %-8d | %9.0f %8.2f %8.2f | %9.0f %8.2f %8.2f | %9.2f %6.2f %7.2f | %s%s%n", c.managers,
        c.clients, c.jswarm.perSecond(), c.jswarm.p50(), c.jswarm.p99(), c.etcd.perSecond(), c.etcd.p50(),
        c.etcd.p99(), c.jswarm.perSecond() / c.etcd.perSecond(), c.jswarm.p50() / c.etcd.p50(),
        c.jswarm.p99() / c.etcd.p99(), c.load, errors(c));
    System.out.flush();
  }

  private static String errors(Cell c) {
    String s = "";
    if (c.jswarm.errors() > 0) {
      s += " jswarm errors " + c.jswarm.errors() + " (" + c.jswarm.firstError() + ")";
    }
    if (c.etcd.errors() > 0) {
      s += " etcd errors " + c.etcd.errors() + " (" + c.etcd.firstError() + ")";
    }
    return s;
  }

  /** One cell on etcd: each client owns one key, and updates it with a compare-and-set on its mod_revision. */
  private ClosedLoop.Result runEtcd(EtcdCluster etcd, int clients, int valueSize) throws Exception {
    int port = etcd.leaderClientPort();
    try (EtcdGrpc g = new EtcdGrpc("127.0.0.1", port, conns(clients), ETCD_TIMEOUT_MS)) {
      byte[][] keys = keys("cas", clients);
      long[] revision = new long[clients];
      byte[] initial = new byte[valueSize];
      for (int i = 0; i < clients; i++) {
        revision[i] = g.put(keys[i], initial);
      }
      return ClosedLoop.run(clients, bench.warmup, bench.seconds, (client, seq) -> {
        EtcdGrpc.Cas r = g.compareAndSet(keys[client], revision[client], value(valueSize, seq));
        revision[client] = r.modRevision();
        return r.succeeded();
      });
    }
  }

  private int conns(int clients) {
    int per = Math.max(1, bench.etcdClientsPerConnection);
    return Math.max(1, (clients + per - 1) / per);
  }

  private static byte[][] keys(String kind, int n) {
    String run = Long.toString(System.nanoTime(), 36);
    byte[][] keys = new byte[n][];
    for (int i = 0; i < n; i++) {
      keys[i] = ("/jswarm-bench/" + kind + "/" + run + "/" + i).getBytes(StandardCharsets.US_ASCII);
    }
    return keys;
  }

  private static byte[] value(int size, long seq) {
    byte[] v = new byte[size];
    for (int i = 0; i < 8 && i < size; i++) {
      v[i] = (byte) (seq >>> (8 * i));
    }
    return v;
  }

  /**
   * Is this bench's client a handicap to etcd? etcd's own load check ({@code etcdctl check perf --load=l}: Go clientv3,
   * 500 clients on 500 connections, puts of 256-byte keys and 1 KiB values, 60 s) against the same puts from this
   * bench's gRPC client; and what the JSON gateway costs: the same compare-and-set through {@code /v3/kv/txn}.
   */
  private void calibrate(EtcdCluster etcd, int valueSize) throws Exception {
    int port = etcd.leaderClientPort();
    System.out.printf("etcd client check, %d member(s), leader only:%n", etcd.clientPorts().size());
    int gw = 128;
    ClosedLoop.Result grpc = runEtcd(etcd, gw, valueSize);
    ClosedLoop.Result json = runGateway(port, gw, valueSize);
    System.out.printf("  compare-and-set, %d clients: native gRPC %.0f/s p99 %.2f ms; JSON gateway (POST /v3/kv/txn,"
        + " HTTP/1.1) %.0f/s p99 %.2f ms: gateway/gRPC = %.2f (load avg %s)%n", gw, grpc.perSecond(), grpc.p99(),
        json.perSecond(), json.p99(), json.perSecond() / grpc.perSecond(), loadAverage());
    int clients = 500;
    ClosedLoop.Result own;
    try (EtcdGrpc g = new EtcdGrpc("127.0.0.1", port, conns(clients), ETCD_TIMEOUT_MS)) {
      java.util.Random rnd = new java.util.Random();
      own = ClosedLoop.run(clients, bench.warmup, bench.seconds, (client, seq) -> {
        byte[] key = new byte[256];
        rnd.nextBytes(key);
        g.put(key, new byte[1024]);
        return true;
      });
    }
    String ownLoad = loadAverage();
    Double checkPerf = checkPerf(port); // last: it deletes its keys at the end, a large transaction
    System.out.printf("  this bench's gRPC client, the same puts, %d clients on %d connections, %d s: %.0f writes/s,"
        + " p99 %.2f ms%s (load avg %s)%n", clients, conns(clients), bench.seconds, own.perSecond(), own.p99(),
        checkPerf == null ? "" : String.format(" = %.2fx etcdctl's", own.perSecond() / checkPerf), ownLoad);
  }

  private ClosedLoop.Result runGateway(int port, int clients, int valueSize) throws Exception {
    byte[][] keys = keys("gw", clients);
    long[] revision = new long[clients];
    try (EtcdGrpc g = new EtcdGrpc("127.0.0.1", port, 1, ETCD_TIMEOUT_MS)) {
      for (int i = 0; i < clients; i++) {
        revision[i] = g.put(keys[i], new byte[valueSize]);
      }
    }
    EtcdGateway gw = new EtcdGateway("127.0.0.1", port, ETCD_TIMEOUT_MS);
    return ClosedLoop.run(clients, bench.warmup, bench.seconds, (client, seq) -> {
      EtcdGrpc.Cas r = gw.compareAndSet(keys[client], revision[client], value(valueSize, seq));
      revision[client] = r.modRevision();
      return r.succeeded();
    });
  }

  private static final Pattern WRITES = Pattern.compile("Throughput[^0-9]*([0-9]+) writes/s");

  /**
   * {@code etcdctl check perf --load=l} against one endpoint; its writes/s, or null (the reason printed). When its
   * final delete of all its keys (one large transaction) times out on a loaded machine, etcdctl exits before printing
   * its throughput; then the revisions it made (one per put) over its fixed 60 s give it.
   */
  private static Double checkPerf(int port) throws IOException, InterruptedException {
    long before = revision(port);
    ProcessBuilder pb = new ProcessBuilder(EtcdCluster.ETCDCTL.toString(), "--endpoints=127.0.0.1:" + port,
        "check", "perf", "--load=l", "--prefix=/jswarm-bench-check-perf/");
    pb.environment().put("ETCDCTL_API", "3");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out;
    try {
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(120, TimeUnit.SECONDS);
    } finally {
      p.destroyForcibly();
    }
    String what = "etcdctl check perf --load=l (Go clientv3, 500 clients on 500 connections, puts of 256-byte keys"
        + " + 1 KiB values, 60 s, capped at 8,000/s)";
    Matcher mt = WRITES.matcher(out);
    String load = loadAverage();
    if (mt.find()) {
      double w = Double.parseDouble(mt.group(1));
      System.out.printf("  %s: %.0f writes/s (load avg %s)%n", what, w, load);
      return w;
    }
    String last = out.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("(no output)").trim();
    long puts = revision(port) - before;
    if (puts > 0) {
      double w = puts / 60.0;
      System.out.printf("  %s: %.0f writes/s from etcd's revisions (%d puts in its 60 s; etcdctl itself ended with"
          + " \"%s\") (load avg %s)%n", what, w, puts, last, load);
      return w;
    }
    System.out.println("  " + what + " gave no throughput: " + last);
    return null;
  }

  private static long revision(int port) throws IOException, InterruptedException {
    try (EtcdGrpc g = new EtcdGrpc("127.0.0.1", port, 1, ETCD_TIMEOUT_MS)) {
      return g.status().revision();
    }
  }

  static String etcdVersion() {
    try {
      Process p = new ProcessBuilder(EtcdCluster.ETCD.toString(), "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      Matcher m = Pattern.compile("etcd Version: (\\S+)").matcher(out);
      return m.find() ? m.group(1) : "(version unknown)";
    } catch (IOException | InterruptedException e) {
      return "(" + EtcdCluster.ETCD + " not runnable: " + e.getMessage() + ")";
    }
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }
}
