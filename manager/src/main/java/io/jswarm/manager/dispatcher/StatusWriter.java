package io.jswarm.manager.dispatcher;

import io.jswarm.api.dispatcher.StatusRequest;
import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Proposer;
import io.jswarm.consensus.store.Tx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queues the task statuses agents report and writes them to the store in batches of
 * {@link Dispatcher#MAX_STATUS_BATCH}, keeping forward moves only. Its own thread ({@code dispatcher-status})
 * flushes every tick and as soon as a full batch is queued; {@link #queue} is called by request handlers.
 */
final class StatusWriter {
  private static final Logger log = LoggerFactory.getLogger(StatusWriter.class);

  private record Queued(String nodeId, Task.TaskStatus status) {}

  private final MemoryStore store;
  private final ScheduledExecutorService thread;
  /** Latest reported status per task, with the reporting node, waiting for the next batch. */
  private final Map<String, Queued> queued = new ConcurrentHashMap<>();
  private volatile boolean stopped;

  StatusWriter(MemoryStore store) {
    this.store = store;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> LeaderTerm.daemon(r, "dispatcher-status"));
  }

  /** Flushes every {@code tick} from now on. */
  void start(Duration tick) {
    thread.scheduleWithFixedDelay(this::flush, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Queues node {@code nodeId}'s reports; a later report of a task replaces an earlier one if it moves forward. */
  void queue(String nodeId, List<StatusRequest.Update> updates) {
    for (StatusRequest.Update u : updates) {
      queued.merge(u.taskId, new Queued(nodeId, u.status),
          (old, now) -> old.status.state.canMoveTo(now.status.state) ? now : old);
    }
    if (queued.size() >= Dispatcher.MAX_STATUS_BATCH) {
      try {
        thread.execute(this::flush);
      } catch (RejectedExecutionException stopped) {
        // the term ended; agents report again to the next leader
      }
    }
  }

  /** Runs {@code r} on the writer's thread; false once stopped. */
  boolean execute(Runnable r) {
    try {
      thread.execute(r);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** Stops the thread; queued statuses are dropped (agents report again to the next leader). */
  void stop() {
    stopped = true;
    thread.shutdownNow();
  }

  void awaitStopped(long nanos) throws InterruptedException {
    thread.awaitTermination(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  /**
   * Writes the queued statuses in batches (writer thread; tests call it too). Synchronized so that a caller's
   * flush returns only once every status queued before it is written, even when a full batch woke the thread.
   */
  synchronized void flush() {
    while (!queued.isEmpty() && !stopped) {
      // Up to MAX_BATCHES_IN_FLIGHT batches proposed together (each task in one of them: disjoint rows); a status
      // reported meanwhile waits for the next round, after these are applied.
      List<Map<String, Queued>> batches = new ArrayList<>();
      Iterator<String> it = queued.keySet().iterator();
      while (it.hasNext() && batches.size() < Proposer.MAX_BATCHES_IN_FLIGHT) {
        Map<String, Queued> batch = new LinkedHashMap<>();
        while (it.hasNext() && batch.size() < Dispatcher.MAX_STATUS_BATCH) {
          String id = it.next();
          Queued q = queued.remove(id);
          if (q != null) {
            batch.put(id, q);
          }
        }
        if (!batch.isEmpty()) {
          batches.add(batch);
        }
      }
      write(batches);
    }
  }

  /** Proposes the batches together; a batch that conflicted is re-read and written alone. */
  private void write(List<Map<String, Queued>> batches) {
    List<Function<Tx, Integer>> writes = new ArrayList<>();
    for (Map<String, Queued> batch : batches) {
      writes.add(tx -> writeRows(tx, batch));
    }
    List<CompletableFuture<Integer>> outcomes = store.updateEach(writes, Proposer.MAX_BATCHES_IN_FLIGHT);
    for (int i = 0; i < batches.size(); i++) {
      try {
        log.debug("wrote {} of {} task statuses", MemoryStore.await(outcomes.get(i)), batches.get(i).size());
      } catch (ConflictException | NotFoundException e) {
        write(batches.get(i), 2);
      } catch (RuntimeException e) {
        log.warn("cannot write {} task statuses: {}", batches.get(i).size(), e.getMessage());
      }
    }
  }

  private static int writeRows(Tx tx, Map<String, Queued> batch) {
    int n = 0;
    for (Map.Entry<String, Queued> en : batch.entrySet()) {
      Queued q = en.getValue();
      Task p = tx.tasks().read(en.getKey(), t -> statusPatch(t, q));
      if (p != null) {
        tx.tasks().patch(p); // the status alone travels through the log, not the whole row
        n++;
      }
    }
    return n;
  }

  /**
   * The patch that moves stored task {@code t} to the status {@code q} reports, or null when it must not: the task is
   * gone or on another node now, the report does not move its state forward, or says what is stored already.
   */
  private static Task statusPatch(Task t, Queued q) {
    if (t == null || !q.nodeId.equals(t.nodeId)) {
      return null; // deleted, or moved to another node meanwhile
    }
    TaskState cur = t.status == null || t.status.state == null ? TaskState.NEW : t.status.state;
    if (!cur.canMoveTo(q.status.state) || LeaderTerm.sameJson(q.status, t.status)) {
      return null;
    }
    Task p = t.emptyPatch();
    p.status = q.status;
    return p;
  }

  private void write(Map<String, Queued> batch, int firstAttempt) {
    for (int attempt = firstAttempt; ; attempt++) {
      try {
        int written = store.update(tx -> writeRows(tx, batch));
        log.debug("wrote {} of {} task statuses", written, batch.size());
        return;
      } catch (ConflictException | NotFoundException e) {
        if (attempt >= Dispatcher.MAX_CONFLICT_RETRIES) {
          log.warn("dropping {} task statuses after {} conflicting writes: {}", batch.size(), attempt, e.getMessage());
          return;
        }
      } catch (RuntimeException e) {
        log.warn("cannot write {} task statuses: {}", batch.size(), e.getMessage());
        return;
      }
    }
  }
}
