package io.jswarm.scheduler;

import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Swarm's placement, as a pure function over in-memory rows (no I/O, no clock, no threads).
 *
 * <p>One pass ({@link #schedule}) takes the nodes with what already runs on them and the tasks to place:
 * <ol>
 *   <li>Tasks that already name a node (global services) are checked against that node only, first, so that
 *       they take their resources before anything else; a refusal reads like {@code insufficient resources on
 *       1 node}.</li>
 *   <li>The other tasks are grouped by service and by every spec field placement reads (reservations,
 *       constraints, preferences, platforms, max replicas); groups go in order of their first task. Each group
 *       runs the {@link NodeFilter filters} once over all nodes, then places its tasks one by one on the
 *       least loaded node (fewest tasks of the service, then fewest tasks, then node id), following spread
 *       preferences (each spread value gets an even share, counting tasks already running). Tasks that find
 *       no node get {@link Explanation}'s message.</li>
 * </ol>
 * Every placement is charged to its {@link NodeInfo} at once, so reservations, host ports and replica caps
 * accumulate across tasks and groups of the same pass; the caller's NodeInfos reflect the pass afterwards.
 */
public final class Scheduler {
  private Scheduler() {}

  /**
   * Places {@code tasks} on {@code nodes}.
   *
   * @param nodes every node of the cluster with the tasks occupying it; mutated: placements are added
   * @param tasks the tasks to place, normally the PENDING ones; a task with a {@code NodeID} is only
   *     checked against that node; tasks are not modified
   * @param servicesById services by id, for host-mode published ports; a missing service means none
   * @return where each task goes, or why it cannot go anywhere
   */
  public static SchedulingResult schedule(Collection<NodeInfo> nodes, List<Task> tasks,
      Map<String, Service> servicesById) {
    SchedulingResult result = new SchedulingResult(tasks.size());
    Map<Object, List<Task>> groups = new LinkedHashMap<>();
    List<Task> preassigned = new ArrayList<>();
    for (Task t : tasks) {
      if (t.nodeId != null && !t.nodeId.isEmpty()) {
        preassigned.add(t);
      } else {
        groups.computeIfAbsent(TaskRequirements.groupKey(t), k -> new ArrayList<>()).add(t);
      }
    }
    if (!preassigned.isEmpty()) {
      placePreassigned(nodes, preassigned, servicesById, result);
    }
    List<NodeInfo> nodesById = new ArrayList<>(nodes);
    nodesById.sort(Comparator.comparing(NodeInfo::id));
    for (List<Task> group : groups.values()) {
      Task first = group.get(0);
      TaskRequirements r = TaskRequirements.of(first, servicesById.get(first.serviceId));
      PlacementTree tree = PlacementTree.build(r, nodesById);
      int i = 0;
      for (; i < group.size(); i++) {
        NodeInfo n = tree.place(r);
        if (n == null) {
          break;
        }
        result.place(group.get(i).id, n.id());
      }
      if (i < group.size()) {
        String why = Explanation.noSuitableNode(r, nodes);
        for (; i < group.size(); i++) {
          result.refuse(group.get(i).id, why);
        }
      }
    }
    return result;
  }

  private static void placePreassigned(Collection<NodeInfo> nodes, List<Task> tasks,
      Map<String, Service> servicesById, SchedulingResult result) {
    Map<String, NodeInfo> byId = new HashMap<>();
    for (NodeInfo n : nodes) {
      byId.put(n.id(), n);
    }
    Map<Object, TaskRequirements> requirements = new HashMap<>();
    for (Task t : tasks) {
      NodeInfo n = byId.get(t.nodeId);
      if (n == null) {
        result.refuse(t.id, "node " + t.nodeId + " not found");
        continue;
      }
      TaskRequirements r = requirements.computeIfAbsent(TaskRequirements.groupKey(t),
          k -> TaskRequirements.of(t, servicesById.get(t.serviceId)));
      NodeFilter refusal = NodeFilter.firstRefusal(r, n);
      if (refusal == null) {
        n.add(r);
        result.place(t.id, n.id());
      } else {
        result.refuse(t.id, refusal.explain(1));
      }
    }
  }
}
