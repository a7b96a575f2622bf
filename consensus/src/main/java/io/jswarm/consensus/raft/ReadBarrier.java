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
  /** Answers reads that began while this member did not lead once it is a ready leader; null: none are. */
  private final NewLeaderReads newLeader;
  private final Object lock = new Object();
  /** Reads answered by this member's new leadership before their own entry (tests, docs/scale.md timelines). */
  private final java.util.concurrent.atomic.AtomicLong answeredByNewLeadership = new java.util.concurrent.atomic.AtomicLong();
  /** The barrier whose empty entry is proposed and not yet applied here; null when none is. */
  private CompletableFuture<Void> inFlight;
  /** The barrier for reads that came while {@link #inFlight} was out; proposed when it completes. */
  private CompletableFuture<Void> waiting;

  /**
   * @param commitEmptyEntry proposes an empty entry now and completes once it is committed and applied on this
   *     manager (or fails: no quorum, no leader within the write timeout)
   */
  ReadBarrier(Supplier<CompletableFuture<?>> commitEmptyEntry) {
    this(commitEmptyEntry, null);
  }

  /**
   * @param newLeader also completes a read once this member, not leading when the read began, is a ready leader
   *     ({@link NewLeaderReads}: its term's first entry is then the read's barrier); null for none
   */
  ReadBarrier(Supplier<CompletableFuture<?>> commitEmptyEntry, NewLeaderReads newLeader) {
    this.commitEmptyEntry = commitEmptyEntry;
    this.newLeader = newLeader;
  }

  /**
   * Completes once everything committed before this call is applied on this manager: after an empty entry proposed
   * after this call, or (sooner, after a failover) the first entry of this member's new leadership.
   */
  CompletableFuture<Void> await() {
    CompletableFuture<Void> early = newLeader == null ? null : newLeader.readyLeaderAfterNow();
    CompletableFuture<Void> viaEntry = awaitEntry();
    if (early == null) {
      return viaEntry;
    }
    CompletableFuture<Void> read = new CompletableFuture<>();
    early.whenComplete((v, t) -> {
      if (t == null && read.complete(null)) {
        answeredByNewLeadership.incrementAndGet();
      }
    });
    viaEntry.whenComplete((v, t) -> {
      newLeader.forget(early);
      if (t != null) {
        read.completeExceptionally(t);
      } else {
        read.complete(null);
      }
    });
    return read;
  }

  long answeredByNewLeadership() {
    return answeredByNewLeadership.get();
  }

  private CompletableFuture<Void> awaitEntry() {
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
