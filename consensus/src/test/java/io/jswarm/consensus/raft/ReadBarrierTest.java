package io.jswarm.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** How reads share empty entries: each read waits for one proposed after it began, at most one is in flight. */
class ReadBarrierTest {
  private final List<CompletableFuture<Object>> proposed = new ArrayList<>();
  private final ReadBarrier barrier = new ReadBarrier(() -> {
    CompletableFuture<Object> f = new CompletableFuture<>();
    proposed.add(f);
    return f;
  });

  @Test
  void readsDuringAnEntryInFlightShareTheNextOneProposedAfterIt() {
    CompletableFuture<Void> first = barrier.await();
    CompletableFuture<Void> second = barrier.await();
    CompletableFuture<Void> third = barrier.await();
    assertEquals(1, proposed.size(), "one entry in flight, the later reads wait for the next");

    proposed.get(0).complete("applied");
    assertTrue(first.isDone());
    assertFalse(second.isDone(), "an entry proposed before the read began proves nothing about it");
    assertFalse(third.isDone());
    assertEquals(2, proposed.size(), "the waiting reads' entry goes out as soon as the first completes");

    CompletableFuture<Void> fourth = barrier.await();
    proposed.get(1).complete("applied");
    assertTrue(second.isDone() && third.isDone());
    assertFalse(fourth.isDone());
    assertEquals(3, proposed.size());
    proposed.get(2).complete("applied");
    assertTrue(fourth.isDone());

    barrier.await();
    assertEquals(4, proposed.size(), "idle again: the next read proposes at once");
  }

  @Test
  void aFailedEntryFailsItsReadsAndTheNextReadsStillGetTheirOwn() {
    CompletableFuture<Void> first = barrier.await();
    CompletableFuture<Void> second = barrier.await();
    proposed.get(0).completeExceptionally(new IllegalStateException("no quorum"));
    ExecutionException e = assertThrows(ExecutionException.class, first::get);
    assertEquals("no quorum", e.getCause().getMessage());
    assertFalse(second.isDone());
    proposed.get(1).complete("applied");
    assertTrue(second.isDone() && !second.isCompletedExceptionally());
  }

  @Test
  void aSupplierThatThrowsFailsTheReadAndFreesTheBarrier() {
    boolean[] thrown = {false};
    ReadBarrier throwing = new ReadBarrier(() -> {
      if (!thrown[0]) {
        thrown[0] = true;
        throw new IllegalStateException("not running");
      }
      return CompletableFuture.completedFuture("applied");
    });
    assertTrue(throwing.await().isCompletedExceptionally());
    CompletableFuture<Void> later = throwing.await();
    assertTrue(later.isDone() && !later.isCompletedExceptionally());
  }
}
