package io.jswarm.manager.orchestrator;

import io.jswarm.api.types.Node;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Tables;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Replicated services: slots 1..Replicas each hold one runnable task.
 *
 * <p>One pass over a service, in order:
 * <ol>
 *   <li>a slot with more than one runnable task keeps one;
 *   <li>a runnable task that stopped goes through the restart policy ({@link RestartSupervisor});
 *   <li>a runnable task on a node that is gone, down or drained is shut down and replaced in the same slot
 *       at once (the scheduler places the replacement elsewhere); a paused node keeps its tasks;
 *   <li>delayed restarts that are due get their replacement;
 *   <li>scale: missing slots are created with the lowest free numbers; extra slots are removed from the
 *       highest number down (their tasks get desired REMOVE, the reaper deletes them once stopped); slots that
 *       are neither occupied nor refilled are removed the same way;
 *   <li>rolling update of slots whose task spec is not the current template ({@link Updater}).
 * </ol>
 */
public final class ReplicatedOrchestrator extends ServiceOrchestrator {
  public ReplicatedOrchestrator(MemoryStore store, Clock clock, RestartSupervisor restarts) {
    super("replicated", store, clock, restarts);
  }

  @Override
  protected boolean owns(Service s) {
    return Modes.isReplicated(s);
  }

  @Override
  protected void plan(Pass p, Service service) {
    long replicas = Modes.replicas(service);
    TreeMap<Long, SlotGroup> slots = new TreeMap<>();
    for (Task t : liveTasks(p, service.id)) {
      if (t.slot == null || t.slot <= 0) {
        continue;
      }
      slots.computeIfAbsent(t.slot, s -> newSlot(service, s)).tasks.add(t);
    }
    slots.values().forEach(ServiceOrchestrator::sortSlot);
    Map<String, Node> nodes = new HashMap<>();

    for (SlotGroup g : slots.values()) {
      if (p.full()) {
        return;
      }
      keepOneRunnable(p, service, g);
      Task t = g.running();
      if (t == null) {
        continue;
      }
      if (TaskFacts.stopped(t)) {
        handleStopped(p, service, g, t, true);
      } else if (t.nodeId != null && NodeFit.evictsReplicated(node(p, nodes, t.nodeId))) {
        p.desire(t, TaskState.SHUTDOWN);
        create(p, service, g);
      }
    }
    for (SlotGroup g : slots.values()) {
      if (p.full()) {
        return;
      }
      startDueRestart(p, service, g, true);
    }

    List<SlotGroup> occupied = new ArrayList<>();
    Set<Long> taken = new HashSet<>();
    for (SlotGroup g : slots.values()) {
      if (occupied(g)) {
        occupied.add(g);
        taken.add(g.slot);
      }
    }
    if (occupied.size() > replicas) {
      // occupied is in slot order: the highest slots go.
      while (occupied.size() > replicas && !p.full()) {
        removeSlot(p, occupied.remove(occupied.size() - 1));
      }
    } else {
      long next = 1;
      while (occupied.size() < replicas && !p.full()) {
        while (taken.contains(next)) {
          next++;
        }
        SlotGroup g = slots.computeIfAbsent(next, s -> newSlot(service, s));
        create(p, service, g);
        taken.add(next);
        occupied.add(g);
      }
      if (occupied.size() < replicas) {
        p.next = new CreateSlots(service.versionIndex(), Set.copyOf(taken), next, replicas - occupied.size());
      }
    }
    if (p.full()) {
      return;
    }
    for (SlotGroup g : slots.values()) {
      if (!taken.contains(g.slot) && !g.tasks.isEmpty()) {
        removeSlot(p, g);
      }
    }
    occupied.sort((a, b) -> Long.compare(a.slot, b.slot));
    rollingUpdate(p, service, occupied);
  }

  /**
   * The rest of a scale-up that one pass could not finish (a service of 100,000 replicas is created 500 tasks
   * per transaction): the next passes create tasks in the lowest free slots from {@code next} on, without reading
   * the service's tasks again; {@code taken} is what the planning pass saw occupied (slots below {@code next}
   * are taken or were created since). Costs each pass its writes only, so the API and the other loops keep their
   * share of the leader while a large service is created.
   */
  private final class CreateSlots implements Pass.Continuation {
    private final long serviceVersion;
    private final Set<Long> taken;
    private final long next;
    private final long left;

    CreateSlots(long serviceVersion, Set<Long> taken, long next, long left) {
      this.serviceVersion = serviceVersion;
      this.taken = taken;
      this.next = next;
      this.left = left;
    }

    @Override
    public long serviceVersion() {
      return serviceVersion;
    }

    /** It creates tasks in free slots, reading nothing the passes before it wrote. */
    @Override
    public boolean pipelined() {
      return true;
    }

    @Override
    public void run(Pass p, Service service) {
      long slot = next;
      long remaining = left;
      while (remaining > 0 && !p.full()) {
        while (taken.contains(slot)) {
          slot++;
        }
        create(p, service, newSlot(service, slot));
        slot++;
        remaining--;
      }
      p.next = remaining > 0 ? new CreateSlots(serviceVersion, taken, slot, remaining) : null;
    }
  }

  private static SlotGroup newSlot(Service service, long slot) {
    return new SlotGroup(RestartSupervisor.slotKey(service.id, slot), slot, null);
  }

  private static Node node(Pass p, Map<String, Node> cache, String id) {
    return cache.computeIfAbsent(id, k -> p.tx.nodes().get(k));
  }

  // ---- events ----

  @Override
  protected boolean interested(Event e) {
    if (e.isIn(Tables.SERVICES)) {
      return e.kind() != Event.Kind.DELETE;
    }
    if (e.isIn(Tables.TASKS)) {
      return taskEventMatters(e);
    }
    if (e.isIn(Tables.NODES)) {
      if (e.kind() == Event.Kind.DELETE) {
        return true;
      }
      Node n = (Node) e.object();
      Node old = (Node) e.old();
      return NodeFit.evictsReplicated(n) && (old == null || !NodeFit.evictsReplicated(old));
    }
    return false;
  }

  /**
   * Task changes that need a pass: a runnable task stopped, reached RUNNING (the updater waits for that), or
   * stopped being runnable, or a rebalance marked it to move; a runnable task was deleted.
   */
  static boolean taskEventMatters(Event e) {
    Task t = (Task) e.object();
    Task old = (Task) e.old();
    switch (e.kind()) {
      case DELETE:
        return TaskFacts.runnable(t);
      case UPDATE:
        if (old != null && TaskFacts.runnable(old) && !TaskFacts.runnable(t)) {
          return true;
        }
        if (!TaskFacts.runnable(t)) {
          return false;
        }
        if (Boolean.TRUE.equals(t.rebalance) && (old == null || !Boolean.TRUE.equals(old.rebalance))) {
          return true; // a rebalance moves it: the updater replaces it
        }
        TaskState now = TaskFacts.observed(t);
        TaskState before = old == null ? null : TaskFacts.observed(old);
        if (now == TaskState.RUNNING && before == TaskState.RUNNING) {
          return !Objects.equals(health(t), health(old)); // the updater waits for healthy
        }
        return now != before && (now.isTerminal() || now == TaskState.RUNNING);
      default:
        return false;
    }
  }

  /**
   * A change {@link #taskEventMatters} lets through only because a rolling update waits for new tasks to be ready:
   * a runnable task reached RUNNING, or its health changed while running.
   */
  static boolean onlyTheUpdaterWaits(Event e) {
    if (e.kind() != Event.Kind.UPDATE || !taskEventMatters(e)) {
      return false;
    }
    Task t = (Task) e.object();
    Task old = (Task) e.old();
    if (TaskFacts.moving(t) && (old == null || !TaskFacts.moving(old))) {
      return false; // a rebalance marked it: the updater starts
    }
    return TaskFacts.runnable(t) && (old == null || TaskFacts.runnable(old))
        && TaskFacts.observed(t) == TaskState.RUNNING;
  }

  private static String health(Task t) {
    return t.status == null || t.status.containerStatus == null ? null : t.status.containerStatus.health;
  }

  @Override
  protected void noteEvent(Event e) {
    if (e.isIn(Tables.SERVICES)) {
      Service s = (Service) e.object();
      if (owns(s)) {
        noteUpdateState(s);
        dirty.add(s.id);
      }
    } else if (e.isIn(Tables.TASKS)) {
      Task t = (Task) e.object();
      if (t.serviceId != null && t.slot != null && t.slot > 0) {
        noteTaskEvent(e);
      }
    } else if (e.isIn(Tables.NODES)) {
      markServicesOnNode(e.object().id);
    }
  }
}
