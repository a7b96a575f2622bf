package io.jswarm.reliability.nemesis;

import java.nio.file.Path;
import java.time.Duration;
import io.jswarm.reliability.history.Op;
import java.util.List;

/**
 * {@code jswarm bench nemesis [--minutes M] [--seed S] [--managers N] [--workers N] [--clients N] [--executor simulated|container]}: one nemesis run
 * ({@link NemesisRun}); prints operations, faults and anomalies per checker, and ends with {@code anomalies=0} or
 * the path of the failing history. Exit code 0 only without anomalies. {@code --check REPORT} runs the
 * linearizability checker again on the history of a report a run wrote.
 */
public final class NemesisBench {
  private NemesisBench() {}

  public static void main(String[] args) throws Exception {
    double minutes = 10;
    long seed = System.currentTimeMillis();
    int managers = 3;
    int workers = 2;
    int clients = 4;
    String executor = "simulated";
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--minutes" -> minutes = Double.parseDouble(need(a, v));
        case "--seed" -> seed = Long.parseLong(need(a, v));
        case "--managers" -> managers = Integer.parseInt(need(a, v));
        case "--workers" -> workers = Integer.parseInt(need(a, v));
        case "--clients" -> clients = Integer.parseInt(need(a, v));
        case "--executor" -> executor = need(a, v);
        case "--check" -> System.exit(recheck(Path.of(need(a, v))));
        default -> {
          System.err.println("jswarm bench nemesis: unknown flag " + a
              + "; flags: --minutes M --seed S --managers N (3 or 5) --workers N --clients N --executor simulated|container, or --check REPORT");
          System.exit(2);
        }
      }
      i++;
    }
    if (managers < 3 || managers % 2 == 0) {
      System.err.println("--managers: an odd number, at least 3, got " + managers);
      System.exit(2);
    }
    NemesisRun.Result r = NemesisRun.run(new NemesisRun.Settings(seed, Duration.ofMillis((long) (minutes * 60_000)),
        managers, workers, clients, Path.of("target", "nemesis"), System.out, executor));
    print(r, System.out);
    System.exit(r.anomalyCount() == 0 ? 0 : 1);
  }

  /** Checker (a) on the history of a written report: 0 linearizable, 1 anomalies, 3 undecided. */
  static int recheck(Path report) throws java.io.IOException {
    List<Op> ops = java.nio.file.Files.readAllLines(report).stream().map(Op::parse)
        .filter(java.util.Objects::nonNull).toList();
    io.jswarm.reliability.check.CasRegisterChecker cas = new io.jswarm.reliability.check.CasRegisterChecker();
    long t0 = System.nanoTime();
    List<io.jswarm.reliability.check.Anomaly> found = cas.check(ops);
    System.out.printf("%d operations checked in %.1f s%n", ops.size(), (System.nanoTime() - t0) / 1e9);
    found.forEach(System.out::println);
    System.out.println("checker linearizable  anomalies=" + found.size()
        + (cas.undecided().isEmpty() ? "" : " undecided=" + cas.undecided()));
    return !found.isEmpty() ? 1 : cas.undecided().isEmpty() ? 0 : 3;
  }

  private static String need(String flag, String v) {
    if (v == null) {
      System.err.println(flag + " needs a value");
      System.exit(2);
    }
    return v;
  }

  /** The summary lines of a run. */
  public static void print(NemesisRun.Result r, java.io.PrintStream out) {
    out.printf("operations=%d acknowledged=%d unknown=%d faults=%d services-created=%d services-removed=%d"
        + " containers-on-nodes=%d host-resources=%d%n", r.operations(), r.acknowledged(), r.unknown(), r.faults(),
        r.count(Op.Type.CREATE), r.count(Op.Type.DELETE), r.containersOnNodes(), r.hostResources());
    out.println("faults by kind: " + r.faultsByKind());
    r.anomalies().forEach((checker, list) -> {
      out.printf("checker %-13s anomalies=%d%n", checker, list.size());
      list.stream().limit(5).forEach(a -> out.println("  " + a));
    });
    if (!r.undecided().isEmpty()) {
      out.println("linearizability undecided (search budget) for keys " + List.copyOf(r.undecided()));
    }
    out.println("anomalies=" + r.anomalyCount() + (r.report() == null ? "" : " history: " + r.report()));
  }
}
