package io.jswarm.manager.orchestrator;

import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.manager.loop.LeaderLoop;
import java.time.Clock;
import java.time.Duration;

/**
 * An orchestration loop on the shared {@link LeaderLoop} machinery: no model of its own (passes read the store
 * in their transactions), a full reconciliation at start and whenever the watch was reopened or a pass failed,
 * otherwise passes over what the events made dirty. Timers (delayed restarts, update windows) come through
 * {@link #nextTimer}/{@link #timersDue}.
 *
 * <p>The reconciliations are also public synchronous methods of the subclasses, for tests and tools; they take
 * {@link #passLock} (the loop's lock), so they never run at the same time as the loop's own passes.
 */
abstract class EventLoop extends LeaderLoop {
  /**
   * Quiet time after the last event before a pass runs while passes are frequent (an event after a quiet spell
   * is handled at once, see {@link LeaderLoop}), so that a burst of events becomes one pass.
   */
  static final Duration DEBOUNCE = Duration.ofMillis(50);
  /** Longest a steady stream of events can postpone a pass. */
  static final Duration MAX_BATCH_DELAY = Duration.ofMillis(500);
  /** Wait after a failed pass before the next try. */
  static final Duration RETRY_BACKOFF = Duration.ofMillis(250);
  /**
   * Writes per transaction: one Raft entry stays small, and so does the time a transaction holds the store's read
   * lock (a write waiting behind it holds every API read back); more work continues in the next transaction.
   */
  static final int MAX_WRITES_PER_PASS = io.jswarm.consensus.store.Proposer.MAX_ROWS_PER_ENTRY;
  /** Passes of one service proposed before the first of them is committed ({@link Pass.Continuation#pipelined}). */
  static final int MAX_PASSES_IN_FLIGHT = io.jswarm.consensus.store.Proposer.MAX_BATCHES_IN_FLIGHT;
  /** Immediate retries of a pass that lost a compare-and-set race before leaving it to the next pass. */
  static final int MAX_CONFLICT_RETRIES = 3;

  /** Serializes passes: the loop thread and synchronous callers (the loop's lock). */
  protected final Object passLock = lock;

  EventLoop(String name, MemoryStore store, Clock clock) {
    super("orchestrator-" + name, store, clock, new Timing(DEBOUNCE, MAX_BATCH_DELAY, RETRY_BACKOFF));
  }

  /** Reconciles everything this loop owns. */
  public abstract void reconcileAll();

  /** Notes what the event makes dirty (loop thread). */
  protected abstract void noteEvent(Event e);

  /** Whether a pass left something for a retry. */
  protected abstract boolean hasDirty();

  /** Reconciles what is dirty; false when something is left for a retry. */
  protected abstract boolean reconcileDirty();

  @Override
  protected final boolean onEvent(Event e) {
    noteEvent(e);
    return true;
  }

  @Override
  protected final boolean pass(boolean full) {
    if (full) {
      reconcileAll();
      return !hasDirty();
    }
    return reconcileDirty();
  }
}
