package io.jswarm.consensus.store;

import static io.jswarm.consensus.store.Fixtures.localStore;
import static io.jswarm.consensus.store.Fixtures.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.jswarm.api.types.Service;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A read or transaction that takes long (a scan of 100,000 tasks on a loaded machine) holds nobody back: writes are
 * applied and other reads answered meanwhile, and the long read keeps seeing the one version it started on.
 */
class LockFreeReadsTest {
  @Test
  void writesAndOtherReadsGoOnWhileALongReadRuns() throws Exception {
    MemoryStore s = localStore();
    s.update(tx -> tx.services().create(service("first")));
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<int[]> longRead = CompletableFuture.supplyAsync(() -> s.viewStale(tx -> {
      int before = tx.services().count();
      inside.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new int[] {before, tx.services().count(), tx.services().all().size()};
    }));
    inside.await(10, TimeUnit.SECONDS);
    try {
      // Before, the apply waited for the long read's lock and every later read waited for the apply.
      CompletableFuture.runAsync(() -> s.update(tx -> tx.services().create(service("second"))))
          .get(10, TimeUnit.SECONDS);
      assertEquals(2, CompletableFuture.supplyAsync(() -> s.view(tx -> tx.services().count()))
          .get(10, TimeUnit.SECONDS));
    } finally {
      release.countDown();
    }
    int[] seen = longRead.get(10, TimeUnit.SECONDS);
    assertEquals(1, seen[0]);
    assertEquals(1, seen[1], "the long read kept its version: the write made meanwhile is not in it");
    assertEquals(1, seen[2]);
  }

  @Test
  void aSharedWatchGetsTheStoredRowsAndACopyingWatchItsOwn() throws Exception {
    MemoryStore s = localStore();
    Watch shared = s.viewAndWatch(tx -> null, e -> e.isIn(Tables.SERVICES), true).watch();
    Watch own = s.watch(e -> e.isIn(Tables.SERVICES));
    s.update(tx -> tx.services().create(service("web")));
    Service a = (Service) shared.poll(5, TimeUnit.SECONDS).object();
    Service b = (Service) own.poll(5, TimeUnit.SECONDS).object();
    s.viewStale(tx -> {
      tx.services().scanAll(stored -> assertSame(stored, a, "shared: the stored row itself, no copy"));
      return null;
    });
    b.spec.name = "changed by its watcher";
    assertEquals("web", s.viewStale(tx -> tx.services().all().get(0).spec.name), "a copy: the store is untouched");
    shared.close();
    own.close();
  }

  @Test
  void readLooksAtTheStoredRowAndATransactionsOwnWritesWithoutACopy() {
    MemoryStore s = localStore();
    String id = s.update(tx -> tx.services().create(service("web"))).id;
    s.viewStale(tx -> {
      Service stored = tx.services().read(id, r -> r);
      assertSame(stored, tx.services().read(id, r -> r), "the stored row itself, twice");
      tx.services().scanAll(r -> assertSame(r, stored));
      assertNull(tx.services().read("no-such-id", r -> r));
      assertNull(tx.services().read(null, r -> r));
      return null;
    });
    s.update(tx -> {
      Service mine = tx.services().get(id);
      mine.spec.name = "renamed";
      tx.services().update(mine);
      assertEquals("renamed", tx.services().read(id, r -> r.spec.name), "this transaction's pending row");
      tx.services().delete(id);
      assertNull(tx.services().read(id, r -> r), "deleted in this transaction");
      return null;
    });
  }

  @Test
  void insertKeepsTheGivenRowAsTheChangeAndTheStoreKeepsItsOwnDecodedRow() {
    MemoryStore s = localStore();
    Service given = service("web");
    Service[] returned = new Service[1];
    s.update(tx -> {
      returned[0] = tx.services().insert(given);
      assertSame(given, returned[0], "no copy in, none out");
      assertSame(given, tx.services().read(given.id, r -> r), "the pending row is the given one");
      return null;
    });
    assertEquals(25, given.id.length(), "the store gave it an id: " + given.id);
    org.junit.jupiter.api.Assertions.assertNotNull(given.createdAt);
    Service stored = s.viewStale(tx -> tx.services().read(given.id, r -> r));
    org.junit.jupiter.api.Assertions.assertNotSame(given, stored, "the stored row is decoded from the batch");
    given.spec.name = "changed after the commit";
    assertEquals("web", s.viewStale(tx -> tx.services().get(given.id)).spec.name);
    assertEquals(1, stored.versionIndex());
    org.junit.jupiter.api.Assertions.assertThrows(io.jswarm.api.errors.ConflictException.class,
        () -> s.update(tx -> tx.services().insert(service("web"))), "a taken name is refused as by create");
  }
}
