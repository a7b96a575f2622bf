package io.jswarm.cli.bench;

import io.jswarm.api.types.Node;
import io.jswarm.api.types.Placement;
import io.jswarm.api.types.Platform;
import io.jswarm.api.types.ResourceRequirements;
import io.jswarm.api.types.Resources;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.TaskState;
import io.jswarm.scheduler.NodeInfo;
import io.jswarm.scheduler.Scheduler;
import io.jswarm.scheduler.SchedulingResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Placements per second of the pure scheduler ({@link Scheduler#schedule}) on synthetic rows, in memory: no
 * store, no Raft. Every node is ready with 64 CPUs and 256 GiB and a {@code zone} label (10 zones); every
 * task is PENDING, reserves 0.1 CPU and 64 MiB, and with {@code --preference on} spreads over
 * {@code node.labels.zone}; {@code --strategy binpack} packs them (each node then takes 640 tasks before the next
 * opens). Tasks are split evenly over the services; each task has its own spec object, as
 * rows read from the store do. Only the {@code schedule} call is timed; each run starts from empty nodes.
 */
@Command(name = "scheduler", description = "Placements/s of the scheduler alone on synthetic nodes and tasks.")
public final class SchedulerBench implements Callable<Integer> {
  private static final long CPU = 1_000_000_000L;
  private static final long MIB = 1L << 20;
  private static final int ZONES = 10;

  @Option(names = "--nodes", defaultValue = "1000", description = "Nodes (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--tasks", defaultValue = "100000", description = "Tasks to place (default: ${DEFAULT-VALUE}).")
  int tasks;

  @Option(names = "--services", defaultValue = "10", description = "Services the tasks belong to (default: ${DEFAULT-VALUE}).")
  int services;

  @Option(names = "--preference", defaultValue = "off", arity = "1",
      description = "on|off: spread=node.labels.zone on every task (default: ${DEFAULT-VALUE}).")
  String preference;

  @Option(names = "--strategy", defaultValue = "spread", description = "spread|binpack: the tasks' placement "
      + "strategy (default: ${DEFAULT-VALUE}).")
  String strategy;

  @Option(names = "--runs", defaultValue = "3", description = "Timed runs; the first one warms up the JIT (default: ${DEFAULT-VALUE}).")
  int runs;

  @Override
  public Integer call() {
    boolean spread = switch (preference) {
      case "on" -> true;
      case "off" -> false;
      default -> throw new IllegalArgumentException("--preference is on or off, not \"" + preference + "\"");
    };
    if (!Placement.SPREAD.equals(strategy) && !Placement.BINPACK.equals(strategy)) {
      throw new IllegalArgumentException("--strategy is spread or binpack, not \"" + strategy + "\"");
    }
    if (nodes < 1 || tasks < 1 || services < 1 || runs < 1) {
      throw new IllegalArgumentException("--nodes, --tasks, --services and --runs must be at least 1");
    }
    List<Node> nodeRows = nodes();
    List<Task> taskRows = tasks(spread);
    Map<String, Service> noServices = Map.of();
    System.out.printf("Scheduler benchmark: %d nodes, %d tasks, %d services, spread preference %s, strategy %s%n",
        nodes, tasks, services, preference, strategy);
    System.out.printf("%-5s %10s %10s %14s%n", "run", "placed", "ms", "tasks/s");
    for (int run = 1; run <= runs; run++) {
      List<NodeInfo> infos = new ArrayList<>(nodeRows.size());
      for (Node n : nodeRows) {
        infos.add(NodeInfo.of(n));
      }
      System.gc(); // start each run with the previous run's garbage gone
      long t0 = System.nanoTime();
      SchedulingResult r = Scheduler.schedule(infos, taskRows, noServices);
      long elapsed = System.nanoTime() - t0;
      if (!r.unplaced().isEmpty()) {
        System.out.println("unplaced: " + r.unplaced().size() + ", e.g. " + r.unplaced().values().iterator().next());
      }
      System.out.printf("%-5d %10d %10.1f %14.0f%n", run, r.placements().size(), elapsed / 1e6,
          r.placements().size() / (elapsed / 1e9));
      System.out.flush();
    }
    return 0;
  }

  private List<Node> nodes() {
    List<Node> out = new ArrayList<>(nodes);
    for (int i = 0; i < nodes; i++) {
      Node n = new Node();
      n.id = String.format("node%021d", i);
      n.spec = new Node.Spec();
      n.spec.role = "worker";
      n.spec.availability = "active";
      n.spec.labels = new HashMap<>(Map.of("zone", "zone-" + (i % ZONES)));
      n.status = new Node.Status();
      n.status.state = "ready";
      n.description = new Node.Description();
      n.description.hostname = "host-" + i;
      n.description.platform = new Platform();
      n.description.platform.os = "linux";
      n.description.platform.architecture = "x86_64";
      n.description.resources = new Resources();
      n.description.resources.nanoCPUs = 64 * CPU;
      n.description.resources.memoryBytes = 256 * 1024 * MIB;
      out.add(n);
    }
    return out;
  }

  private List<Task> tasks(boolean spread) {
    List<Task> out = new ArrayList<>(tasks);
    for (int i = 0; i < tasks; i++) {
      int service = (int) ((long) i * services / tasks);
      Task t = new Task();
      t.id = String.format("task%021d", i);
      t.serviceId = String.format("svc%022d", service);
      t.desiredState = TaskState.RUNNING;
      t.status = new Task.TaskStatus();
      t.status.state = TaskState.PENDING;
      t.spec = new TaskSpec();
      t.spec.resources = new ResourceRequirements();
      t.spec.resources.reservations = new Resources();
      t.spec.resources.reservations.nanoCPUs = CPU / 10;
      t.spec.resources.reservations.memoryBytes = 64 * MIB;
      if (Placement.BINPACK.equals(strategy)) {
        t.spec.placement = new Placement();
        t.spec.placement.strategy = Placement.BINPACK;
      }
      if (spread) {
        Placement.Preference p = new Placement.Preference();
        p.spread = new Placement.Spread();
        p.spread.spreadDescriptor = "node.labels.zone";
        if (t.spec.placement == null) {
          t.spec.placement = new Placement();
        }
        t.spec.placement.preferences = new ArrayList<>(List.of(p));
      }
      out.add(t);
    }
    return out;
  }
}
