package io.jswarm.consensus.raft;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Reads that began on this member while it did not lead, answered as soon as it becomes a ready leader: the first
 * entry of its term, committed and applied here, is their read barrier (docs/reliability.md, <i>A new leader's
 * first entry is a read barrier</i>).
 *
 * <p>Why that is safe: a read that began at time t0 needs an entry that the leader appended after t0 and that got
 * committed (the {@link ReadBarrier}'s empty entry is one). A member that did not lead at t0 appends the first entry
 * of any term it leads later after t0. If that entry E (term T) commits, then every entry W committed before t0 has
 * a lower index: W of an earlier term is in the new leader's log before E (Raft's leader completeness); W of a term
 * above T would have needed a majority at a term above T before E's commit, and that majority would have refused E;
 * and the new leader committed nothing of term T before E. This is what a new leader's read barrier entry proves
 * too, one Raft round trip earlier: after a failover the survivors' reads in flight no longer wait for the leader's
 * first entry and then for a barrier entry committed after it.
 *
 * <p>A read that began while this member led (ready or not) gets nothing here: its leadership's first entry may have
 * been appended before the read began.
 */
final class NewLeaderReads {
  /** One ready leadership of this member: its number and the apply, here, of its first entry. */
  private record Ready(long number, CompletableFuture<?> applied) { }

  private record Waiter(long after, CompletableFuture<Void> done) { }

  private final BooleanSupplier leading;
  private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
  private volatile Ready last = new Ready(0, CompletableFuture.completedFuture(null));

  /** @param leading whether this member leads now (ready or not) */
  NewLeaderReads(BooleanSupplier leading) {
    this.leading = leading;
  }

  /**
   * For a read beginning now: completes once this member, not leading now, leads a term whose first entry is
   * applied here; null when it leads now (the read needs its own barrier entry). {@link #forget} it once the read
   * was answered otherwise.
   */
  CompletableFuture<Void> readyLeaderAfterNow() {
    long seen = last.number(); // before the role: a leadership that becomes ready after this began after it
    if (leading.getAsBoolean()) {
      return null;
    }
    Waiter w = new Waiter(seen, new CompletableFuture<>());
    waiters.add(w);
    Ready r = last;
    if (r.number() > seen) { // became ready between the two reads of last: its event may have missed w
      complete(w, r);
    }
    return w.done();
  }

  /** The read was answered by its barrier entry: nothing to wait for here any more. */
  void forget(CompletableFuture<Void> f) {
    waiters.removeIf(w -> w.done() == f);
  }

  /**
   * This member leads and its term's first entry is committed (Ratis' leader-ready); {@code applied} completes once
   * that entry is applied here.
   */
  void leaderReady(CompletableFuture<?> applied) {
    Ready r;
    synchronized (this) {
      r = new Ready(last.number() + 1, applied);
      last = r;
    }
    for (Waiter w : waiters) {
      complete(w, r);
    }
  }

  /** Waiters (tests). */
  int waiting() {
    return waiters.size();
  }

  private void complete(Waiter w, Ready r) {
    if (w.after() < r.number() && waiters.remove(w)) {
      r.applied().whenComplete((v, t) -> {
        if (t != null) {
          w.done().completeExceptionally(t);
        } else {
          w.done().complete(null);
        }
      });
    }
  }
}
