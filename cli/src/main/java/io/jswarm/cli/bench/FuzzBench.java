package io.jswarm.cli.bench;

import io.jswarm.cli.fuzz.ApiFuzz;
import io.jswarm.cli.fuzz.FuzzTarget;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jswarm bench fuzz}: the API fuzzer of {@code ApiFuzzTest} for longer, against a private daemon (this
 * process, simulated executor, temporary data root, loopback port) that it starts and removes. Prints cases/s,
 * the answers by status, latency quantiles and every property that failed (with its seed).
 */
@Command(name = "fuzz", description = "Fuzz every API route of a private simulated daemon; print what failed.")
public final class FuzzBench implements Callable<Integer> {
  @Option(names = "--cases", defaultValue = "20000", description = "Requests to generate (default: ${DEFAULT-VALUE}).")
  int cases;

  @Option(names = "--seed", description = "Seed of the generator (default: random, printed).")
  Long seed;

  @Override
  public Integer call() throws Exception {
    if (cases < 1) {
      throw new IllegalArgumentException("--cases must be at least 1, got " + cases);
    }
    long s = seed != null ? seed : new SecureRandom().nextLong();
    try (FuzzTarget d = FuzzTarget.start()) {
      System.out.printf("fuzzing %d routes with %d cases, seed %d%n", d.routes().size(), cases, s);
      long t0 = System.nanoTime();
      ApiFuzz.Report r = d.fuzzer(s).run(cases, i -> {
        if ((i + 1) % 1000 == 0) {
          System.out.printf("  %d cases%n", i + 1);
        }
      });
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf("%d cases in %.1f s (%.0f/s); answers by status: %s%n", r.cases, secs, r.cases / secs,
          r.statuses);
      System.out.printf("time to answer: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", r.latencyMs(0.5),
          r.latencyMs(0.99), r.latencyMs(1));
      System.out.printf("failures: %d%n", r.failures.size());
      r.failures.stream().limit(50).forEach(f -> System.out.println("  " + f));
      return r.failures.isEmpty() ? 0 : 1;
    }
  }
}
