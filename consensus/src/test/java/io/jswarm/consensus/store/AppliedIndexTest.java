package io.jswarm.consensus.store;

import static io.jswarm.consensus.store.Fixtures.localStore;
import static io.jswarm.consensus.store.Fixtures.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AppliedIndexTest {
  private static final long WAIT_SECONDS = 5; // a generous bound on the notifier thread, never a sleep

  @Test
  void awaitAppliedOfAPastIndexIsAlreadyComplete() {
    MemoryStore s = localStore();
    s.update(tx -> tx.services().create(service("web")));
    assertTrue(s.awaitApplied(0).isDone());
    assertTrue(s.awaitApplied(1).isDone());
  }

  @Test
  void awaitAppliedOfAFutureIndexCompletesOnceItIsApplied() throws Exception {
    MemoryStore s = localStore();
    CompletableFuture<Void> two = s.awaitApplied(2);
    CompletableFuture<Void> three = s.awaitApplied(3);
    CompletableFuture<Void> twoAgain = s.awaitApplied(2);
    s.update(tx -> tx.services().create(service("a")));
    assertFalse(two.isDone());
    s.update(tx -> tx.services().create(service("b")));
    two.get(WAIT_SECONDS, TimeUnit.SECONDS);
    twoAgain.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertFalse(three.isDone());
    s.update(tx -> tx.services().create(service("c")));
    three.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void aRejectedBatchStillAdvancesTheAppliedIndex() throws Exception {
    MemoryStore s = localStore();
    CompletableFuture<Void> one = s.awaitApplied(1);
    byte[] stale = ChangeBatch.encode(java.util.List.of(
        new Change(Change.Op.DELETE, Tables.SERVICES, "missing", 1, null)));
    assertEquals(ApplyResult.Outcome.NOT_FOUND, s.apply(1, stale).outcome());
    assertEquals(1, s.appliedIndex());
    one.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void skipAdvancesTheAppliedIndexAndWakesWaiters() throws Exception {
    MemoryStore s = localStore();
    CompletableFuture<Void> five = s.awaitApplied(5);
    s.skip(5);
    assertEquals(5, s.appliedIndex());
    assertEquals(5, s.viewStale(ReadTx::index));
    five.get(WAIT_SECONDS, TimeUnit.SECONDS);
    s.skip(3);
    assertEquals(5, s.appliedIndex(), "skip never moves the index back");
  }

  @Test
  void writesAfterASkipGetTheNextIndex() {
    MemoryStore s = localStore();
    s.update(tx -> tx.services().create(service("a")));
    s.skip(2); // e.g. a leader's no-op entry
    String id = s.update(tx -> tx.services().create(service("b")).id);
    assertEquals(3, s.appliedIndex());
    assertEquals(3, s.viewStale(tx -> tx.services().get(id)).versionIndex());
  }
}
