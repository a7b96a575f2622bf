package io.jswarm.cli.bench;

import io.jswarm.worker.network.OverlayBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jswarm bench overlay}: TCP throughput and ping between two tasks over VXLAN vs the hosts' underlay. */
@Command(name = "overlay", description = "iperf3 TCP throughput and ping RTT between two task namespaces over the "
    + "overlay (VXLAN between two namespace hosts) vs the underlay between those hosts; prints the ratios.")
public final class OverlayBenchCommand implements Callable<Integer> {
  @Option(names = "--seconds", defaultValue = "5", description = "Length of each iperf3 run (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Override
  public Integer call() throws Exception {
    OverlayBench.run(seconds, System.out);
    return 0;
  }
}
