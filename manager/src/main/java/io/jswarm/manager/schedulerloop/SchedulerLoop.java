package io.jswarm.manager.schedulerloop;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.Timestamps;
import io.jswarm.consensus.store.Event;
import com.codahale.metrics.Counter;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Proposer;
import io.jswarm.consensus.store.Tx;
import io.jswarm.transport.metrics.BucketHistogram;
import io.jswarm.transport.metrics.Metrics;
import io.jswarm.consensus.store.ReadTx;
import io.jswarm.consensus.store.Tables;
import io.jswarm.manager.loop.LeaderLoop;
import io.jswarm.overlay.allocator.NetworkNeeds;
import io.jswarm.scheduler.NodeInfo;
import io.jswarm.scheduler.Scheduler;
import io.jswarm.scheduler.SchedulingResult;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's scheduler loop: keeps a local model of nodes, services and live tasks from a store
 * {@code viewAndWatch} and, when they change ({@link LeaderLoop}: at once after a quiet spell, else debounced by
 * {@link #COMMIT_DEBOUNCE}, at most {@link #MAX_DEBOUNCE} late), runs one pass over the tasks whose desired
 * state is at most RUNNING and that have every network they need ({@link NetworkNeeds}; tasks that need networks
 * are left to the network allocator loop, which moves them to PENDING once they have their addresses):
 * <ul>
 *   <li>NEW and PENDING tasks go through the pure {@link Scheduler}: placed ones move to ASSIGNED with their node
 *       and {@value #ASSIGNED_MESSAGE} (or {@value #CONFIRMED_MESSAGE} for tasks that came with a node) — a NEW
 *       task that needs no network passes PENDING in the same write, so that creating a service costs one Raft
 *       commit here, not two;</li>
 *   <li>the others are (or stay) PENDING with the explanation as message, written only when it changed
 *       ({@value #PENDING_MESSAGE} for a NEW task the scheduler gave no reason for).</li>
 * </ul>
 * Writes go in batches of {@link #BATCH_SIZE} tasks, one store update each, as patches of the status and the node
 * ({@code TableWriter.patch}: a few hundred bytes through the log instead of the whole task row). Every task is
 * re-read inside the update and skipped if it changed in a way that voids the decision; a compare-and-set conflict at
 * commit re-runs the batch from fresh reads, and a batch that keeps conflicting is retried after {@link #RETRY_DELAY}.
 * Unplaced tasks are tried again on the next change of any node, service or task. Timestamps come from the
 * injected clock.
 *
 * <p>Runs on its own thread between {@link #start} and {@link #stop} (the manager does so while it leads);
 * {@link #runOnce} runs one pass synchronously, for tests.
 */
public final class SchedulerLoop extends LeaderLoop {
  /**
   * Quiet time after a change before a pass runs while passes are frequent (a change after a quiet spell is
   * handled at once, see {@link LeaderLoop}), so that a burst of writes is scheduled in one pass.
   */
  public static final Duration COMMIT_DEBOUNCE = Duration.ofMillis(30);
  /** Longest a pass is put off by a steady stream of commits. */
  public static final Duration MAX_DEBOUNCE = Duration.ofSeconds(1);
  /** Wait before a pass that failed (e.g. no quorum) is tried again. */
  public static final Duration RETRY_DELAY = Duration.ofSeconds(1);
  /** Tasks written per store update. */
  public static final int BATCH_SIZE = io.jswarm.consensus.store.Proposer.MAX_ROWS_PER_ENTRY;
  /** Times a batch is re-run from fresh reads after a compare-and-set conflict. */
  static final int MAX_ATTEMPTS = 5;

  public static final String PENDING_MESSAGE = "pending task scheduling";
  public static final String ASSIGNED_MESSAGE = "scheduler assigned task to node";
  public static final String CONFIRMED_MESSAGE = "scheduler confirmed task can run on preassigned node";

  private static final Logger log = LoggerFactory.getLogger(SchedulerLoop.class);

  // The model, guarded by the loop's lock. Kept up to date event by event, so that a pass costs the tasks waiting
  // for a node and the nodes, never a walk over every task of the cluster.
  private final Map<String, Node> nodes = new HashMap<>();
  private final Map<String, Service> services = new HashMap<>();
  /** Tasks NEW or PENDING that the manager wants run, in id order: what a pass places. */
  private final TreeMap<String, Task> waiting = new TreeMap<>();
  /** Tasks occupying a node ({@link NodeInfo#occupies}), with the service row their use was counted with. */
  private final Map<String, Occupant> occupants = new HashMap<>();
  /** What the occupants use, per node id (also for nodes not, or no longer, in {@link #nodes}). */
  private final Map<String, NodeInfo> usage = new HashMap<>();
  /** Tasks the last pass looked at (waiting and occupying ones): what a pass costs, for tests. */
  private int lastVisited;

  private record Occupant(Task task, Service service) {}

  /** A batch gave up after conflicts: the pass asks for a retry. */
  private boolean gaveUp;
  /** Tasks the loop's last pass wrote. */
  private int lastWritten;

  /** Placements, refusals and pass time ({@code jswarm_scheduler_*}). */
  private final Counter placed;
  private final BucketHistogram passSeconds;
  private volatile int unplaceable;

  public SchedulerLoop(MemoryStore store, Clock clock) {
    this(store, clock, new Metrics());
  }

  public SchedulerLoop(MemoryStore store, Clock clock, Metrics metrics) {
    super("scheduler-loop", store, clock, new Timing(COMMIT_DEBOUNCE, MAX_DEBOUNCE, RETRY_DELAY));
    placed = metrics.counter("jswarm_scheduler_placements_total", "Tasks the scheduler assigned to a node.");
    passSeconds = metrics.histogram("jswarm_scheduler_pass_seconds", "Time of one scheduling pass that had tasks "
        + "to place, writes included.", Metrics.SECONDS);
    metrics.gauge("jswarm_scheduler_unplaceable_tasks", "Tasks the last pass found no node for.", () -> unplaceable);
  }

  /**
   * Takes in every change seen so far and runs one pass now, on the calling thread. Opens the watch on first
   * use when the loop was not started ({@link #stop} closes it).
   *
   * @return the number of tasks written
   */
  public int runOnce() {
    synchronized (lock) {
      catchUp();
      return schedule();
    }
  }

  @Override
  protected boolean interested(Event e) {
    return e.isIn(Tables.TASKS) || e.isIn(Tables.NODES) || e.isIn(Tables.SERVICES);
  }

  @Override
  protected boolean pass(boolean full) {
    lastWritten = schedule();
    return !gaveUp;
  }

  /** A pass with nothing to place is cheap: it does not hold the next change back. */
  @Override
  protected boolean lastPassWrote() {
    return lastWritten > 0;
  }

  // ---- the model ----

  @Override
  protected void load(ReadTx tx) {
    nodes.clear();
    services.clear();
    waiting.clear();
    occupants.clear();
    usage.clear();
    tx.nodes().all().forEach(n -> nodes.put(n.id, n));
    tx.services().all().forEach(s -> services.put(s.id, s));
    tx.tasks().scanAll(this::track); // the stored rows themselves: the model never changes a task (see schedule)
  }

  @Override
  protected boolean onEvent(Event e) {
    apply(e);
    return true;
  }

  private void apply(Event e) {
    boolean gone = e.kind() == Event.Kind.DELETE;
    if (e.isIn(Tables.TASKS)) {
      Task t = e.as(Tables.TASKS);
      if (gone) {
        forget(t.id);
      } else {
        track(t);
      }
    } else if (e.isIn(Tables.NODES)) {
      Node n = e.as(Tables.NODES);
      if (gone) {
        nodes.remove(n.id);
      } else {
        nodes.put(n.id, n);
      }
    } else if (e.isIn(Tables.SERVICES)) {
      Service s = e.as(Tables.SERVICES);
      if (gone) {
        services.remove(s.id);
      } else {
        services.put(s.id, s);
      }
    }
  }

  /**
   * Files a task as waiting (to be placed) or occupying its node (counted in that node's usage), or forgets it.
   * O(1) per task event.
   */
  private void track(Task t) {
    forget(t.id);
    TaskState s = state(t);
    if (s.number() <= TaskState.PENDING.number() && t.desiredToRun()) {
      waiting.put(t.id, t);
    }
    if (NodeInfo.occupies(t)) {
      Service service = services.get(t.serviceId);
      occupants.put(t.id, new Occupant(t, service));
      usage.computeIfAbsent(t.nodeId, id -> NodeInfo.of(placeholder(id))).addTask(t, service);
    }
  }

  private void forget(String taskId) {
    waiting.remove(taskId);
    Occupant o = occupants.remove(taskId);
    if (o != null) {
      NodeInfo u = usage.get(o.task().nodeId);
      u.removeTask(o.task(), o.service());
      if (u.taskCount() == 0) {
        usage.remove(o.task().nodeId);
      }
    }
  }

  /** The node row a usage is filed under before (or after) the node itself is known; only its id is read. */
  private static Node placeholder(String id) {
    Node n = new Node();
    n.id = id;
    return n;
  }

  /** Tasks the last pass looked at: the waiting ones, for tests that check a pass costs what changed. */
  int lastPassVisited() {
    synchronized (lock) {
      return lastVisited;
    }
  }

  private static TaskState state(Task t) {
    return t.status == null || t.status.state == null ? TaskState.NEW : t.status.state;
  }

  // ---- one pass ----

  private int schedule() {
    gaveUp = false;
    String now = Timestamps.format(clock.instant());
    Set<String> fresh = new HashSet<>();
    List<Task> candidates = new ArrayList<>();
    lastVisited = waiting.size();
    for (Task t : waiting.values()) {
      if (!NetworkNeeds.allocated(t, services.get(t.serviceId))) {
        continue; // the network allocator's turn (io.jswarm.manager.allocator)
      }
      TaskState s = state(t);
      if (s == TaskState.NEW) {
        // Scheduled as the PENDING row it becomes; the model's row stays as stored.
        Task p = t.withOwnStatus();
        Decision.allocate(p.id, null).applyTo(p, now);
        fresh.add(t.id);
        candidates.add(p);
      } else if (s == TaskState.PENDING) {
        candidates.add(t);
      }
    }
    if (candidates.isEmpty()) {
      unplaceable = 0;
      return 0;
    }
    long start = System.nanoTime(); // candidates are in id order: deterministic group and tie order
    SchedulingResult result = Scheduler.schedule(nodeInfos(), candidates, services);
    List<Decision> decisions = new ArrayList<>();
    for (Task t : candidates) {
      String nodeId = result.placements().get(t.id);
      String why = result.unplaced().get(t.id);
      if (nodeId != null) {
        decisions.add(Decision.assign(t.id, nodeId, t.nodeId != null && !t.nodeId.isEmpty()));
      } else if (fresh.contains(t.id)) {
        decisions.add(Decision.allocate(t.id, why));
      } else if (why != null && !why.equals(t.status == null ? null : t.status.err)) {
        decisions.add(Decision.refuse(t.id, why));
      }
    }
    Set<String> written = write(decisions, now);
    long assigned = decisions.stream().filter(d -> d.kind() == Decision.Kind.ASSIGN && written.contains(d.taskId())).count();
    placed.inc(assigned);
    unplaceable = result.unplaced().size();
    passSeconds.observeNanos(System.nanoTime() - start);
    return written.size();
  }

  /** Every node with its usage as kept by {@link #track}, copied: the pure scheduler adds its placements to them. */
  private List<NodeInfo> nodeInfos() {
    List<NodeInfo> out = new ArrayList<>(nodes.size());
    for (Node n : nodes.values()) {
      NodeInfo u = usage.get(n.id);
      out.add(u == null ? NodeInfo.of(n) : u.withNode(n));
    }
    return out;
  }

  /**
   * Writes decisions in batches proposed together ({@link MemoryStore#updateEach}: each task has one decision, so
   * the batches change disjoint rows); a batch that conflicted is re-read and retried alone. Returns the ids of the
   * tasks actually changed.
   */
  private Set<String> write(List<Decision> decisions, String now) {
    List<List<Decision>> batches = new ArrayList<>();
    List<Function<Tx, List<String>>> writes = new ArrayList<>();
    for (int from = 0; from < decisions.size(); from += BATCH_SIZE) {
      List<Decision> batch = decisions.subList(from, Math.min(decisions.size(), from + BATCH_SIZE));
      batches.add(batch);
      writes.add(tx -> writeRows(tx, batch, now));
    }
    List<CompletableFuture<List<String>>> outcomes =
        store.updateEach(writes, Proposer.MAX_BATCHES_IN_FLIGHT);
    Set<String> done = new HashSet<>();
    for (int i = 0; i < batches.size(); i++) {
      try {
        done.addAll(MemoryStore.await(outcomes.get(i)));
      } catch (ConflictException | NotFoundException e) {
        log.debug("scheduler batch conflicted ({}), re-reading", e.getMessage());
        done.addAll(writeBatch(batches.get(i), now, 2));
      }
    }
    return done;
  }

  private static List<String> writeRows(Tx tx, List<Decision> batch, String now) {
    List<String> ids = new ArrayList<>(batch.size());
    for (Decision d : batch) {
      // The decision sets the status (and the node) only: a patch of those fields, not the whole row, goes through
      // the log; no copy of the task, none of its service.
      Task p = tx.tasks().read(d.taskId(), r -> r != null && d.appliesTo(r)
          && tx.services().read(r.serviceId, s -> NetworkNeeds.allocated(r, s)) ? d.patchOf(r, now) : null);
      if (p != null) {
        tx.tasks().patch(p);
        ids.add(p.id);
      }
    }
    return ids;
  }

  private List<String> writeBatch(List<Decision> batch, String now, int firstAttempt) {
    for (int attempt = firstAttempt; ; attempt++) {
      try {
        return store.update(tx -> writeRows(tx, batch, now));
      } catch (ConflictException | NotFoundException e) {
        if (attempt == MAX_ATTEMPTS) {
          log.info("scheduler gave up a batch of {} tasks after {} conflicts; the next pass retries: {}",
              batch.size(), attempt, e.getMessage());
          gaveUp = true;
          return List.of();
        }
        log.debug("scheduler batch conflicted ({}), re-reading", e.getMessage());
      }
    }
  }

  /**
   * One change the pass wants to make to a task, re-validated against the row read inside the update. As in
   * swarmkit, why a task fits no node goes to {@code Status.Err} (the ERROR column of {@code service ps}, where
   * tools read it) while the message stays "pending task scheduling"; an assignment clears it.
   *
   * @param kind what to do
   * @param nodeId the chosen node (ASSIGN)
   * @param message the status message to write
   * @param err why the task fits no node (ALLOCATE, REFUSE), or null
   */
  private record Decision(Kind kind, String taskId, String nodeId, String message, String err) {
    enum Kind { ALLOCATE, ASSIGN, REFUSE }

    static Decision allocate(String taskId, String why) {
      return new Decision(Kind.ALLOCATE, taskId, null, PENDING_MESSAGE, why);
    }

    static Decision assign(String taskId, String nodeId, boolean preassigned) {
      return new Decision(Kind.ASSIGN, taskId, nodeId, preassigned ? CONFIRMED_MESSAGE : ASSIGNED_MESSAGE, null);
    }

    static Decision refuse(String taskId, String why) {
      return new Decision(Kind.REFUSE, taskId, null, PENDING_MESSAGE, why);
    }

    /** Whether the stored row is still in the state this decision was made for. */
    boolean appliesTo(Task t) {
      if (!t.desiredToRun()) {
        return false;
      }
      TaskState s = state(t);
      return switch (kind) {
        case ALLOCATE -> s == TaskState.NEW;
        case ASSIGN -> (s == TaskState.NEW || s == TaskState.PENDING)
            && (t.nodeId == null || t.nodeId.isEmpty() || t.nodeId.equals(nodeId));
        case REFUSE -> s == TaskState.PENDING && !err.equals(t.status.err);
      };
    }

    /** Applies the decision to {@code t}, a task the caller owns ({@link Task#withOwnStatus}). */
    void applyTo(Task t, String now) {
      Task p = patchOf(t, now);
      t.status = p.status;
      if (p.nodeId != null) {
        t.nodeId = p.nodeId;
      }
    }

    /**
     * The store patch that applies the decision to stored task {@code t} ({@code TableWriter.patch}): a new status,
     * and the node for an assignment; {@code t} does not change. Every patched field is set (a patch cannot clear
     * one): the status is replaced whole, so its {@code Err} may go back to null.
     */
    Task patchOf(Task t, String now) {
      Task p = t.emptyPatch();
      p.status = t.status == null ? new Task.TaskStatus() : t.status.shallowCopy();
      TaskState from = state(t);
      switch (kind) {
        case ALLOCATE -> p.status.state = from.moveTo(TaskState.PENDING);
        case ASSIGN -> {
          p.status.state = from.moveTo(TaskState.ASSIGNED);
          p.nodeId = nodeId;
        }
        case REFUSE -> { }
      }
      p.status.message = message;
      p.status.err = err;
      p.status.timestamp = now;
      return p;
    }
  }
}
