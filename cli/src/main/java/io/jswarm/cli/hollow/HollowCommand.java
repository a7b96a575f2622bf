package io.jswarm.cli.hollow;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jswarm hollow --nodes N --join-token T MANAGER:PORT...}: runs N hollow worker nodes in this process until
 * it is stopped (see {@link HollowNodes}). Prints one line each time the number of open sessions changes
 * ({@code hollow: sessions X of N}), which the cluster benchmark reads.
 */
@Command(name = "hollow", description = "Run many simulated worker nodes (real joins, sessions, heartbeats, status "
    + "reports; tasks simulated) in one process, for scale tests.")
public final class HollowCommand implements Callable<Integer> {
  /** How often the session count is looked at for the progress lines. */
  static final long REPORT_EVERY_MS = 50;

  @Option(names = "--nodes", required = true, description = "How many hollow nodes to run.")
  int nodes;

  @Option(names = "--join-token", required = true, description = "The swarm's worker join token.")
  String token;

  @Option(names = "--executor", defaultValue = "simulated",
      description = "Task executor; only 'simulated' (the default) is possible for hollow nodes.")
  String executor;

  @Option(names = "--name-prefix", defaultValue = "hollow", description = "Node names are PREFIX-1..N (default: "
      + "${DEFAULT-VALUE}).")
  String prefix;

  @Option(names = "--io-threads", defaultValue = "2", description = "Netty event loop threads shared by every node "
      + "(default: ${DEFAULT-VALUE}).")
  int ioThreads;

  @Parameters(arity = "1..*", paramLabel = "MANAGER:PORT", description = "Cluster address of one or more managers.")
  List<String> managers;

  @Override
  public Integer call() throws Exception {
    if (!"simulated".equals(executor)) {
      throw new IllegalArgumentException("--executor " + executor + ": hollow nodes only run the 'simulated' executor");
    }
    if (nodes < 1) {
      throw new IllegalArgumentException("--nodes " + nodes + ": at least 1");
    }
    CountDownLatch stop = new CountDownLatch(1);
    try (HollowNodes h = new HollowNodes(Clock.systemUTC(), ioThreads, nodes)) {
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      Thread reporter = new Thread(() -> report(h), "hollow-report");
      reporter.setDaemon(true);
      reporter.start();
      long t0 = System.nanoTime();
      h.start(managers, token, prefix, nodes, n -> {
        if (n % 100 == 0 || n == nodes) {
          System.out.printf("hollow: joined %d of %d%n", n, nodes);
          System.out.flush();
        }
      });
      System.out.printf("hollow: all %d nodes joined in %.1f s%n", nodes, (System.nanoTime() - t0) / 1e9);
      System.out.flush();
      stop.await();
    }
    return 0;
  }

  private void report(HollowNodes h) {
    int last = -1;
    while (true) {
      int now = h.connected();
      if (now != last) {
        System.out.printf("hollow: sessions %d of %d%n", now, nodes);
        System.out.flush();
        last = now;
      }
      try {
        Thread.sleep(REPORT_EVERY_MS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
