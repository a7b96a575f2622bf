package io.jswarm.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A ready leader's read waits for the commit index to pass the last entry of its start (in the same term) and for the
 * commit index of its start to be applied: not for the apply of the entries in flight when it began.
 */
class LeaderReadsTest {
  private static final Duration LEASE = Duration.ofMillis(100);
  private final AtomicLong term = new AtomicLong(3);
  private final AtomicLong commit = new AtomicLong(10);
  private final AtomicLong last = new AtomicLong(14);
  private final AtomicLong clock = new AtomicLong();
  private volatile boolean ready = true;
  /** The indexes reads asked to be applied, with the futures the test completes. */
  private final List<Long> appliedAsked = new ArrayList<>();
  private final List<CompletableFuture<Void>> appliedAnswers = new ArrayList<>();
  private final LeaderReads reads = new LeaderReads(
      () -> ready ? new LeaderReads.Moment(term.get(), commit.get(), last.get()) : null, LEASE,
      term::get, commit::get, index -> {
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (appliedAsked) {
          appliedAsked.add(index);
          appliedAnswers.add(f);
        }
        return f;
      }, Duration.ofSeconds(5), clock::get);

  @AfterEach
  void close() {
    reads.close();
  }

  @Test
  void aReadWaitsForTheCommitPastItsLastEntryThenOnlyForTheApplyOfItsStartsCommitIndex() throws Exception {
    CompletableFuture<Void> read = reads.read();
    reads.poll();
    assertFalse(read.isDone(), "entries 11-14 were in flight at the read's start: nothing proves the leadership yet");

    commit.set(14); // the entries in flight at the start are committed: still no entry appended after the start
    last.set(20);
    reads.poll();
    assertFalse(read.isDone());
    assertEquals(List.of(), asked());

    commit.set(15); // an entry appended after the read began is committed in the same term
    reads.poll();
    assertEquals(List.of(10L), asked(), "the read waits for the apply of the commit index of its start, not 15");
    assertFalse(read.isDone());
    answer(0);
    assertTrue(read.isDone() && !read.isCompletedExceptionally());
    assertEquals(0, reads.waiting());
  }

  @Test
  void aNewTermLeavesTheReadToItsBarrierEntry() {
    CompletableFuture<Void> read = reads.read();
    term.set(4); // another member won an election: its commits prove nothing of this leadership
    commit.set(30);
    reads.poll();
    assertTrue(read.isCompletedExceptionally(), "given up, not answered");
    assertEquals(List.of(), asked());

    CompletableFuture<Void> barrier = new CompletableFuture<>();
    CompletableFuture<Void> answered = reads.firstOf(read, barrier);
    assertFalse(answered.isDone(), "a read this path gave up waits for its barrier entry");
    barrier.complete(null);
    assertTrue(answered.isDone() && !answered.isCompletedExceptionally());
  }

  @Test
  void aReadThatWaitsPastTheTimeoutIsLeftToItsBarrierEntry() {
    CompletableFuture<Void> read = reads.read();
    clock.addAndGet(TimeUnit.SECONDS.toNanos(6));
    reads.poll();
    assertTrue(read.isCompletedExceptionally());
    assertEquals(0, reads.waiting());
  }

  @Test
  void onlyTheReadyLeaderReadsThisWay() {
    ready = false;
    assertNull(reads.read());
  }

  @Test
  void theBarrierAnswersWhicheverComesFirstAndItsFailureFailsTheRead() {
    CompletableFuture<Void> fast = new CompletableFuture<>();
    CompletableFuture<Void> barrier = new CompletableFuture<>();
    CompletableFuture<Void> read = reads.firstOf(fast, barrier);
    fast.complete(null);
    assertTrue(read.isDone() && !read.isCompletedExceptionally());
    assertEquals(1, reads.answered());

    CompletableFuture<Void> fast2 = new CompletableFuture<>();
    CompletableFuture<Void> barrier2 = new CompletableFuture<>();
    CompletableFuture<Void> read2 = reads.firstOf(fast2, barrier2);
    barrier2.completeExceptionally(new IllegalStateException("no quorum"));
    assertTrue(read2.isCompletedExceptionally());
  }

  @Test
  void thePollerAnswersReadsOnItsOwn() throws Exception {
    CompletableFuture<Void> read = reads.read();
    commit.set(15);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (asked().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertEquals(List.of(10L), asked());
    answer(0);
    read.get(10, TimeUnit.SECONDS);
  }

  private List<Long> asked() {
    synchronized (appliedAsked) {
      return new ArrayList<>(appliedAsked);
    }
  }

  private void answer(int i) {
    CompletableFuture<Void> f;
    synchronized (appliedAsked) {
      f = appliedAnswers.get(i);
    }
    f.complete(null);
  }

  @Test
  void theLeaseHoldsOnlyWhileAnEntryAppendedAfterARecentMomentIsCommitted() {
    assertNull(reads.leased(), "no moment yet: the first read proves the leadership with a commit (a moment at 0 ms: "
        + "entries up to 14)");
    clock.set(ms(30));
    commit.set(14);
    assertNull(reads.leased(), "14 was in the log at the moment: its commit proves nothing after it");

    commit.set(15); // appended after the moment at 0 ms, committed in the same term
    last.set(20);
    clock.set(ms(60));
    CompletableFuture<Void> leased = reads.leased();
    assertTrue(leased != null, "a majority acknowledged this term after 0 ms, less than the lease ago");
    assertEquals(List.of(15L), asked(), "answered at the commit index of its start, once applied");
    assertFalse(leased.isDone());
    answer(0);
    assertTrue(leased.isDone() && !leased.isCompletedExceptionally());
    assertEquals(1, reads.leasedReads());

    clock.set(ms(131)); // the moments at 0 and 30 ms are a lease old; the one at 60 ms (up to 20) is not committed past
    assertNull(reads.leased());
    commit.set(21);
    clock.set(ms(150));
    assertTrue(reads.leased() != null, "21 was appended after the moment at 60 ms, 90 ms ago");
  }

  @Test
  void anotherTermOrNoReadyLeadershipGivesNoLease() {
    assertNull(reads.leased()); // a moment at 0 ms in term 3, entries up to 14
    commit.set(15);
    term.set(4); // this member leads again, in a later term: the moments of term 3 prove nothing of it
    clock.set(ms(10));
    assertNull(reads.leased());
    ready = false;
    term.set(3);
    assertNull(reads.leased(), "not the ready leader");
  }

  private static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }
}
