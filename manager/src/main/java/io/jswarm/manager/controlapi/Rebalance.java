package io.jswarm.manager.controlapi;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.types.PlacementPlan;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.consensus.store.Tx;
import io.jswarm.scheduler.NodeInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /services/{id}/rebalance} (jswarm extension): moves a replicated service's tasks until its placement
 * goal holds on the cluster as it is now. The goal is where the pure scheduler would put every task if all were
 * placed anew ({@link DryRun#fresh}, the service's strategy and constraints); each node holding more running tasks
 * than the goal gives up the difference: those tasks get {@link Task#rebalance} set, in one store write. The
 * updater then replaces them with the service's update config, start-first (a new task is placed, by the
 * scheduler, on a node below its goal and must be ready — running, and healthy with a health check — before the
 * moved one stops), so the service never has fewer ready tasks than before.
 */
public final class Rebalance {
  private Rebalance() {}

  /** What a rebalance answers: how many tasks move, from which nodes, and the goal. */
  public static final class Answer {
    public long moves;
    public Map<String, Long> fromNodes = new LinkedHashMap<>();
    public PlacementPlan goal;
  }

  /**
   * Marks the tasks of {@code s} above each node's goal, in {@code tx}.
   *
   * @throws InvalidArgumentException when {@code s} is not a replicated service
   * @throws ConflictException while {@code s} is being updated or rolled back (see {@link #updating})
   */
  public static Answer run(Tx tx, Service s) {
    if (s.spec.mode == null || s.spec.mode.replicated == null) {
      throw new InvalidArgumentException("rebalance moves the tasks of replicated services; " + s.spec.name
          + " is not one (a global service has one task per node already)");
    }
    if (updating(s)) {
      throw new ConflictException("service " + s.spec.name + " is being updated (" + s.updateStatus.state
          + "); rebalance once the update is over");
    }
    PlacementPlan goal = DryRun.fresh(tx, s);
    Map<String, Long> wanted = new HashMap<>();
    for (PlacementPlan.NodeTasks n : goal.nodes) {
      wanted.put(n.nodeId, n.tasks);
    }
    Map<String, List<Task>> running = new LinkedHashMap<>();
    for (Task t : tx.tasks().all()) {
      // a task a rebalance already moves is leaving: it does not count towards its node's goal
      if (s.id.equals(t.serviceId) && DryRun.runnable(t) && NodeInfo.occupies(t) && !Boolean.TRUE.equals(t.rebalance)) {
        running.computeIfAbsent(t.nodeId, k -> new ArrayList<>()).add(t);
      }
    }
    Answer a = new Answer();
    a.goal = goal;
    for (Map.Entry<String, List<Task>> e : running.entrySet()) {
      long surplus = e.getValue().size() - wanted.getOrDefault(e.getKey(), 0L);
      for (int i = 0; i < surplus; i++) {
        Task t = e.getValue().get(e.getValue().size() - 1 - i);
        t.rebalance = true;
        tx.tasks().update(t);
        a.moves++;
      }
      if (surplus > 0) {
        a.fromNodes.put(e.getKey(), surplus);
      }
    }
    return a;
  }

  /** True while an update or rollback of {@code s} runs: a rebalance waits until it is over. */
  public static boolean updating(Service s) {
    return s.updateStatus != null && ("updating".equals(s.updateStatus.state)
        || "rollback_started".equals(s.updateStatus.state));
  }
}
