package io.jswarm.manager.orchestrator;

import io.jswarm.api.types.Node;
import io.jswarm.api.types.PlacementConstraint;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.ServiceMode;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Tables;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Jobs, as swarmkit runs them: tasks that run to completion, desired COMPLETE, each carrying the job's iteration
 * ({@code JobStatus.JobIteration}; a spec update starts a new one and shuts down what is left of the old).
 * <ul>
 *   <li>replicated job: slots 0..{@code TotalCompletions}-1 (0-based, as swarmkit numbers them and the docker
 *       CLI's job progress reads them); at most {@code MaxConcurrent} slots have a live task at
 *       a time; a slot is done when one of its tasks COMPLETEs (exit 0) and is never run again in this iteration;
 *   <li>global job: one task per eligible node, done once it completes there;
 *   <li>a task that fails goes through the restart policy (attempts per slot or node, delays) and is replaced in
 *       its slot; a slot whose policy gives up stays failed and is not counted as a completion.
 * </ul>
 */
public final class JobOrchestrator extends ServiceOrchestrator {
  public JobOrchestrator(MemoryStore store, Clock clock, RestartSupervisor restarts) {
    super("jobs", store, clock, restarts);
  }

  @Override
  protected boolean owns(Service s) {
    return s != null && s.spec != null && s.spec.mode != null && s.spec.mode.isJob();
  }

  @Override
  protected void plan(Pass p, Service service) {
    long iteration = TaskFactory.jobIteration(service);
    List<Task> current = new ArrayList<>();
    for (Task t : liveTasks(p, service.id)) { // read in place, shallow copies: no JSON copy of every task
      if (t.jobIteration == null || t.jobIteration.index != iteration) {
        if (!TaskFacts.stopped(t) && TaskFacts.desired(t).number() < TaskState.SHUTDOWN.number()) {
          p.desire(t, TaskState.SHUTDOWN); // what is left of an earlier run
        }
        continue;
      }
      current.add(t);
    }
    if (service.spec.mode.replicatedJob != null) {
      planReplicated(p, service, service.spec.mode.replicatedJob, current);
    } else {
      planGlobal(p, service, current);
    }
  }

  private void planReplicated(Pass p, Service service, ServiceMode.ReplicatedJob job, List<Task> tasks) {
    TreeMap<Long, SlotGroup> slots = new TreeMap<>();
    for (Task t : tasks) {
      if (t.slot != null && t.slot >= 0) {
        slots.computeIfAbsent(t.slot, s -> newSlot(service, s)).tasks.add(t);
      }
    }
    slots.values().forEach(ServiceOrchestrator::sortSlot);
    long done = 0;
    long active = 0;
    long givenUp = 0;
    Set<Long> taken = new HashSet<>();
    for (SlotGroup g : slots.values()) {
      if (p.full()) {
        return;
      }
      switch (advance(p, service, g, true)) {
        case DONE -> done++;
        case ACTIVE -> active++;
        case GIVEN_UP -> givenUp++;
        case FREE -> {
          continue;
        }
      }
      taken.add(g.slot);
    }
    long wanted = Math.min(job.concurrency() - active, job.completions() - done - active - givenUp);
    long slot = 0;
    for (long i = 0; i < wanted && !p.full(); i++) {
      while (taken.contains(slot)) {
        slot++;
      }
      create(p, service, slots.computeIfAbsent(slot, s -> newSlot(service, s)));
      taken.add(slot);
    }
  }

  private void planGlobal(Pass p, Service service, List<Task> tasks) {
    List<PlacementConstraint> constraints = GlobalOrchestrator.constraints(service);
    TreeMap<String, Node> nodes = new TreeMap<>();
    for (Node n : p.tx.nodes().all()) {
      nodes.put(n.id, n);
    }
    TreeMap<String, SlotGroup> byNode = new TreeMap<>();
    for (Task t : tasks) {
      if (t.nodeId != null) {
        byNode.computeIfAbsent(t.nodeId, id -> newGroup(service, id)).tasks.add(t);
      }
    }
    byNode.values().forEach(ServiceOrchestrator::sortSlot);
    for (String id : nodes.keySet()) {
      byNode.computeIfAbsent(id, k -> newGroup(service, k));
    }
    for (SlotGroup g : byNode.values()) {
      if (p.full()) {
        return;
      }
      NodeFit fit = constraints == null ? NodeFit.EVICT : NodeFit.forGlobal(nodes.get(g.nodeId), constraints);
      if (fit == NodeFit.GONE) {
        removeSlot(p, g);
        continue;
      }
      if (fit == NodeFit.EVICT) {
        for (Task t : g.tasks) {
          if (live(t) && !TaskFacts.stopped(t)) {
            p.desire(t, TaskState.SHUTDOWN);
          }
        }
        continue;
      }
      if (advance(p, service, g, fit == NodeFit.ELIGIBLE) == Slot.FREE && fit == NodeFit.ELIGIBLE) {
        create(p, service, g);
      }
    }
  }

  /** Where one slot (or node) of the current iteration stands. */
  private enum Slot { DONE, ACTIVE, GIVEN_UP, FREE }

  /**
   * Moves one slot on: a failed live task goes through the restart policy, a due delayed restart is made. Returns
   * what the slot is then.
   */
  private Slot advance(Pass p, Service service, SlotGroup g, boolean mayReplace) {
    for (Task t : g.tasks) {
      if (TaskFacts.observed(t) == TaskState.COMPLETE) {
        return Slot.DONE;
      }
    }
    Task last = g.newest();
    if (last != null && live(last) && TaskFacts.stopped(last)) {
      handleStopped(p, service, g, last, mayReplace);
    }
    startDueRestart(p, service, g, mayReplace);
    if (g.scheduledNow != null || restarts.due(g.key) != null) {
      return Slot.ACTIVE;
    }
    for (Task t : g.tasks) {
      if (live(t) && !TaskFacts.stopped(t)) {
        return Slot.ACTIVE;
      }
    }
    Task stopped = g.stoppedNewest();
    if (stopped != null && (!RestartSupervisor.conditionAllows(stopped) || g.exhaustedNow
        || restarts.isExhausted(g.key))) {
      return Slot.GIVEN_UP;
    }
    return Slot.FREE;
  }

  /** A job task the manager still wants run to its end. */
  private static boolean live(Task t) {
    return TaskFacts.desired(t) == TaskState.COMPLETE;
  }

  private static SlotGroup newSlot(Service service, long slot) {
    return new SlotGroup(RestartSupervisor.slotKey(service.id, slot), slot, null);
  }

  private static SlotGroup newGroup(Service service, String nodeId) {
    return new SlotGroup(RestartSupervisor.nodeKey(service.id, nodeId), null, nodeId);
  }

  // ---- events ----

  @Override
  protected boolean interested(Event e) {
    if (e.isIn(Tables.SERVICES)) {
      return e.kind() != Event.Kind.DELETE;
    }
    if (e.isIn(Tables.TASKS)) {
      Task t = (Task) e.object();
      if (t.jobIteration == null) {
        return false;
      }
      Task old = (Task) e.old();
      return e.kind() == Event.Kind.DELETE || (e.kind() == Event.Kind.UPDATE && old != null
          && TaskFacts.observed(t) != TaskFacts.observed(old) && TaskFacts.stopped(t));
    }
    return e.isIn(Tables.NODES);
  }

  @Override
  protected void noteEvent(Event e) {
    if (e.isIn(Tables.SERVICES)) {
      Service s = (Service) e.object();
      if (owns(s)) {
        dirty.add(s.id);
      }
    } else if (e.isIn(Tables.TASKS)) {
      Task t = (Task) e.object();
      if (t.serviceId != null) {
        dirty.add(t.serviceId);
      }
    } else if (e.isIn(Tables.NODES)) {
      dirty.addAll(store.viewStale(tx -> {
        List<String> ids = new ArrayList<>();
        for (Service s : tx.services().all()) {
          if (owns(s) && s.spec.mode.globalJob != null) {
            ids.add(s.id);
          }
        }
        return ids;
      }));
    }
  }
}
