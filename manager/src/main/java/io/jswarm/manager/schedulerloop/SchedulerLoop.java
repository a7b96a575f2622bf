package io.jswarm.manager.schedulerloop;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.Timestamps;
import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.ReadTx;
import io.jswarm.consensus.store.Tables;
import io.jswarm.consensus.store.Watch;
import io.jswarm.consensus.store.WatchedView;
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
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's scheduler loop: keeps a local model of nodes, services and live tasks from a store
 * {@code viewAndWatch}, and after each burst of changes (debounced by {@link #COMMIT_DEBOUNCE}, at most
 * {@link #MAX_DEBOUNCE} late) runs one pass:
 * <ol>
 *   <li>tasks in state NEW whose desired state is at most RUNNING and that need no network move to PENDING with
 *       {@value #PENDING_MESSAGE}; tasks that need networks ({@link NetworkNeeds}) are left to the network
 *       allocator loop, which moves them to PENDING once they have their addresses;</li>
 *   <li>PENDING tasks (desired state at most RUNNING) with every network they need go through the pure
 *       {@link Scheduler}: placed ones move to ASSIGNED with their node and {@value #ASSIGNED_MESSAGE} (or
 *       {@value #CONFIRMED_MESSAGE} for tasks that came with a node); the others stay PENDING with the
 *       explanation as message, written only when it changed.</li>
 * </ol>
 * Writes go in batches of {@link #BATCH_SIZE} tasks, one store update each. Every task is re-read inside the
 * update and skipped if it changed in a way that voids the decision; a compare-and-set conflict at commit
 * re-runs the batch from fresh reads. Unplaced tasks are tried again on the next change of any node, service
 * or task. Timestamps come from the injected clock.
 *
 * <p>Runs on its own thread between {@link #start} and {@link #stop} (the manager does so while it leads);
 * {@link #runOnce} runs one pass synchronously, for tests.
 */
public final class SchedulerLoop {
  /** Quiet time after a commit before a pass runs, so that a burst of writes is scheduled in one pass. */
  public static final Duration COMMIT_DEBOUNCE = Duration.ofMillis(30);
  /** Longest a pass is put off by a steady stream of commits. */
  public static final Duration MAX_DEBOUNCE = Duration.ofSeconds(1);
  /** Wait before a pass that failed (e.g. no quorum) is tried again. */
  public static final Duration RETRY_DELAY = Duration.ofSeconds(1);
  /** Tasks written per store update. */
  public static final int BATCH_SIZE = 200;
  /** Times a batch is re-run from fresh reads after a compare-and-set conflict. */
  static final int MAX_ATTEMPTS = 5;

  public static final String PENDING_MESSAGE = "pending task scheduling";
  public static final String ASSIGNED_MESSAGE = "scheduler assigned task to node";
  public static final String CONFIRMED_MESSAGE = "scheduler confirmed task can run on preassigned node";

  private static final Logger log = LoggerFactory.getLogger(SchedulerLoop.class);

  private final MemoryStore store;
  private final Clock clock;
  /** Guards the model below: the loop thread and {@link #runOnce} callers take it. */
  private final Object lock = new Object();
  private final Map<String, Node> nodes = new HashMap<>();
  private final Map<String, Service> services = new HashMap<>();
  /** Tasks not yet finished (state up to RUNNING): the ones to place and the ones holding nodes. */
  private final Map<String, Task> tasks = new HashMap<>();
  private Watch watch;
  private boolean dirty;

  private final Object lifecycle = new Object();
  private Thread thread;
  private volatile boolean stopping;

  public SchedulerLoop(MemoryStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Starts the loop thread; it runs a first pass at once. Calling it on a started loop does nothing. */
  public void start() {
    synchronized (lifecycle) {
      if (thread != null) {
        return;
      }
      stopping = false;
      synchronized (lock) {
        ensureWatching();
      }
      thread = new Thread(this::run, "scheduler-loop");
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** Stops the loop thread and waits for it; closes the watch. Idempotent. */
  public void stop() {
    Thread t;
    synchronized (lifecycle) {
      t = thread;
      thread = null;
      stopping = true;
    }
    if (t != null) {
      t.interrupt();
      boolean interrupted = false;
      while (t.isAlive()) {
        try {
          t.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (lock) {
      if (watch != null) {
        watch.close();
        watch = null;
      }
    }
  }

  /**
   * Takes in every change seen so far and runs one pass now, on the calling thread. Opens the watch on first
   * use when the loop was not started ({@link #stop} closes it).
   *
   * @return the number of tasks written
   */
  public int runOnce() {
    synchronized (lock) {
      ensureWatching();
      drain();
      dirty = false;
      return pass();
    }
  }

  // ---- the thread ----

  private void run() {
    long firstChange = 0; // nanoTime of the first change not yet scheduled, 0 when none
    long due = System.nanoTime(); // when the next pass runs, 0 when none is due: pass at start
    try {
      while (!stopping) {
        long now = System.nanoTime();
        long wait = due == 0 ? TimeUnit.SECONDS.toNanos(1) : Math.max(0, due - now);
        Event e = wait > 0 ? currentWatch().poll(wait, TimeUnit.NANOSECONDS) : null;
        boolean changed;
        synchronized (lock) {
          if (e != null) {
            apply(e);
          }
          changed = drain() || e != null;
        }
        now = System.nanoTime();
        if (changed) {
          if (firstChange == 0) {
            firstChange = now;
          }
          due = Math.min(now + COMMIT_DEBOUNCE.toNanos(), firstChange + MAX_DEBOUNCE.toNanos());
        }
        if (due != 0 && now >= due) {
          firstChange = 0;
          due = 0;
          try {
            synchronized (lock) {
              if (dirty) {
                dirty = false;
                pass();
              }
            }
          } catch (RuntimeException ex) {
            if (stopping) {
              return;
            }
            log.warn("scheduler pass failed, retrying in {}: {}", RETRY_DELAY, ex.toString());
            synchronized (lock) {
              dirty = true;
            }
            due = System.nanoTime() + RETRY_DELAY.toNanos();
          }
        }
      }
    } catch (InterruptedException e) {
      // stop() interrupts us
    }
  }

  private Watch currentWatch() {
    synchronized (lock) {
      ensureWatching();
      return watch;
    }
  }

  // ---- the model ----

  /** Opens the watch with a fresh snapshot if there is none (or the store closed it after a snapshot install). */
  private void ensureWatching() {
    if (watch != null && !watch.isClosed()) {
      return;
    }
    WatchedView<Void> view = store.viewAndWatch(this::load, e -> e.isIn(Tables.TASKS) || e.isIn(Tables.NODES)
        || e.isIn(Tables.SERVICES));
    watch = view.watch();
    dirty = true;
  }

  private Void load(ReadTx tx) {
    nodes.clear();
    services.clear();
    tasks.clear();
    tx.nodes().all().forEach(n -> nodes.put(n.id, n));
    tx.services().all().forEach(s -> services.put(s.id, s));
    tx.tasks().all().forEach(this::track);
    return null;
  }

  /** Applies every queued event; true when there was any. Reopens the watch if the store closed it. */
  private boolean drain() {
    boolean any = false;
    Event e;
    while ((e = watch.poll()) != null) {
      apply(e);
      any = true;
    }
    if (watch.isClosed()) {
      log.info("scheduler watch ended ({}); reloading", watch.closedReason());
      watch = null;
      ensureWatching();
      any = true;
    }
    return any;
  }

  private void apply(Event e) {
    if (e.isCommit()) {
      return;
    }
    dirty = true;
    boolean gone = e.kind() == Event.Kind.DELETE;
    if (e.isIn(Tables.TASKS)) {
      Task t = e.as(Tables.TASKS);
      if (gone) {
        tasks.remove(t.id);
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

  /** Keeps tasks that have not finished; forgets the others. */
  private void track(Task t) {
    TaskState s = state(t);
    if (s.number() <= TaskState.RUNNING.number()) {
      tasks.put(t.id, t);
    } else {
      tasks.remove(t.id);
    }
  }

  private static TaskState state(Task t) {
    return t.status == null || t.status.state == null ? TaskState.NEW : t.status.state;
  }

  private static boolean wantsToRun(Task t) {
    return t.desiredState != null && t.desiredState.number() <= TaskState.RUNNING.number();
  }

  // ---- one pass ----

  private int pass() {
    String now = Timestamps.format(clock.instant());
    List<Task> fresh = new ArrayList<>();
    List<Task> pending = new ArrayList<>();
    for (Task t : tasks.values()) {
      if (!wantsToRun(t)) {
        continue;
      }
      if (!NetworkNeeds.allocated(t, services.get(t.serviceId))) {
        continue; // the network allocator's turn (io.jswarm.manager.allocator)
      }
      TaskState s = state(t);
      if (s == TaskState.NEW) {
        fresh.add(t);
      } else if (s == TaskState.PENDING) {
        pending.add(t);
      }
    }
    int written = 0;
    if (!fresh.isEmpty()) {
      List<Decision> allocations = new ArrayList<>(fresh.size());
      fresh.forEach(t -> allocations.add(Decision.allocate(t.id)));
      Set<String> done = write(allocations, now);
      written += done.size();
      // Schedule them in this same pass, as the PENDING rows the store now has.
      for (Task t : fresh) {
        if (done.contains(t.id)) {
          Decision.allocate(t.id).applyTo(t, now);
          pending.add(t);
        }
      }
    }
    if (pending.isEmpty()) {
      return written;
    }
    pending.sort((a, b) -> a.id.compareTo(b.id)); // deterministic group and tie order
    SchedulingResult result = Scheduler.schedule(nodeInfos(), pending, services);
    List<Decision> decisions = new ArrayList<>();
    for (Task t : pending) {
      String nodeId = result.placements().get(t.id);
      if (nodeId != null) {
        decisions.add(Decision.assign(t.id, nodeId, t.nodeId != null && !t.nodeId.isEmpty()));
      } else {
        String why = result.unplaced().get(t.id);
        if (why != null && !why.equals(t.status == null ? null : t.status.message)) {
          decisions.add(Decision.refuse(t.id, why));
        }
      }
    }
    written += write(decisions, now).size();
    return written;
  }

  private List<NodeInfo> nodeInfos() {
    Map<String, List<Task>> byNode = new HashMap<>();
    for (Task t : tasks.values()) {
      if (NodeInfo.occupies(t)) {
        byNode.computeIfAbsent(t.nodeId, k -> new ArrayList<>()).add(t);
      }
    }
    List<NodeInfo> out = new ArrayList<>(nodes.size());
    for (Node n : nodes.values()) {
      out.add(NodeInfo.of(n, byNode.getOrDefault(n.id, List.of()), services));
    }
    return out;
  }

  /** Writes decisions in batches; returns the ids of the tasks actually changed. */
  private Set<String> write(List<Decision> decisions, String now) {
    Set<String> done = new HashSet<>();
    for (int from = 0; from < decisions.size(); from += BATCH_SIZE) {
      List<Decision> batch = decisions.subList(from, Math.min(decisions.size(), from + BATCH_SIZE));
      done.addAll(writeBatch(batch, now));
    }
    return done;
  }

  private List<String> writeBatch(List<Decision> batch, String now) {
    for (int attempt = 1; ; attempt++) {
      try {
        return store.update(tx -> {
          List<String> ids = new ArrayList<>(batch.size());
          for (Decision d : batch) {
            Task t = tx.tasks().get(d.taskId());
            if (t != null && d.appliesTo(t)
                && NetworkNeeds.allocated(t, t.serviceId == null ? null : tx.services().get(t.serviceId))) {
              d.applyTo(t, now);
              tx.tasks().update(t);
              ids.add(t.id);
            }
          }
          return ids;
        });
      } catch (ConflictException | NotFoundException e) {
        if (attempt == MAX_ATTEMPTS) {
          log.info("scheduler gave up a batch of {} tasks after {} conflicts; the next pass retries: {}",
              batch.size(), attempt, e.getMessage());
          dirty = true;
          return List.of();
        }
        log.debug("scheduler batch conflicted ({}), re-reading", e.getMessage());
      }
    }
  }

  /**
   * One change the pass wants to make to a task, re-validated against the row read inside the update.
   *
   * @param kind what to do
   * @param nodeId the chosen node (ASSIGN)
   * @param message the status message to write
   */
  private record Decision(Kind kind, String taskId, String nodeId, String message) {
    enum Kind { ALLOCATE, ASSIGN, REFUSE }

    static Decision allocate(String taskId) {
      return new Decision(Kind.ALLOCATE, taskId, null, PENDING_MESSAGE);
    }

    static Decision assign(String taskId, String nodeId, boolean preassigned) {
      return new Decision(Kind.ASSIGN, taskId, nodeId, preassigned ? CONFIRMED_MESSAGE : ASSIGNED_MESSAGE);
    }

    static Decision refuse(String taskId, String message) {
      return new Decision(Kind.REFUSE, taskId, null, message);
    }

    /** Whether the stored row is still in the state this decision was made for. */
    boolean appliesTo(Task t) {
      if (!wantsToRun(t)) {
        return false;
      }
      TaskState s = state(t);
      return switch (kind) {
        case ALLOCATE -> s == TaskState.NEW;
        case ASSIGN -> s == TaskState.PENDING && (t.nodeId == null || t.nodeId.isEmpty() || t.nodeId.equals(nodeId));
        case REFUSE -> s == TaskState.PENDING && !message.equals(t.status.message);
      };
    }

    void applyTo(Task t, String now) {
      if (t.status == null) {
        t.status = new Task.TaskStatus();
      }
      TaskState from = state(t);
      switch (kind) {
        case ALLOCATE -> t.status.state = from.moveTo(TaskState.PENDING);
        case ASSIGN -> {
          t.status.state = from.moveTo(TaskState.ASSIGNED);
          t.nodeId = nodeId;
        }
        case REFUSE -> { }
      }
      t.status.message = message;
      t.status.timestamp = now;
    }
  }
}
