package io.jswarm.cli.bench;

import io.jswarm.worker.network.OverlayBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jswarm bench overlay}: TCP throughput and ping between two tasks over VXLAN vs the hosts' underlay, with a
 * bare VXLAN and Docker's bridge+veth layout as baselines.
 */
@Command(name = "overlay", description = "iperf3 TCP throughput and ping RTT between two namespace hosts: on the "
    + "underlay, over a bare VXLAN, over Docker's bridge+veth layout and over the jswarm overlay between two task "
    + "namespaces; alternating rounds, prints the median ratios to the underlay.")
public final class OverlayBenchCommand implements Callable<Integer> {
  @Option(names = "--seconds", defaultValue = "3", description = "Length of each iperf3 run (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--rounds", defaultValue = "5", description = "Rounds over the four paths (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--boost", description = "Run iperf3 and ping at nice -20 in autogroups of their own, for a machine "
      + "busy with other work.")
  boolean boost;

  @Override
  public Integer call() throws Exception {
    OverlayBench.run(seconds, rounds, boost, System.out);
    return 0;
  }
}
