package io.jswarm.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A read that began while this member did not lead is answered once it is a ready leader with its term's first
 * entry applied here, without waiting for its own barrier entry (docs/reliability.md); a read that began while it
 * led is not.
 */
class NewLeaderReadsTest {
  private final AtomicBoolean leading = new AtomicBoolean();
  private final NewLeaderReads newLeader = new NewLeaderReads(leading::get);
  private final List<CompletableFuture<Object>> proposed = new ArrayList<>();
  private final ReadBarrier barrier = new ReadBarrier(() -> {
    CompletableFuture<Object> f = new CompletableFuture<>();
    proposed.add(f);
    return f;
  }, newLeader);

  @Test
  void aReadInFlightOnAFollowerIsAnsweredWhenItsNewLeadershipsFirstEntryIsApplied() {
    CompletableFuture<Void> read = barrier.await(); // a follower: its barrier entry goes to a leader that died
    assertEquals(1, proposed.size());
    leading.set(true);
    CompletableFuture<Void> firstEntryApplied = new CompletableFuture<>();
    newLeader.leaderReady(firstEntryApplied);
    assertFalse(read.isDone(), "the first entry is committed but not applied here yet");
    firstEntryApplied.complete(null);
    assertTrue(read.isDone() && !read.isCompletedExceptionally(), "answered without its own barrier entry");
    assertEquals(0, newLeader.waiting());
    proposed.get(0).complete("applied later"); // the entry still in flight changes nothing
    assertTrue(read.isDone() && !read.isCompletedExceptionally());
  }

  @Test
  void aReadThatBeganWhileThisMemberLedWaitsForItsOwnEntry() {
    leading.set(true); // perhaps an isolated leader: its term's first entry may predate the read
    CompletableFuture<Void> read = barrier.await();
    newLeader.leaderReady(CompletableFuture.completedFuture(null));
    assertFalse(read.isDone(), "a leadership that began before the read is no barrier for it");
    proposed.get(0).complete("applied");
    assertTrue(read.isDone());
  }

  @Test
  void aLeadershipReadyBeforeTheReadBeganIsNoBarrierForIt() {
    newLeader.leaderReady(CompletableFuture.completedFuture(null)); // then stepped down
    CompletableFuture<Void> read = barrier.await();
    assertFalse(read.isDone(), "that leadership's first entry was appended before the read began");
    leading.set(true);
    newLeader.leaderReady(CompletableFuture.completedFuture(null));
    assertTrue(read.isDone());
  }

  @Test
  void aReadAnsweredByItsEntryLeavesNothingWaiting() {
    CompletableFuture<Void> read = barrier.await();
    assertEquals(1, newLeader.waiting());
    proposed.get(0).complete("applied");
    assertTrue(read.isDone());
    assertEquals(0, newLeader.waiting());
  }

  @Test
  void aFailedEntryStillFailsTheReadWhenNoLeadershipCame() {
    CompletableFuture<Void> read = barrier.await();
    proposed.get(0).completeExceptionally(new IllegalStateException("no quorum"));
    assertTrue(read.isCompletedExceptionally());
  }
}
