package io.jswarm.manager.orchestrator;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.ReadTx;
import io.jswarm.consensus.store.Tables;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Deletes tasks nobody needs any more:
 * <ul>
 *   <li>a deleted service's tasks get desired REMOVE first (deleting a service only deletes its row);
 *   <li>a task whose desired state is REMOVE is deleted once it stopped (observed state COMPLETE or later),
 *       was never assigned (observed state before ASSIGNED), or its node is down or deleted;
 *   <li>history: per replicated slot, and per global service and node, at most
 *       {@code Swarm.Spec.Orchestration.TaskHistoryRetentionLimit} tasks are kept (default
 *       {@value #DEFAULT_RETENTION}; negative keeps all), counting the current task as swarmkit does; the
 *       oldest stopped ones go first. Runnable tasks are never deleted here.
 * </ul>
 */
public final class TaskReaper extends EventLoop {
  /** Docker's default task history retention limit. */
  public static final long DEFAULT_RETENTION = 5;

  /** A history group: a replicated slot or a global service's node. */
  record Group(String serviceId, Long slot, String nodeId) {
    static Group of(Task t) {
      if (t.serviceId == null) {
        return null;
      }
      if (t.slot != null && t.slot > 0) {
        return new Group(t.serviceId, t.slot, null);
      }
      return t.nodeId == null ? null : new Group(t.serviceId, null, t.nodeId);
    }
  }

  /** Items (tasks, history groups) one transaction of the reaper looks at, see {@link #inChunks}. */
  static final int MAX_ITEMS_PER_PASS = 1000;

  private final Set<Group> groups = Collections.synchronizedSet(new LinkedHashSet<>());
  private final Set<String> candidates = Collections.synchronizedSet(new LinkedHashSet<>());
  private final Set<String> deletedServices = Collections.synchronizedSet(new LinkedHashSet<>());
  private final Set<String> lostNodes = Collections.synchronizedSet(new LinkedHashSet<>());
  private volatile boolean all;

  private final OrchestratorMetrics metrics;

  public TaskReaper(MemoryStore store, Clock clock) {
    this(store, clock, new OrchestratorMetrics(new io.jswarm.transport.metrics.Metrics()));
  }

  TaskReaper(MemoryStore store, Clock clock, OrchestratorMetrics metrics) {
    super("reaper", store, clock);
    this.metrics = metrics;
  }

  /** The retention limit in force: the cluster object's, or {@link #DEFAULT_RETENTION}. */
  static long retention(ReadTx tx) {
    // Read in place (scan): trim asks once per history group, and the cluster row is large (the CA).
    Swarm[] found = {null};
    tx.cluster().scan(Tables.BY_NAME, Swarm.DEFAULT_NAME, c -> {
      if (found[0] == null) {
        found[0] = c;
      }
    });
    if (found[0] == null) {
      tx.cluster().scanAll(c -> {
        if (found[0] == null) {
          found[0] = c;
        }
      });
    }
    Swarm s = found[0];
    if (s == null || s.spec == null || s.spec.orchestration == null
        || s.spec.orchestration.taskHistoryRetentionLimit == null) {
      return DEFAULT_RETENTION;
    }
    return s.spec.orchestration.taskHistoryRetentionLimit;
  }

  /** Sweeps everything: orphaned tasks, removable tasks, every history group. */
  @Override
  public void reconcileAll() {
    synchronized (passLock) {
      all = false;
      groups.clear();
      candidates.clear();
      deletedServices.clear();
      lostNodes.clear();
      List<String> orphans = store.viewStale(tx -> {
        List<String> out = new ArrayList<>();
        Set<String> services = new java.util.HashSet<>();
        tx.services().all().forEach(s -> services.add(s.id));
        tx.tasks().scanAll(t -> {
          if (t.serviceId != null && !services.contains(t.serviceId) && TaskFacts.desired(t) != TaskState.REMOVE) {
            out.add(t.id);
          }
        });
        return out;
      });
      boolean ok = inChunks(orphans, this::markRemove);
      List<String> removable = store.viewStale(tx -> {
        List<String> out = new ArrayList<>();
        tx.tasks().scan(Tables.BY_DESIRED_STATE, TaskState.REMOVE.json(), t -> out.add(t.id));
        return out;
      });
      ok &= inChunks(removable, this::reap);
      List<Group> every = store.viewStale(tx -> {
        Set<Group> out = new LinkedHashSet<>();
        tx.tasks().scanAll(t -> {
          Group g = Group.of(t);
          if (g != null) {
            out.add(g);
          }
        });
        return new ArrayList<>(out);
      });
      ok &= inChunks(every, this::trim);
      all = !ok;
    }
  }

  @Override
  protected boolean hasDirty() {
    return all || !groups.isEmpty() || !candidates.isEmpty() || !deletedServices.isEmpty() || !lostNodes.isEmpty();
  }

  @Override
  protected boolean reconcileDirty() {
    if (all) {
      reconcileAll();
      return !all;
    }
    synchronized (passLock) {
      boolean ok = true;
      List<String> services = drain(deletedServices);
      List<String> toMark = store.viewStale(tx -> {
        List<String> out = new ArrayList<>();
        for (String id : services) {
          tx.tasks().scan(Tables.BY_SERVICE, id, t -> {
            if (TaskFacts.desired(t) != TaskState.REMOVE) {
              out.add(t.id);
            }
          });
        }
        return out;
      });
      if (!inChunks(toMark, this::markRemove)) {
        deletedServices.addAll(services);
        ok = false;
      }
      List<String> nodes = drain(lostNodes);
      candidates.addAll(store.viewStale(tx -> {
        List<String> out = new ArrayList<>();
        for (String id : nodes) {
          tx.tasks().scan(Tables.BY_NODE, id, t -> {
            if (TaskFacts.desired(t) == TaskState.REMOVE) {
              out.add(t.id);
            }
          });
        }
        return out;
      }));
      List<String> ids = drain(candidates);
      if (!inChunks(ids, this::reap)) {
        candidates.addAll(ids);
        ok = false;
      }
      List<Group> dirtyGroups = drain(groups);
      if (!inChunks(dirtyGroups, this::trim)) {
        groups.addAll(dirtyGroups);
        ok = false;
      }
      return ok;
    }
  }

  private void markRemove(Pass p, String taskId) {
    Task t = p.tx.tasks().get(taskId);
    if (t != null && t.serviceId != null && p.tx.services().get(t.serviceId) == null) {
      p.desire(t, TaskState.REMOVE);
    }
  }

  private void reap(Pass p, String taskId) {
    Task t = p.tx.tasks().get(taskId);
    if (t != null && TaskFacts.desired(t) == TaskState.REMOVE && gone(p.tx, t, true)) {
      p.delete(t.id);
    }
  }

  /** Stopped, never assigned, or its node is gone (or down, when {@code downCounts}). */
  private static boolean gone(ReadTx tx, Task t, boolean downCounts) {
    TaskState s = TaskFacts.observed(t);
    if (s.isTerminal() || s.number() < TaskState.ASSIGNED.number() || t.nodeId == null) {
      return true;
    }
    Node n = tx.nodes().get(t.nodeId);
    return n == null || (downCounts && NodeFit.isDown(n));
  }

  /** Deletes the group's oldest stopped tasks past the retention limit; reads the rows in place. */
  private void trim(Pass p, Group g) {
    long limit = retention(p.tx);
    if (limit < 0) {
      return;
    }
    List<Task> tasks = new ArrayList<>();
    java.util.function.Consumer<Task> inGroup = t -> {
      if (Objects.equals(t.serviceId, g.serviceId) && TaskFacts.desired(t) != TaskState.REMOVE
          && Objects.equals(Group.of(t), g)) {
        tasks.add(t);
      }
    };
    if (g.slot != null) {
      p.tx.tasks().scan(Tables.BY_SLOT, Tables.slotKey(g.serviceId, g.slot), inGroup);
    } else {
      p.tx.tasks().scan(Tables.BY_NODE, g.nodeId, inGroup);
    }
    if (tasks.size() <= limit) {
      return;
    }
    TaskFacts.sortOldestFirst(tasks);
    int keep = tasks.size();
    for (Task t : tasks) {
      if (keep <= limit) {
        break;
      }
      if (!TaskFacts.runnable(t) && gone(p.tx, t, false)) {
        p.delete(t.id);
        keep--;
      }
    }
  }

  /**
   * Runs {@code op} over {@code items} in transactions of at most {@link #MAX_WRITES_PER_PASS} writes and
   * {@link #MAX_ITEMS_PER_PASS} items (an op that only reads, a history group within its limit, still holds the
   * store's read lock: 100,000 of them in one transaction held off every write and, behind it, every API read);
   * every op re-reads what it changes, so a transaction that lost a race is simply run again. False when one kept
   * losing.
   */
  private <T> boolean inChunks(List<T> items, BiConsumer<Pass, T> op) {
    int i = 0;
    int conflicts = 0;
    while (i < items.size()) {
      int start = i;
      int[] end = {start};
      try {
        Pass done = store.update(tx -> {
          Pass p = new Pass(tx, clock.instant(), MAX_WRITES_PER_PASS, metrics);
          int j = start;
          while (j < items.size() && !p.full() && j - start < MAX_ITEMS_PER_PASS) {
            op.accept(p, items.get(j++));
          }
          end[0] = j;
          return p;
        });
        done.committed();
        i = end[0];
        conflicts = 0;
      } catch (ConflictException | NotFoundException e) {
        if (++conflicts > MAX_CONFLICT_RETRIES) {
          return false;
        }
      }
    }
    return true;
  }

  private static <T> List<T> drain(Set<T> set) {
    synchronized (set) {
      List<T> out = new ArrayList<>(set);
      set.clear();
      return out;
    }
  }

  // ---- events ----

  @Override
  protected boolean interested(Event e) {
    if (e.isIn(Tables.TASKS)) {
      return e.kind() == Event.Kind.CREATE
          || (e.kind() == Event.Kind.UPDATE && !TaskFacts.runnable((Task) e.object()));
    }
    if (e.isIn(Tables.SERVICES)) {
      return e.kind() == Event.Kind.DELETE;
    }
    if (e.isIn(Tables.NODES)) {
      return e.kind() == Event.Kind.DELETE
          || (NodeFit.isDown((Node) e.object()) && (e.old() == null || !NodeFit.isDown((Node) e.old())));
    }
    return e.isIn(Tables.CLUSTER);
  }

  @Override
  protected void noteEvent(Event e) {
    if (e.isIn(Tables.TASKS)) {
      Task t = (Task) e.object();
      Group g = Group.of(t);
      if (g != null) {
        groups.add(g);
      }
      if (TaskFacts.desired(t) == TaskState.REMOVE) {
        candidates.add(t.id);
      }
    } else if (e.isIn(Tables.SERVICES)) {
      deletedServices.add(e.object().id);
    } else if (e.isIn(Tables.NODES)) {
      lostNodes.add(e.object().id);
    } else if (e.isIn(Tables.CLUSTER)) {
      all = true;
    }
  }
}
