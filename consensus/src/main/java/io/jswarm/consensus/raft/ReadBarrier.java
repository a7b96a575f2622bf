package io.jswarm.consensus.raft;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The read barrier of a group of several managers: a read waits until an empty entry, proposed after the read
 * began, is committed and applied on this manager. A commit needs a majority that accepts the current leader's
 * term at that moment, so an old leader cut off from its majority can never answer with its own (stale) state;
 * its read fails with no quorum instead, or, once it has stepped down, goes to the new leader.
 *
 * <p>Why not Ratis' read index: Ratis 3.3 answers a read index at once when a majority has acknowledged that commit
 * index at any earlier time ({@code ReadIndexHeartbeats} reuses the acknowledged commit index), so a leader
 * partitioned from its majority went on serving reads for seconds, until it stepped down, while the majority had
 * elected another leader and committed newer writes (found by the nemesis, docs/reliability.md).
 *
 * <p>Cost: one small Raft entry per batch of reads. Reads coalesce: while one empty entry is in flight, every read
 * that arrives waits for the next one, which is proposed as soon as the first completes (it must be proposed after
 * those reads began); so at most one is in flight and one is waiting, however many reads there are.
 */
final class ReadBarrier {
  private final Supplier<CompletableFuture<?>> commitEmptyEntry;
  private final Object lock = new Object();
  /** The barrier whose empty entry is proposed and not yet applied here; null when none is. */
  private CompletableFuture<Void> inFlight;
  /** The barrier for reads that came while {@link #inFlight} was out; proposed when it completes. */
  private CompletableFuture<Void> waiting;

  /**
   * @param commitEmptyEntry proposes an empty entry now and completes once it is committed and applied on this
   *     manager (or fails: no quorum, no leader within the write timeout)
   */
  ReadBarrier(Supplier<CompletableFuture<?>> commitEmptyEntry) {
    this.commitEmptyEntry = commitEmptyEntry;
  }

  /** Completes once everything committed before this call is applied on this manager. */
  CompletableFuture<Void> await() {
    CompletableFuture<Void> mine;
    boolean propose = false;
    synchronized (lock) {
      if (inFlight == null) {
        inFlight = mine = new CompletableFuture<>();
        propose = true;
      } else {
        if (waiting == null) {
          waiting = new CompletableFuture<>();
        }
        mine = waiting;
      }
    }
    if (propose) {
      propose(mine);
    }
    return mine;
  }

  private void propose(CompletableFuture<Void> barrier) {
    CompletableFuture<?> committed;
    try {
      committed = commitEmptyEntry.get();
    } catch (RuntimeException e) {
      committed = CompletableFuture.failedFuture(e);
    }
    committed.whenComplete((ok, failure) -> {
      CompletableFuture<Void> next;
      synchronized (lock) {
        next = waiting;
        waiting = null;
        inFlight = next;
      }
      if (next != null) {
        propose(next);
      }
      if (failure != null) {
        barrier.completeExceptionally(failure);
      } else {
        barrier.complete(null);
      }
    });
  }
}
