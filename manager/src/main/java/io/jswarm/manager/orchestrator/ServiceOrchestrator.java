package io.jswarm.manager.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Tables;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the replicated and global orchestrators share: per-service reconciliation in store transactions, the
 * restart policy applied to stopped tasks, delayed restarts, occupancy of a slot, and the rolling update.
 */
abstract class ServiceOrchestrator extends EventLoop {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceOrchestrator.class);

  protected final RestartSupervisor restarts;
  protected final Updater updater = new Updater();
  /** Services to reconcile on the next pass (loop thread). */
  protected final Set<String> dirty = Collections.synchronizedSet(new LinkedHashSet<>());
  /**
   * Services whose rolling update is running as last seen (row events and passes): only their tasks' progress to
   * RUNNING or healthy needs a pass ({@link ReplicatedOrchestrator#onlyTheUpdaterWaits}). Without it, each batch
   * of tasks of a large new service reported running would plan the whole service again.
   */
  private final Set<String> updating = ConcurrentHashMap.newKeySet();

  ServiceOrchestrator(String name, MemoryStore store, Clock clock, RestartSupervisor restarts) {
    super(name, store, clock);
    this.restarts = restarts;
  }

  /** Whether this orchestrator owns the service (by mode). */
  protected abstract boolean owns(Service s);

  /** Plans one transaction's worth of reconciliation of an owned service. */
  protected abstract void plan(Pass p, Service service);

  @Override
  public void reconcileAll() {
    List<String> ids = store.viewStale(tx -> {
      List<String> out = new ArrayList<>();
      for (Service s : tx.services().all()) {
        if (owns(s)) {
          out.add(s.id);
          noteUpdateState(s);
        }
      }
      return out;
    });
    dirty.clear();
    for (String id : ids) {
      if (!reconcile(id)) {
        dirty.add(id);
      }
    }
  }

  /**
   * Brings one service's tasks to what its spec asks, in as many transactions as needed. Returns false when a
   * transaction kept losing compare-and-set races (the caller retries later).
   */
  public boolean reconcile(String serviceId) {
    synchronized (passLock) {
      int conflicts = 0;
      Pass.Continuation[] carried = {null};
      // Passes proposed and not committed yet (see Continuation#pipelined), with whether each ran a continuation
      ArrayDeque<CompletableFuture<Pass>> inFlight = new ArrayDeque<>();
      ArrayDeque<Boolean> inFlightContinued = new ArrayDeque<>();
      while (true) {
        Pass done;
        boolean several = false;
        try {
          boolean pending = !inFlight.isEmpty();
          boolean[] drain = {false};
          Pass[] made = {null};
          CompletableFuture<Pass> proposed = store.updateAsync(tx -> {
            Pass p = new Pass(tx, clock.instant(), MAX_WRITES_PER_PASS, restarts.metrics());
            made[0] = p;
            Service s = tx.services().get(serviceId);
            Pass.Continuation k = carried[0];
            noteUpdateState(s);
            if (s != null && owns(s) && k != null && k.serviceVersion() == s.versionIndex()) {
              k.run(p, s);
            } else if (pending) {
              drain[0] = true; // anything else reads what the passes in flight write: wait for them first
            } else if (s == null) {
              p.afterCommit(() -> restarts.forgetService(serviceId));
            } else if (owns(s)) {
              plan(p, s);
            } else {
              p.afterCommit(() -> restarts.cancelOwned(serviceId, this));
            }
            return p;
          });
          if (drain[0]) {
            several = true;
            awaitInOrder(inFlight, inFlightContinued);
            continue; // and plan from the store, which now has them
          }
          inFlight.add(proposed);
          inFlightContinued.add(carried[0] != null);
          Pass p = made[0];
          if (!proposed.isCompletedExceptionally() && p != null && p.next != null && p.next.pipelined()
              && inFlight.size() < passesInFlight) {
            carried[0] = p.next; // its next part is proposed before this one is committed
            continue;
          }
          several = inFlight.size() > 1;
          done = awaitInOrder(inFlight, inFlightContinued);
        } catch (ConflictException | NotFoundException e) {
          if (several) {
            carried[0] = null; // plan from the store: it shows what the passes that went through created
          }
          if (++conflicts > MAX_CONFLICT_RETRIES) {
            LOG.debug("service {}: giving up this pass after {} conflicts: {}", serviceId, conflicts, e.getMessage());
            return false;
          }
          continue;
        }
        boolean continued = lastContinued;
        carried[0] = done.next;
        if (!done.full() && done.next == null && !continued) {
          return true; // a pass that finished a continuation is followed by one plan from the store
        }
        conflicts = 0;
      }
    }
  }

  /** Passes of one service proposed before the first of them is committed ({@link Pass.Continuation#pipelined}). */
  volatile int passesInFlight = MAX_PASSES_IN_FLIGHT;

  /** Whether the last pass {@link #awaitInOrder} returned ran a continuation (under the pass lock). */
  private boolean lastContinued;

  /**
   * Waits for every pass in flight, oldest first, and runs each one's after-commit effects once it is committed;
   * returns the last. Throws the first failure once all have completed (the effects of those that committed run).
   */
  private Pass awaitInOrder(ArrayDeque<CompletableFuture<Pass>> inFlight, ArrayDeque<Boolean> continued) {
    Pass last = null;
    RuntimeException failure = null;
    while (!inFlight.isEmpty()) {
      CompletableFuture<Pass> f = inFlight.poll();
      lastContinued = continued.poll();
      try {
        last = MemoryStore.await(f);
        last.committed();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    return last;
  }

  /** Records whether {@code s} (null: deleted) has a rolling update running. */
  protected void noteUpdateState(Service s) {
    if (s == null) {
      return;
    }
    if (Updater.isActive(s)) {
      updating.add(s.id);
    } else {
      updating.remove(s.id);
    }
  }

  /**
   * Marks the service of a task event dirty, unless the event is only a task's progress to RUNNING or healthy
   * and no rolling update of the service waits for that.
   */
  protected void noteTaskEvent(Event e) {
    Task t = (Task) e.object();
    if (ReplicatedOrchestrator.onlyTheUpdaterWaits(e) && !updating.contains(t.serviceId)) {
      return;
    }
    dirty.add(t.serviceId);
  }

  @Override
  protected boolean hasDirty() {
    return !dirty.isEmpty();
  }

  @Override
  protected boolean reconcileDirty() {
    List<String> ids;
    synchronized (dirty) {
      ids = new ArrayList<>(dirty);
      dirty.clear();
    }
    boolean ok = true;
    for (String id : ids) {
      if (!reconcile(id)) {
        dirty.add(id);
        ok = false;
      }
    }
    return ok;
  }

  @Override
  protected Instant nextTimer() {
    Instant a = restarts.nextDue(this);
    Instant b = updater.nextWake();
    return a == null ? b : b == null || a.isBefore(b) ? a : b;
  }

  @Override
  protected void timersDue(Instant now) {
    dirty.addAll(restarts.dueServices(this, now));
    dirty.addAll(updater.dueServices(now));
  }

  @Override
  public synchronized void stop() {
    super.stop();
    updater.clear();
    updating.clear();
  }

  // ---- building blocks of a plan ----

  /**
   * The service's tasks whose desired state is not REMOVE, as a pass reads them: the stored rows are visited in
   * place ({@code scan}, no JSON copy) and each kept task is a {@link Task#shallowCopy}, so a pass may move its
   * desired state ({@link Pass#desire}) without changing the stored row. Only the tasks a pass changes are then
   * copied whole, by the store's update. A pass over a 100,000-task service costs a walk over its rows, not
   * 100,000 JSON round trips under the store's read lock.
   */
  static List<Task> liveTasks(Pass p, String serviceId) {
    List<Task> out = new ArrayList<>();
    p.tx.tasks().scan(Tables.BY_SERVICE, serviceId, t -> {
      if (TaskFacts.desired(t) != TaskState.REMOVE) {
        out.add(t.shallowCopy());
      }
    });
    return out;
  }

  /** Puts a slot's tasks oldest first. */
  static void sortSlot(SlotGroup g) {
    TaskFacts.sortOldestFirst(g.tasks);
  }

  /**
   * Keeps at most one runnable task in a slot: the furthest along, then the newest; others are shut down. A
   * start-first update's pair is the exception: an older task with another spec beside a newer task with the
   * current template stays until the {@link Updater} sees the new one ready (or the new one stops); the other way
   * round (a rollback of such a pair) the newer task goes.
   */
  static void keepOneRunnable(Pass p, Service service, SlotGroup g) {
    List<Task> runnable = g.runnable();
    if (runnable.size() <= 1) {
      return;
    }
    if (runnable.size() == 2) {
      TaskFacts.sortOldestFirst(runnable);
      Task older = runnable.get(0);
      Task newer = runnable.get(1);
      JsonNode template = TaskFacts.template(service);
      // a task a rebalance moves is on its way out: it counts as not current
      boolean olderCurrent = TaskFacts.current(older).equals(template) && !TaskFacts.moving(older);
      boolean newerCurrent = TaskFacts.current(newer).equals(template) && !TaskFacts.moving(newer);
      if (newerCurrent && !olderCurrent && !TaskFacts.stopped(newer)) {
        return;
      }
      if (olderCurrent && !newerCurrent && !TaskFacts.stopped(older)) {
        p.desire(newer, TaskState.SHUTDOWN);
        return;
      }
    }
    Comparator<Task> best = Comparator
        .comparing((Task t) -> !TaskFacts.stopped(t))
        .thenComparing(t -> TaskFacts.observed(t).number())
        .thenComparing(TaskFacts.OLDEST_FIRST);
    Task keep = runnable.stream().max(best).orElseThrow();
    for (Task t : runnable) {
      if (t != keep) {
        p.desire(t, TaskState.SHUTDOWN);
      }
    }
  }

  /**
   * A task stopped although it should run: it is told to shut down, and the restart policy decides whether a
   * replacement comes now, after the delay, or never. {@code mayReplace} false (a paused node): shut down only.
   */
  protected void handleStopped(Pass p, Service service, SlotGroup g, Task t, boolean mayReplace) {
    p.desire(t, TaskState.SHUTDOWN);
    if (!mayReplace || !RestartSupervisor.conditionAllows(t)) {
      return;
    }
    if (!restarts.attemptsLeft(g.key, t, p.now)) {
      g.exhaustedNow = true;
      p.afterCommit(() -> restarts.markExhausted(g.key));
      LOG.info("service {}: {} stopped ({}); restart attempts used up, not restarting", service.spec.name,
          t.name, TaskFacts.observed(t).json());
      return;
    }
    Instant now = p.now;
    p.afterCommit(() -> {
      restarts.recordRestart(g.key, t, now);
      restarts.metrics().restarts.inc();
    });
    Duration delay = RestartSupervisor.delay(t);
    if (delay.isZero()) {
      create(p, service, g);
    } else {
      Instant due = now.plus(delay);
      g.scheduledNow = due;
      p.afterCommit(() -> restarts.schedule(g.key, service.id, due, this));
    }
  }

  /** Creates the replacement of a delayed restart once due (if the slot still needs it); false if not due. */
  protected boolean startDueRestart(Pass p, Service service, SlotGroup g, boolean mayCreate) {
    Instant due = restarts.due(g.key);
    if (due == null) {
      return false;
    }
    if (g.running() != null || !mayCreate) {
      p.afterCommit(() -> restarts.cancel(g.key));
      return false;
    }
    if (due.isAfter(p.now)) {
      return false;
    }
    create(p, service, g);
    p.afterCommit(() -> restarts.cancel(g.key));
    return true;
  }

  /**
   * A slot counts towards the service when it has a runnable task, a restart pending, or a stopped newest task
   * the restart policy will not replace (condition, or attempts used up): such a slot stays empty on purpose.
   */
  protected boolean occupied(SlotGroup g) {
    if (g.running() != null || g.scheduledNow != null || restarts.due(g.key) != null) {
      return true;
    }
    Task last = g.stoppedNewest();
    return last != null && (!RestartSupervisor.conditionAllows(last) || g.exhaustedNow
        || restarts.isExhausted(g.key));
  }

  /**
   * Rolling update over occupied slots; replaced slots start a fresh restart history. A slot waiting for a
   * delayed restart is left alone: its replacement is made from the current template anyway.
   */
  protected void rollingUpdate(Pass p, Service service, List<SlotGroup> slots) {
    List<SlotGroup> candidates = new ArrayList<>(slots.size());
    for (SlotGroup g : slots) {
      if (g.scheduledNow == null && restarts.due(g.key) == null) {
        candidates.add(g);
      }
    }
    updater.run(p, service, slots, candidates, this);
  }

  /** A slot got a task of the new spec by the rolling update: it starts a fresh restart history. */
  void updated(Pass p, SlotGroup g) {
    p.afterCommit(() -> restarts.resetHistory(g.key));
  }

  /** Every task of the slot gets desired REMOVE (the reaper deletes it once stopped); the slot is forgotten. */
  protected void removeSlot(Pass p, SlotGroup g) {
    for (Task t : g.tasks) {
      p.desire(t, TaskState.REMOVE);
    }
    g.tasks.clear();
    p.afterCommit(() -> restarts.forget(g.key));
  }

  protected Task create(Pass p, Service service, SlotGroup g) {
    Task t = p.create(TaskFactory.newTask(service, p.endpointOf(service), g.slot, g.nodeId, p.now));
    g.tasks.add(t);
    return t;
  }

  /** Marks the services of runnable tasks on {@code nodeId} dirty (read on the loop thread). */
  protected void markServicesOnNode(String nodeId) {
    Set<String> ids = store.viewStale(tx -> {
      Set<String> out = new LinkedHashSet<>();
      tx.tasks().scan(Tables.BY_NODE, nodeId, t -> {
        if (TaskFacts.runnable(t) && t.serviceId != null) {
          out.add(t.serviceId);
        }
      });
      return out;
    });
    dirty.addAll(ids);
  }
}
