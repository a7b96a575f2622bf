package io.jswarm.consensus.store;

import static io.jswarm.consensus.store.Fixtures.T0;
import static io.jswarm.consensus.store.Fixtures.localStore;
import static io.jswarm.consensus.store.Fixtures.manualStore;
import static io.jswarm.consensus.store.Fixtures.network;
import static io.jswarm.consensus.store.Fixtures.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.types.Service;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class VersionsAndCompareAndSetTest {

  @Test
  void versionIsTheRaftIndexOfTheLastBatchThatChangedTheRow() {
    MemoryStore s = localStore();
    String web = s.update(tx -> tx.services().create(service("web")).id);
    assertEquals(1, version(s, web));
    String db = s.update(tx -> tx.services().create(service("db")).id);
    assertEquals(2, version(s, db));
    s.update(tx -> tx.services().update(tx.services().get(web)));
    assertEquals(3, version(s, web));
    assertEquals(2, version(s, db), "a row not in the batch keeps its version");
    assertEquals(3, s.appliedIndex());
    assertEquals(3, s.viewStale(ReadTx::index));
  }

  @Test
  void createdAtIsKeptAndUpdatedAtComesFromTheClock() {
    TestClock clock = new TestClock(T0);
    MemoryStore s = localStore(clock, 7);
    String id = s.update(tx -> tx.services().create(service("web")).id);
    Service created = s.viewStale(tx -> tx.services().get(id));
    assertEquals(T0.toString(), created.createdAt);
    assertEquals(T0.toString(), created.updatedAt);

    clock.advance(Duration.ofSeconds(90));
    s.update(tx -> {
      Service svc = tx.services().get(id);
      svc.createdAt = "1999-01-01T00:00:00Z"; // a writer cannot rewrite history
      svc.updatedAt = null;
      return tx.services().update(svc);
    });
    Service updated = s.viewStale(tx -> tx.services().get(id));
    assertEquals(T0.toString(), updated.createdAt);
    assertEquals(T0.plusSeconds(90).toString(), updated.updatedAt);
  }

  @Test
  void createIgnoresAVersionTheCallerSet() {
    MemoryStore s = localStore();
    s.update(tx -> tx.services().create(service("a")));
    Service row = service("web");
    row.version = new io.jswarm.api.types.Version(77);
    String id = s.update(tx -> tx.services().create(row).id);
    assertEquals(2, version(s, id));
  }

  @Test
  void anUpdateCarryingAStaleVersionIsAConflictInsideTheTransaction() {
    MemoryStore s = localStore();
    String id = s.update(tx -> tx.services().create(service("web")).id);
    Service readAtV1 = s.viewStale(tx -> tx.services().get(id));
    s.update(tx -> tx.services().update(tx.services().get(id)));
    String hash = s.contentHash();

    readAtV1.spec.labels.put("lost", "update");
    ConflictException e = assertThrows(ConflictException.class, () -> s.update(tx -> tx.services().update(readAtV1)));
    assertTrue(e.getMessage().startsWith("update out of sequence"), e.getMessage());
    assertTrue(e.getMessage().contains("version 2") && e.getMessage().contains("version 1"), e.getMessage());
    assertEquals(hash, s.contentHash());
    assertEquals(2, s.appliedIndex(), "nothing was proposed");
  }

  @Test
  void updatingOrDeletingAMissingRowIsNotFound() {
    MemoryStore s = localStore();
    Service ghost = service("ghost-id", "ghost");
    assertThrows(NotFoundException.class, () -> s.update(tx -> tx.services().update(ghost)));
    assertThrows(NotFoundException.class, () -> s.update(tx -> {
      tx.services().delete("ghost-id");
      return null;
    }));
    assertEquals(0, s.appliedIndex());
  }

  @Test
  void twoWritersThatReadTheSameVersionCannotBothWin() {
    ManualProposer p = new ManualProposer();
    MemoryStore s = manualStore(p, 1);
    CompletableFuture<String> created = s.updateAsync(tx -> tx.services().create(service("web")).id);
    assertTrue(p.commitNext().isOk());
    String id = MemoryStore.join(created);

    CompletableFuture<Object> first = s.updateAsync(tx -> label(tx, id, "writer", "first"));
    CompletableFuture<Object> second = s.updateAsync(tx -> label(tx, id, "writer", "second"));
    assertEquals(2, p.pending(), "both transactions read version 1 and proposed");

    assertTrue(p.commitNext().isOk());
    String hash = s.contentHash();
    ApplyResult rejected = p.commitNext();

    assertEquals(ApplyResult.Outcome.CONFLICT, rejected.outcome());
    assertEquals(3, rejected.index());
    assertTrue(rejected.message().startsWith("update out of sequence"), rejected.message());
    MemoryStore.join(first);
    assertThrows(ConflictException.class, () -> MemoryStore.join(second));
    assertEquals(hash, s.contentHash(), "the rejected batch changed nothing");
    Service stored = s.viewStale(tx -> tx.services().get(id));
    assertEquals("first", stored.spec.labels.get("writer"));
    assertEquals(2, stored.versionIndex());
    assertEquals(3, s.appliedIndex(), "a rejected entry is still applied (as a no-op)");
  }

  @Test
  void aBatchWithOneGoodAndOneStaleChangeAppliesNeither() {
    ManualProposer p = new ManualProposer();
    MemoryStore s = manualStore(p, 1);
    CompletableFuture<String> created = s.updateAsync(tx -> tx.services().create(service("web")).id);
    p.commitNext();
    String id = MemoryStore.join(created);

    CompletableFuture<Object> winner = s.updateAsync(tx -> label(tx, id, "k", "winner"));
    CompletableFuture<Object> mixed = s.updateAsync(tx -> {
      tx.networks().create(network("good-net")); // fine on its own
      tx.services().create(service("other")); // fine on its own
      return label(tx, id, "k", "loser"); // stale once the winner is applied
    });
    p.commitNext();
    MemoryStore.join(winner);
    String hash = s.contentHash();

    ApplyResult r = p.commitNext();
    assertEquals(ApplyResult.Outcome.CONFLICT, r.outcome());
    assertThrows(ConflictException.class, () -> MemoryStore.join(mixed));
    assertEquals(hash, s.contentHash());
    assertEquals(0, s.count(Tables.NETWORKS));
    assertEquals(1, s.count(Tables.SERVICES));
    assertNull(s.viewStale(tx -> tx.services().byName("other")));
  }

  @Test
  void applyRejectsAHandBuiltBatchWhoseExpectedVersionIsStale() {
    MemoryStore s = localStore();
    String id = s.update(tx -> tx.services().create(service("web")).id);
    s.update(tx -> tx.services().update(tx.services().get(id))); // now at version 2
    Service row = s.viewStale(tx -> tx.services().get(id));
    row.spec.name = "renamed";
    String hash = s.contentHash();

    byte[] stale = ChangeBatch.encode(List.of(new Change(Change.Op.UPDATE, Tables.SERVICES, id, 1, row)));
    ApplyResult r = s.apply(3, stale);
    assertEquals(new ApplyResult(3, ApplyResult.Outcome.CONFLICT, r.message()), r);
    assertTrue(r.error() instanceof ConflictException);
    assertEquals(hash, s.contentHash());

    byte[] staleDelete = ChangeBatch.encode(List.of(new Change(Change.Op.DELETE, Tables.SERVICES, id, 1, null)));
    assertEquals(ApplyResult.Outcome.CONFLICT, s.apply(4, staleDelete).outcome());
    assertEquals(1, s.count(Tables.SERVICES));

    byte[] fresh = ChangeBatch.encode(List.of(new Change(Change.Op.UPDATE, Tables.SERVICES, id, 2, row)));
    assertTrue(s.apply(5, fresh).isOk());
    assertEquals("renamed", s.viewStale(tx -> tx.services().get(id)).spec.name);
    assertEquals(5, version(s, id));
  }

  @Test
  void applyRejectsAChangeToARowRemovedMeanwhileAsNotFound() {
    ManualProposer p = new ManualProposer();
    MemoryStore s = manualStore(p, 1);
    CompletableFuture<String> created = s.updateAsync(tx -> tx.services().create(service("web")).id);
    p.commitNext();
    String id = MemoryStore.join(created);

    CompletableFuture<Object> delete = s.updateAsync(tx -> {
      tx.services().delete(id);
      return null;
    });
    CompletableFuture<Object> update = s.updateAsync(tx -> label(tx, id, "k", "v"));
    assertTrue(p.commitNext().isOk());
    ApplyResult r = p.commitNext();
    assertEquals(ApplyResult.Outcome.NOT_FOUND, r.outcome());
    MemoryStore.join(delete);
    assertThrows(NotFoundException.class, () -> MemoryStore.join(update));
    assertEquals(0, s.count(Tables.SERVICES));
  }

  @Test
  void applyResultSurvivesItsWireForm() {
    ApplyResult r = new ApplyResult(9, ApplyResult.Outcome.NOT_FOUND, "service x not found");
    assertEquals(r, ApplyResult.decode(r.encode()));
    assertEquals(ApplyResult.ok(3), ApplyResult.decode(ApplyResult.ok(3).encode()));
    assertNull(ApplyResult.ok(3).error());
    assertTrue(r.error() instanceof NotFoundException);
  }

  private static Object label(Tx tx, String id, String key, String value) {
    Service svc = tx.services().get(id);
    svc.spec.labels.put(key, value);
    return tx.services().update(svc);
  }

  private static long version(MemoryStore s, String id) {
    return s.viewStale(tx -> tx.services().get(id)).versionIndex();
  }
}
