package io.jswarm.cli.bench;

import picocli.CommandLine.Command;

/** {@code jswarm bench ...}: benchmarks that print numbers (not tests). */
@Command(name = "bench", description = "Run a benchmark and print its numbers.",
    subcommands = {RaftBench.class, SchedulerBench.class, ContainerBench.class, ServiceBench.class,
        OverlayBenchCommand.class, MeshBench.class, FuzzBench.class, ReplicasBench.class, ClusterBench.class,
        NemesisBenchCommand.class, FootprintBench.class})
public final class BenchCommand {}
