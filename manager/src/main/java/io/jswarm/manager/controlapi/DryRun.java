package io.jswarm.manager.controlapi;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.ConstraintMatcher;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.PlacementConstraint;
import io.jswarm.api.types.PlacementPlan;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Service.ServiceSpec;
import io.jswarm.api.types.ServiceMode;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.ReadTx;
import io.jswarm.scheduler.NodeInfo;
import io.jswarm.scheduler.Scheduler;
import io.jswarm.scheduler.SchedulingResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A dry run of a service create, update or scale ({@code ?dryRun=true}, a jswarm extension): the placement the
 * pure scheduler would make on the cluster as one read transaction sees it, written nowhere.
 *
 * <p>What is placed: for a create, every task the service asks for. For an update that changes the task template
 * (or the endpoint), every task again, on the cluster without the service's current tasks (a rolling update
 * replaces them all; with {@code start-first} both exist for a while, which the plan does not show). For an update
 * that only changes the replica count, the current runnable tasks stay where they are; new ones are placed, or,
 * scaling down, the extra ones leave the nodes holding the most. A global service gets one task on every node
 * that is not down or drained and matches its constraints.
 */
final class DryRun {
  /** The service id a created service's tasks carry in the plan. */
  static final String NEW_SERVICE = "dry-run";

  private DryRun() {}

  /** The plan of changing {@code current} (null for a create) to {@code next}. */
  static PlacementPlan plan(ReadTx tx, Service current, ServiceSpec next) {
    return plan(tx, current, next, current != null && !sameTemplate(current.spec, next));
  }

  /** Where every task of {@code service} would go if all were placed anew now: a rebalance's goal. */
  static PlacementPlan fresh(ReadTx tx, Service service) {
    return plan(tx, service, service.spec, true);
  }

  private static PlacementPlan plan(ReadTx tx, Service current, ServiceSpec next, boolean replaces) {
    Service planned = new Service();
    planned.id = current == null ? NEW_SERVICE : current.id;
    planned.spec = next;
    planned.endpoint = current == null ? null : current.endpoint;

    Map<String, Service> services = new HashMap<>();
    for (Service s : tx.services().all()) {
      services.put(s.id, s);
    }
    services.put(planned.id, planned);
    Map<String, Node> nodes = new TreeMap<>();
    for (Node n : tx.nodes().all()) {
      nodes.put(n.id, n);
    }

    Map<String, List<Task>> occupying = new HashMap<>();
    List<Task> kept = new ArrayList<>();
    for (Task t : tx.tasks().all()) {
      boolean ours = planned.id.equals(t.serviceId);
      if (ours && (replaces || !runnable(t))) {
        continue;
      }
      if (ours) {
        kept.add(t);
      }
      if (NodeInfo.occupies(t)) {
        occupying.computeIfAbsent(t.nodeId, k -> new ArrayList<>()).add(t);
      }
    }
    List<Task> toPlace = new ArrayList<>();
    Map<String, Long> keptPerNode = new HashMap<>();
    long desired;
    if (isGlobal(next.mode)) {
      desired = global(planned, nodes.values(), kept, toPlace, keptPerNode);
    } else {
      desired = replicas(next.mode);
      replicated(planned, desired, kept, toPlace, keptPerNode, occupying);
    }

    List<NodeInfo> infos = new ArrayList<>(nodes.size());
    for (Node n : nodes.values()) {
      infos.add(NodeInfo.of(n, occupying.getOrDefault(n.id, List.of()), services));
    }
    SchedulingResult result = Scheduler.schedule(infos, toPlace, services);

    PlacementPlan plan = new PlacementPlan();
    plan.dryRun = true;
    plan.serviceName = next.name;
    plan.desiredTasks = desired;
    plan.replacesTasks = replaces;
    Map<String, Long> added = new HashMap<>();
    result.placements().values().forEach(nodeId -> added.merge(nodeId, 1L, Long::sum));
    plan.nodes = new ArrayList<>();
    for (Node n : nodes.values()) {
      long k = keptPerNode.getOrDefault(n.id, 0L);
      long a = added.getOrDefault(n.id, 0L);
      if (k + a > 0) {
        PlacementPlan.NodeTasks nt = new PlacementPlan.NodeTasks();
        nt.nodeId = n.id;
        nt.hostname = n.description == null ? null : n.description.hostname;
        nt.tasks = k + a;
        nt.newTasks = a;
        plan.nodes.add(nt);
      }
    }
    plan.unplaced = new ArrayList<>();
    for (Task t : toPlace) {
      String why = result.unplaced().get(t.id);
      if (why != null) {
        PlacementPlan.Unplaced u = new PlacementPlan.Unplaced();
        u.slot = t.slot;
        u.nodeId = t.nodeId;
        u.err = why;
        plan.unplaced.add(u);
      }
    }
    return plan;
  }

  private static void replicated(Service planned, long desired, List<Task> kept, List<Task> toPlace,
      Map<String, Long> keptPerNode, Map<String, List<Task>> occupying) {
    // the current tasks stay unless there are too many: the nodes holding the most give theirs up first
    Map<String, List<Task>> byNode = new TreeMap<>();
    Set<Long> slots = new HashSet<>();
    List<Task> unassigned = new ArrayList<>();
    for (Task t : kept) {
      if (NodeInfo.occupies(t)) {
        byNode.computeIfAbsent(t.nodeId, k -> new ArrayList<>()).add(t);
      } else {
        unassigned.add(t);
      }
    }
    long excess = kept.size() - desired;
    while (excess > 0 && !unassigned.isEmpty()) {
      unassigned.remove(unassigned.size() - 1);
      excess--;
    }
    while (excess > 0) {
      List<Task> most = byNode.values().stream().max(Comparator.comparingInt(List::size)).orElseThrow();
      Task gone = most.remove(most.size() - 1);
      occupying.get(gone.nodeId).remove(gone);
      excess--;
    }
    for (Map.Entry<String, List<Task>> e : byNode.entrySet()) {
      if (!e.getValue().isEmpty()) {
        keptPerNode.put(e.getKey(), (long) e.getValue().size());
      }
      e.getValue().forEach(t -> slots.add(t.slot));
    }
    for (Task t : unassigned) {
      Task p = planned(planned, "pending-" + t.id, t.slot, null);
      slots.add(t.slot);
      toPlace.add(p);
    }
    long slot = 1;
    while (toPlace.size() + keptPerNode.values().stream().mapToLong(Long::longValue).sum() < desired) {
      while (slots.contains(slot)) {
        slot++;
      }
      slots.add(slot);
      toPlace.add(planned(planned, "slot-" + slot, slot, null));
    }
  }

  private static long global(Service planned, Iterable<Node> nodes, List<Task> kept, List<Task> toPlace,
      Map<String, Long> keptPerNode) {
    List<PlacementConstraint> constraints = new ArrayList<>();
    if (planned.spec.taskTemplate != null && planned.spec.taskTemplate.placement != null
        && planned.spec.taskTemplate.placement.constraints != null) {
      for (String c : planned.spec.taskTemplate.placement.constraints) {
        constraints.add(PlacementConstraint.parse(c));
      }
    }
    Set<String> running = new HashSet<>();
    for (Task t : kept) {
      if (NodeInfo.occupies(t)) {
        running.add(t.nodeId);
      }
    }
    long desired = 0;
    for (Node n : nodes) {
      String state = n.status == null ? null : n.status.state;
      String availability = n.spec == null ? null : n.spec.availability;
      if ("down".equalsIgnoreCase(state) || "drain".equalsIgnoreCase(availability)
          || !ConstraintMatcher.matchesAll(n, constraints)) {
        continue;
      }
      desired++;
      if (running.contains(n.id)) {
        keptPerNode.put(n.id, 1L);
      } else {
        toPlace.add(planned(planned, "node-" + n.id, null, n.id));
      }
    }
    return desired;
  }

  /** A PENDING task of the planned service, as the orchestrator would create it. */
  private static Task planned(Service service, String id, Long slot, String nodeId) {
    Task t = new Task();
    t.id = id;
    t.serviceId = service.id;
    t.slot = slot;
    t.nodeId = nodeId;
    t.spec = service.spec.taskTemplate;
    t.desiredState = TaskState.RUNNING;
    t.status = new Task.TaskStatus();
    t.status.state = TaskState.PENDING;
    return t;
  }

  /** A task the orchestrator counts as one of the service's: meant to run and not finished. */
  static boolean runnable(Task t) {
    boolean wanted = t.desiredState == null || t.desiredState.number() <= TaskState.RUNNING.number();
    return wanted && (t.status == null || t.status.state == null || !t.status.state.isTerminal());
  }

  private static boolean sameTemplate(ServiceSpec a, ServiceSpec b) {
    return Json.toString(a.taskTemplate).equals(Json.toString(b.taskTemplate))
        && Json.toString(a.endpointSpec).equals(Json.toString(b.endpointSpec));
  }

  private static boolean isGlobal(ServiceMode m) {
    return m != null && (m.global != null || m.globalJob != null);
  }

  private static long replicas(ServiceMode m) {
    if (m == null) {
      return 1;
    }
    if (m.replicated != null) {
      return m.replicated.replicas == null ? 1 : m.replicated.replicas;
    }
    if (m.replicatedJob != null) {
      return m.replicatedJob.maxConcurrent == null ? 1 : m.replicatedJob.maxConcurrent;
    }
    throw new InvalidArgumentException("Spec.Mode: give Replicated, Global, ReplicatedJob or GlobalJob");
  }
}
