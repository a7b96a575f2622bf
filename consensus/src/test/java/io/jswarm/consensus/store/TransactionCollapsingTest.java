package io.jswarm.consensus.store;

import static io.jswarm.consensus.store.Fixtures.T0;
import static io.jswarm.consensus.store.Fixtures.localStore;
import static io.jswarm.consensus.store.Fixtures.manualStore;
import static io.jswarm.consensus.store.Fixtures.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.types.Service;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransactionCollapsingTest {

  @Test
  void createThenUpdateIsProposedAsOneCreate() {
    ManualProposer p = new ManualProposer();
    MemoryStore s = manualStore(p, 5);
    s.updateAsync(tx -> {
      Service svc = tx.services().create(service("web"));
      svc.spec.labels.put("k", "v1");
      svc = tx.services().update(svc);
      svc.spec.labels.put("k", "v2");
      return tx.services().update(svc);
    });
    List<Change> changes = ChangeBatch.decode(p.heldBatches().get(0));
    assertEquals(1, changes.size());
    assertEquals(Change.Op.CREATE, changes.get(0).op());
    assertEquals(0, changes.get(0).expectedVersion());
    assertEquals("v2", ((Service) changes.get(0).object()).spec.labels.get("k"));

    Watch w = s.watch(e -> true);
    p.commitNext();
    assertEquals(List.of(Event.Kind.CREATE, Event.Kind.COMMIT), kinds(w));
    assertEquals("v2", s.viewStale(tx -> tx.services().byName("web")).spec.labels.get("k"));
  }

  @Test
  void createThenDeleteProposesNothing() {
    MemoryStore s = localStore();
    s.update(tx -> tx.services().create(service("before")));
    Watch w = s.watch(e -> true);
    String hash = s.contentHash();

    s.update(tx -> {
      Service svc = tx.services().create(service("web"));
      tx.services().delete(svc.id);
      assertNull(tx.services().get(svc.id));
      assertEquals(1, tx.services().count());
      return null;
    });

    assertEquals(1, s.appliedIndex(), "no index consumed");
    assertEquals(List.of(), kinds(w), "no batch applied, not even an empty one");
    assertEquals(hash, s.contentHash());
  }

  @Test
  void createDeleteCreateOfTheSameIdIsOneCreate() {
    ManualProposer p = new ManualProposer();
    MemoryStore s = manualStore(p, 5);
    s.updateAsync(tx -> {
      tx.services().create(service("fixed-id", "first"));
      tx.services().delete("fixed-id");
      return tx.services().create(service("fixed-id", "second"));
    });
    List<Change> changes = ChangeBatch.decode(p.heldBatches().get(0));
    assertEquals(1, changes.size());
    assertEquals(Change.Op.CREATE, changes.get(0).op());
    p.commitNext();
    assertEquals("second", s.viewStale(tx -> tx.services().get("fixed-id")).spec.name);
  }

  @Test
  void deleteThenCreateOfAStoredIdIsOneUpdateThatKeepsCreatedAt() {
    TestClock clock = new TestClock(T0);
    MemoryStore s = localStore(clock, 5);
    String id = s.update(tx -> tx.services().create(service("web")).id);
    clock.advance(Duration.ofMinutes(5));
    Watch w = s.watch(e -> true);

    s.update(tx -> {
      tx.services().delete(id);
      Service again = service(id, "web");
      again.spec.labels.put("reborn", "yes");
      return tx.services().create(again);
    });

    List<Event> events = drain(w);
    assertEquals(List.of(Event.Kind.UPDATE, Event.Kind.COMMIT), events.stream().map(Event::kind).toList());
    assertEquals("web", ((Service) events.get(0).old()).spec.name);
    Service stored = s.viewStale(tx -> tx.services().get(id));
    assertEquals("yes", stored.spec.labels.get("reborn"));
    assertEquals(T0.toString(), stored.createdAt);
    assertEquals(T0.plus(Duration.ofMinutes(5)).toString(), stored.updatedAt);
    assertEquals(2, stored.versionIndex());
  }

  @Test
  void deleteThenCreateOfAStoredIdStillComparesTheVersionReadFirst() {
    ManualProposer p = new ManualProposer();
    MemoryStore s = manualStore(p, 5);
    s.updateAsync(tx -> tx.services().create(service("svc-id", "web")));
    p.commitNext();

    var recreate = s.updateAsync(tx -> {
      tx.services().delete("svc-id");
      return tx.services().create(service("svc-id", "web"));
    });
    var concurrent = s.updateAsync(tx -> tx.services().update(tx.services().get("svc-id")));
    assertEquals(Change.Op.UPDATE, ChangeBatch.decode(p.heldBatches().get(0)).get(0).op());
    assertEquals(1, ChangeBatch.decode(p.heldBatches().get(0)).get(0).expectedVersion());
    p.commitNext();
    MemoryStore.join(recreate);
    assertEquals(ApplyResult.Outcome.CONFLICT, p.commitNext().outcome());
    assertThrows(ConflictException.class, () -> MemoryStore.join(concurrent));
  }

  @Test
  void updateThenDeleteIsOneDeleteAgainstTheVersionReadFirst() {
    ManualProposer p = new ManualProposer();
    MemoryStore s = manualStore(p, 5);
    s.updateAsync(tx -> tx.services().create(service("svc-id", "web")));
    p.commitNext();
    s.updateAsync(tx -> {
      tx.services().update(tx.services().get("svc-id"));
      tx.services().delete("svc-id");
      return null;
    });
    List<Change> changes = ChangeBatch.decode(p.heldBatches().get(0));
    assertEquals(1, changes.size());
    assertEquals(Change.Op.DELETE, changes.get(0).op());
    assertEquals(1, changes.get(0).expectedVersion());
    p.commitNext();
    assertEquals(0, s.count(Tables.SERVICES));
  }

  @Test
  void aTransactionThatWritesNothingProposesNothing() {
    MemoryStore s = localStore();
    assertEquals("read only", s.update(tx -> {
      tx.services().all();
      return "read only";
    }));
    assertEquals(0, s.appliedIndex());
  }

  @Test
  void aFailingClosureProposesNothing() {
    MemoryStore s = localStore();
    assertThrows(ConflictException.class, () -> s.update(tx -> {
      tx.services().create(service("web"));
      tx.services().create(service("web"));
      return null;
    }));
    assertEquals(0, s.appliedIndex());
    assertEquals(0, s.count(Tables.SERVICES));
  }

  @Test
  void changesFollowTheOrderRowsWereFirstTouched() {
    ManualProposer p = new ManualProposer();
    MemoryStore s = manualStore(p, 5);
    s.updateAsync(tx -> {
      tx.services().create(service("s-b", "b"));
      tx.networks().create(Fixtures.network("n"));
      tx.services().create(service("s-a", "a"));
      tx.services().update(tx.services().get("s-b"));
      return null;
    });
    List<Change> changes = ChangeBatch.decode(p.heldBatches().get(0));
    assertEquals(3, changes.size(), "the update of s-b collapsed into its create");
    List<String> services = changes.stream().filter(c -> c.table() == Tables.SERVICES)
        .map(c -> c.id()).toList();
    assertEquals(List.of("s-b", "s-a"), services, "rows of a table keep their first-touch order");
  }

  private static List<Event.Kind> kinds(Watch w) {
    return drain(w).stream().map(Event::kind).toList();
  }

  private static List<Event> drain(Watch w) {
    List<Event> out = new ArrayList<>();
    for (Event e = w.poll(); e != null; e = w.poll()) {
      out.add(e);
    }
    return out;
  }
}
