package io.jswarm.consensus.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The reads of a ready leader (docs/scale.md, <i>Reads that do not wait behind the writes in flight</i>): a read that
 * begins at t0 waits for the commit index of t0 to be applied here and for this leader's commit index to pass the
 * last entry of its log at t0, in the same term; not for the entries in flight at t0 to be applied, nor for its own
 * empty entry to be applied behind them.
 *
 * <p>Why that is linearizable. (1) Every write acknowledged before t0 has an index at most {@code commit(t0)}: it
 * was acknowledged after some manager applied it, which that manager did after the leader of its term counted it
 * committed; if this member is the ready leader of term T at t0 and no later term has a leader yet, that leader was
 * this one (its commit index covers every entry of earlier terms once its own first entry is committed: leader
 * ready). (2) No later term can have committed anything before t0: the entry {@code last(t0) + 1} was appended by
 * this leader after t0, and this leader counts it committed (with the term unchanged) only when a majority
 * acknowledged it in term T, after t0; a member that had voted in a later term by then would have refused it, and
 * every later term needs a majority of votes. This is what the {@link ReadBarrier}'s empty entry proves, by the same
 * commit, without waiting for its apply and the apply of the entries before it.
 *
 * <p>The entry after {@code last(t0)} is the {@link ReadBarrier}'s, which still runs beside every read (when
 * nothing else is written it is the only one), or any write appended meanwhile. The barrier entry also answers the
 * read if it is applied first, and whenever this path gives up (the term changed, this member stopped leading).
 *
 * <p>Ratis tells nobody when its commit index moves, so while reads wait it is looked at every {@link #POLL_MICROS}
 * microseconds, on one thread of its own that exists only while reads wait.
 */
final class LeaderReads implements AutoCloseable {
  /**
   * Whether a ready leader's reads are answered by its commit index (default); false leaves every read to its barrier
   * entry, as before (for side-by-side runs of the benchmark, docs/scale.md).
   */
  static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("jswarm.raft.leaderReads", "true"));

  /** How often the commit index is looked at while reads wait. */
  static final long POLL_MICROS = 1000;

  /**
   * Whether a ready leader answers reads under its lease (default); false: every read waits for a commit after it
   * began, as before the twelfth round (for side-by-side runs of the benchmark, docs/scale.md).
   */
  static final boolean LEASE = Boolean.parseBoolean(System.getProperty("jswarm.raft.leaderLease", "true"));

  /** Moments kept as the lease's evidence (a few lease lengths of polls are enough: the newest ones count). */
  private static final int SAMPLES = 512;

  /** How long after the last read the poll goes on taking moments for the lease (one moment per poll). */
  static final long SAMPLING_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** What this member's Raft log says at one moment, when it is the ready leader. */
  record Moment(long term, long commitIndex, long lastIndex) { }

  /** A read: its term, the index that must be committed, the commit index of its start and its answer. */
  private record Waiter(long term, long mustCommit, long commitAtStart, long deadline, CompletableFuture<Void> done,
      long start) { }

  /** One debug line per read answered here: its wait for the commit and for the apply (docs/scale.md). */
  private static final org.slf4j.Logger TIMING = org.slf4j.LoggerFactory.getLogger("io.jswarm.consensus.ReadTiming");

  private final Supplier<Moment> readyLeader;
  /** The lease (0: none): how long after a moment a majority's acknowledgement of a later entry proves the term. */
  private final long leaseNanos;
  /** Moments of this member's ready leadership, the newest last (a ring): the lease's evidence. Under {@link #lock}. */
  private final long[] sampleTime = new long[SAMPLES];
  private final long[] sampleTerm = new long[SAMPLES];
  private final long[] sampleLast = new long[SAMPLES];
  private int samples;
  private final java.util.concurrent.atomic.AtomicLong leased = new java.util.concurrent.atomic.AtomicLong();
  private final LongSupplier term;
  private final LongSupplier commitIndex;
  private final LongFunction<CompletableFuture<?>> applied;
  private final long timeoutNanos;
  private final LongSupplier nanoTime;
  private final Object lock = new Object();
  private final List<Waiter> waiters = new ArrayList<>();
  /** One thread, started when reads wait and ended after a few idle seconds (an idle member has none). */
  private final ScheduledThreadPoolExecutor poller = new ScheduledThreadPoolExecutor(1, r -> {
    Thread t = new Thread(r, "raft-leader-reads");
    t.setDaemon(true);
    t.setPriority(Thread.MAX_PRIORITY); // reads wait for it, as for the apply thread (StoreStateMachine)
    return t;
  });
  /**
   * The periodic look at the commit index while reads wait, and (with a lease) for {@link #SAMPLING_NANOS} after the
   * last read began, to keep moments as the lease's evidence; null when neither.
   */
  private ScheduledFuture<?> polling;
  /** When the last read began (under {@link #lock}). */
  private long lastRead;
  private boolean closed;
  private final java.util.concurrent.atomic.AtomicLong answered = new java.util.concurrent.atomic.AtomicLong();

  /**
   * @param readyLeader the moment now if this member is the ready leader (its term's first entry committed) with
   *     the same term read before and after the rest, else null
   * @param lease how long after a moment a majority's acknowledgement of an entry appended after it lets this leader
   *     answer reads alone ({@link VoteGrantHold#lease}); zero for no lease
   * @param term this member's current term
   * @param commitIndex this member's commit index
   * @param applied completes once this member has applied the given index
   * @param timeout how long a read waits here for the commit index before leaving it to its barrier entry
   * @param nanoTime the clock of {@code timeout}
   */
  LeaderReads(Supplier<Moment> readyLeader, java.time.Duration lease, LongSupplier term, LongSupplier commitIndex,
      LongFunction<CompletableFuture<?>> applied, java.time.Duration timeout, LongSupplier nanoTime) {
    this.readyLeader = readyLeader;
    this.leaseNanos = LEASE ? lease.toNanos() : 0;
    this.term = term;
    this.commitIndex = commitIndex;
    this.applied = applied;
    this.timeoutNanos = timeout.toNanos();
    this.nanoTime = nanoTime;
    poller.setKeepAliveTime(5, TimeUnit.SECONDS);
    poller.allowCoreThreadTimeOut(true);
    poller.setRemoveOnCancelPolicy(true);
  }

  /**
   * A read beginning now; null when this member is not the ready leader (the read needs the {@link ReadBarrier}).
   * Fails when this path gives up (another term began): the barrier answers the read then.
   */
  CompletableFuture<Void> read() {
    long now = nanoTime.getAsLong(); // before the moment: what its last index misses was appended after now
    Moment m = ENABLED ? readyLeader.get() : null;
    if (m == null) {
      return null;
    }
    Waiter w = new Waiter(m.term(), m.lastIndex() + 1, m.commitIndex(), now + timeoutNanos,
        new CompletableFuture<>(), now);
    synchronized (lock) {
      if (closed) {
        return null;
      }
      sample(now, m);
      waiters.add(w);
      lastRead = now;
      pollLater();
    }
    return w.done();
  }

  /**
   * A read beginning now answered under this leader's lease: once the commit index of now is applied, with no entry
   * of its own and no round trip; null when the lease does not hold (the read goes to {@link #read} and its barrier).
   *
   * <p>The lease holds when, in this member's ready leadership of the current term, an entry appended after a moment
   * less than the lease ago is committed: a majority acknowledged this term after that moment, and each of them
   * holds any vote for a later term until {@link VoteGrantHold#hold} after that entry arrived, so no later term can
   * have a leader (let alone commit) before the lease runs out. Every write acknowledged before now is then at most
   * the commit index of now, for the reasons {@link #read} gives.
   */
  CompletableFuture<Void> leased() {
    if (leaseNanos <= 0 || !ENABLED) {
      return null;
    }
    long now = nanoTime.getAsLong();
    Moment m = readyLeader.get();
    if (m == null) {
      return null;
    }
    synchronized (lock) {
      if (closed) {
        return null;
      }
      boolean holds = false;
      for (int i = samples - 1; i >= 0 && i >= samples - SAMPLES; i--) {
        int k = i % SAMPLES;
        if (now - sampleTime[k] >= leaseNanos) {
          break; // older ones are older still
        }
        if (sampleTerm[k] == m.term() && sampleLast[k] < m.commitIndex()) {
          holds = true;
          break;
        }
      }
      sample(now, m);
      lastRead = now;
      pollLater();
      if (!holds) {
        return null;
      }
    }
    long start = now;
    return applied.apply(m.commitIndex()).thenRun(() -> {
      leased.incrementAndGet();
      if (TIMING.isDebugEnabled()) {
        TIMING.debug("leased read at {}: applied after {} us", m.commitIndex(), (nanoTime.getAsLong() - start) / 1000);
      }
    });
  }

  /** Starts the periodic poll unless it runs (under {@link #lock}). */
  private void pollLater() {
    if (polling == null && !closed) {
      polling = poller.scheduleWithFixedDelay(this::poll, 0, POLL_MICROS, TimeUnit.MICROSECONDS);
    }
  }

  /** Keeps a moment of this member's ready leadership taken at {@code time} (under {@link #lock}). */
  private void sample(long time, Moment m) {
    if (leaseNanos <= 0) {
      return;
    }
    int k = samples % SAMPLES;
    sampleTime[k] = time;
    sampleTerm[k] = m.term();
    sampleLast[k] = m.lastIndex();
    samples++;
  }

  /** Reads answered under the lease (tests). */
  long leasedReads() {
    return leased.get();
  }

  /** Reads answered here before their barrier entry was applied (tests). */
  long answered() {
    return answered.get();
  }

  /** Reads waiting for the commit index (tests). */
  int waiting() {
    synchronized (lock) {
      return waiters.size();
    }
  }

  /** Looks at the commit index once: answers (or gives up) the reads it decides. */
  void poll() {
    List<Waiter> committed = new ArrayList<>();
    List<Waiter> gaveUp = new ArrayList<>();
    // the commit index between two reads of the term: a value counted by this member's leadership of that term
    // (a term has one leader, and a member that stops leading without a new term commits nothing more in it)
    long termBefore;
    long commit;
    long termAfter;
    long sampledAt = nanoTime.getAsLong();
    Moment sampled = null;
    try {
      sampled = leaseNanos > 0 ? readyLeader.get() : null;
      termBefore = term.getAsLong();
      commit = commitIndex.getAsLong();
      termAfter = term.getAsLong();
    } catch (RuntimeException e) { // the member is closing: the barrier entries answer (or fail) the reads
      sampled = null;
      termBefore = termAfter = -1;
      commit = -1;
    }
    long now = nanoTime.getAsLong();
    synchronized (lock) {
      if (sampled != null) {
        sample(sampledAt, sampled);
      }
      for (var it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (termBefore != w.term() || termAfter != w.term() || now - w.deadline() > 0) {
          gaveUp.add(w);
          it.remove();
        } else if (commit >= w.mustCommit()) {
          committed.add(w);
          it.remove();
        }
      }
      if (waiters.isEmpty() && polling != null && (leaseNanos <= 0 || now - lastRead > SAMPLING_NANOS)) {
        polling.cancel(false);
        polling = null;
      }
    }
    for (Waiter w : gaveUp) {
      w.done().completeExceptionally(new IllegalStateException("term " + w.term() + " ended, or the commit index did not pass "
          + (w.mustCommit() - 1) + " in time"));
    }
    for (Waiter w : committed) {
      long committedAt = now;
      applied.apply(w.commitAtStart()).whenComplete((v, t) -> {
        if (TIMING.isDebugEnabled()) {
          TIMING.debug("leader read: committed past {} after {} us ({} entries uncommitted at the start), applied {} "
              + "us later", w.mustCommit() - 1, (committedAt - w.start()) / 1000, w.mustCommit() - 1 - w.commitAtStart(),
              (nanoTime.getAsLong() - committedAt) / 1000);
        }
        if (t != null) {
          w.done().completeExceptionally(t);
        } else {
          w.done().complete(null);
        }
      });
    }
  }

  /** Gives up every waiting read (their barrier entries answer them or fail) and stops looking. */
  @Override
  public void close() {
    List<Waiter> left;
    synchronized (lock) {
      closed = true;
      left = new ArrayList<>(waiters);
      waiters.clear();
      polling = null;
    }
    poller.shutdownNow();
    left.forEach(w -> w.done().completeExceptionally(new IllegalStateException("the Raft member is closing")));
  }

  /**
   * The read's answer: {@code fast} if it completes normally first, else {@code barrier}'s (which every read has);
   * {@code fast} failing only leaves the read to the barrier.
   */
  CompletableFuture<Void> firstOf(CompletableFuture<Void> fast, CompletableFuture<Void> barrier) {
    CompletableFuture<Void> read = new CompletableFuture<>();
    fast.thenRun(() -> {
      if (read.complete(null)) {
        answered.incrementAndGet();
      }
    });
    barrier.whenComplete((v, t) -> {
      if (t != null) {
        read.completeExceptionally(t);
      } else {
        read.complete(null);
      }
    });
    return read;
  }
}
