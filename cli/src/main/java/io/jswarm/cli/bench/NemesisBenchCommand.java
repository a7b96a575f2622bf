package io.jswarm.cli.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jswarm bench nemesis}: the fault-injection run of the reliability module (a cluster in network
 * namespaces, concurrent clients, random faults, checkers). It lives in its own jar,
 * {@code reliability/target/jswarm-nemesis.jar} (it needs the multi-host test harness), which this command runs
 * with the same flags.
 */
@Command(name = "nemesis", description = "Faults on purpose: kills, pauses, partitions, a full disk and a flipped "
    + "byte against a cluster in network namespaces under concurrent clients, then the checkers (linearizability, "
    + "lost writes, task states, slots, corruption, leaks). Ends with anomalies=0 or the path of the failing history.")
public final class NemesisBenchCommand implements Callable<Integer> {
  @Option(names = "--minutes", defaultValue = "10", description = "How long faults are injected (default: ${DEFAULT-VALUE}).")
  double minutes;

  @Option(names = "--seed", description = "Seed of the fault schedule (default: the time); a failure report names it.")
  Long seed;

  @Option(names = "--managers", defaultValue = "3", description = "Managers: 3 or 5 (default: ${DEFAULT-VALUE}).")
  int managers;

  @Option(names = "--workers", defaultValue = "2", description = "Workers (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--clients", defaultValue = "4", description = "Concurrent service clients (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--executor", defaultValue = "simulated",
      description = "The daemons' executor: simulated (tasks reported running without containers) or container (runc"
          + " containers of a busybox image on an overlay network; also checks that nodes run what the managers say"
          + " and what tasks leave behind) (default: ${DEFAULT-VALUE}).")
  String executor;

  @Option(names = "--check", paramLabel = "REPORT", description = "Run no cluster: check the history of a report a run "
      + "wrote (target/nemesis/nemesis-seed<S>-<time>.txt) for linearizability again. Exit 0 linearizable, 1 anomalies,"
      + " 3 undecided.")
  Path check;

  @Override
  public Integer call() throws Exception {
    Path cliJar = Path.of(NemesisBenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path jar = cliJar.getParent().getParent().getParent().resolve("reliability").resolve("target")
        .resolve("jswarm-nemesis.jar");
    if (!Files.isRegularFile(jar)) {
      System.err.println("jswarm bench nemesis: " + jar + " not found; build it with: mvn -B -q -DskipTests package");
      return 2;
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    if (check != null) {
      return new ProcessBuilder(java, "-jar", jar.toString(), "--check", check.toAbsolutePath().toString())
          .inheritIO().start().waitFor();
    }
    List<String> cmd = new ArrayList<>(List.of(java, "-jar", jar.toString(), "--minutes", Double.toString(minutes), "--managers", Integer.toString(managers),
        "--workers", Integer.toString(workers), "--clients", Integer.toString(clients), "--executor", executor));
    if (seed != null) {
      cmd.addAll(List.of("--seed", seed.toString()));
    }
    return new ProcessBuilder(cmd).inheritIO().start().waitFor();
  }
}
