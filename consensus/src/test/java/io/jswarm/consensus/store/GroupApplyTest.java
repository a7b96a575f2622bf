package io.jswarm.consensus.store;

import static io.jswarm.consensus.store.Fixtures.manualStore;
import static io.jswarm.consensus.store.Fixtures.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Service;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The batches of one group entry: each checked and applied on its own, at the entry's index, published once. */
class GroupApplyTest {
  private final ManualProposer proposer = new ManualProposer();
  private final MemoryStore store = manualStore(proposer, 3);

  private String create(String name) {
    var f = store.updateAsync(tx -> tx.services().create(service(name)).id);
    proposer.commitNext();
    return f.join();
  }

  /** Proposes a label change of {@code id} as read now (held, not applied). */
  private void relabel(String id, String value) {
    store.updateAsync(tx -> {
      Service s = tx.services().get(id);
      s.spec.labels.put("v", value);
      return tx.services().update(s);
    });
  }

  private List<byte[]> takeHeld() {
    List<byte[]> out = new ArrayList<>();
    while (proposer.pending() > 0) {
      out.add(proposer.takeNext());
    }
    return out;
  }

  @Test
  void aFailingBatchFailsAloneAndItsNeighboursAreApplied() throws Exception {
    String web = create("web");
    Watch w = store.watch(e -> true);
    relabel(web, "a"); // applied first in the group
    relabel(web, "b"); // read the same version: stale once "a" is applied
    store.updateAsync(tx -> tx.services().create(service("db")).id);
    List<ApplyResult> results = store.applyGroup(2, takeHeld());

    assertEquals(3, results.size());
    assertTrue(results.get(0).isOk());
    assertEquals(ApplyResult.Outcome.CONFLICT, results.get(1).outcome(), results.get(1).toString());
    assertTrue(results.get(2).isOk(), "the batch after a rejected one is still applied");
    results.forEach(r -> assertEquals(2, r.index(), "every batch of the entry is at the entry's index"));
    assertEquals(2, store.appliedIndex());
    Service got = store.viewStale(tx -> tx.services().get(web));
    assertEquals("a", got.spec.labels.get("v"));
    assertEquals(2, got.versionIndex());
    assertEquals(2, store.viewStale(tx -> tx.services().byName("db")).versionIndex());

    List<Event> events = new ArrayList<>();
    for (Event e = w.poll(); e != null; e = w.poll()) {
      events.add(e);
    }
    assertEquals(List.of(Event.Kind.UPDATE, Event.Kind.CREATE, Event.Kind.COMMIT),
        events.stream().map(Event::kind).toList(), "the rejected batch has no event; one commit for the entry");
  }

  @Test
  void aBatchSeesTheNamesTheBatchesBeforeItClaimedAndReleased() {
    String web = create("web");
    store.updateAsync(tx -> tx.services().create(service("api")).id);
    store.updateAsync(tx -> tx.services().create(service("api")).id); // same name, another id
    store.updateAsync(tx -> {
      tx.services().delete(web);
      return null;
    });
    List<byte[]> held = takeHeld();
    // a new "web" (another manager's create, proposed before it saw the delete): its name is free once the delete
    // before it in the group is applied
    held.add(ChangeBatch.encode(List.of(new Change(Change.Op.CREATE, Tables.SERVICES, "new-web", 0,
        service("web")))));
    List<ApplyResult> results = store.applyGroup(2, held);
    assertTrue(results.get(0).isOk());
    assertEquals(ApplyResult.Outcome.CONFLICT, results.get(1).outcome(), "name claimed by the batch before it");
    assertTrue(results.get(2).isOk());
    assertTrue(results.get(3).isOk(), "name released by the batch before it: " + results.get(3));
    assertNull(store.viewStale(tx -> tx.services().get(web)));
    assertEquals("new-web", store.viewStale(tx -> tx.services().byName("web")).id);
  }

  @Test
  void aGroupWhoseBatchesAllFailChangesNothingButTheIndex() throws Exception {
    String web = create("web");
    relabel(web, "a");
    List<byte[]> stale = takeHeld();
    relabel(web, "b");
    proposer.commitNext(); // index 2: "b"
    Watch w = store.watch(e -> true);
    List<ApplyResult> results = store.applyGroup(3, List.of(stale.get(0), stale.get(0)));
    assertEquals(List.of(ApplyResult.Outcome.CONFLICT, ApplyResult.Outcome.CONFLICT),
        results.stream().map(ApplyResult::outcome).toList());
    assertEquals(3, store.appliedIndex());
    assertNull(w.poll(), "no rows changed: no events, as for a rejected single batch");
    assertEquals("b", store.viewStale(tx -> tx.services().get(web)).spec.labels.get("v"));
  }

  @Test
  void aSingleBatchAppliesAsItAlwaysDid() {
    String web = create("web");
    relabel(web, "a");
    ApplyResult r = store.apply(2, takeHeld().get(0));
    assertTrue(r.isOk());
    assertEquals(2, store.viewStale(tx -> tx.services().get(web)).versionIndex());
  }
}
