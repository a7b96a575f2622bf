package io.jswarm.consensus.store;

import static io.jswarm.consensus.store.Fixtures.localStore;
import static io.jswarm.consensus.store.Fixtures.network;
import static io.jswarm.consensus.store.Fixtures.node;
import static io.jswarm.consensus.store.Fixtures.service;
import static io.jswarm.consensus.store.Fixtures.task;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SnapshotTest {

  /** A store with rows in several tables, updates, a delete and a skipped entry; applied index 7. */
  private static MemoryStore populated() {
    MemoryStore s = localStore();
    String web = s.update(tx -> tx.services().create(service("web")).id);
    s.update(tx -> {
      tx.nodes().create(node("node1", "host-a"));
      tx.nodes().create(node("node2", "host-a"));
      tx.networks().create(network("ingress"));
      return null;
    });
    s.update(tx -> {
      tx.tasks().create(task(web, 1, "node1", TaskState.RUNNING));
      tx.tasks().create(task(web, 2, "node2", TaskState.RUNNING));
      return null;
    });
    s.update(tx -> {
      Service svc = tx.services().get(web);
      svc.spec.labels.put("z", "last");
      svc.spec.labels.put("a", "first");
      return tx.services().update(svc);
    });
    String gone = s.update(tx -> tx.services().create(service("gone")).id);
    s.update(tx -> {
      tx.services().delete(gone);
      return null;
    });
    s.skip(7);
    return s;
  }

  private static byte[] snapshot(MemoryStore s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    s.writeSnapshot(out);
    return out.toByteArray();
  }

  @Test
  void aRestoredStoreHasTheSameContentIndexAndIndexes() throws IOException {
    MemoryStore original = populated();
    byte[] bytes = snapshot(original);

    MemoryStore restored = localStore();
    restored.restoreSnapshot(new ByteArrayInputStream(bytes));

    assertEquals(original.contentHash(), restored.contentHash());
    assertEquals(7, restored.appliedIndex());
    assertArrayEquals(bytes, snapshot(restored), "the same state always gives the same bytes");
    Service web = restored.viewStale(tx -> tx.services().byName("web"));
    assertEquals(4, web.versionIndex());
    assertNull(restored.viewStale(tx -> tx.services().byName("gone")));
    assertEquals(List.of("node1"), restored.viewStale(tx -> tx.tasks().find(Tables.BY_NODE, "node1"))
        .stream().map(t -> t.nodeId).toList());
    assertEquals(2, restored.viewStale(tx -> tx.tasks().find(Tables.BY_SERVICE, web.id)).size());
    assertEquals(1, restored.viewStale(tx -> tx.tasks().find(Tables.BY_SLOT, Tables.slotKey(web.id, 2))).size());
    assertEquals(2, restored.viewStale(tx -> tx.tasks().find(Tables.BY_DESIRED_STATE, "running")).size());
    assertEquals(2, restored.viewStale(tx -> tx.nodes().find(Tables.BY_NAME, "host-a")).size());
    assertEquals(7, restored.viewStale(ReadTx::index));
  }

  @Test
  void writesAfterARestoreContinueFromTheRestoredIndex() throws IOException {
    MemoryStore restored = localStore(new TestClock(Fixtures.T0), 99); // another seed: ids must not collide
    restored.restoreSnapshot(new ByteArrayInputStream(snapshot(populated())));
    String id = restored.update(tx -> tx.services().create(service("after")).id);
    assertEquals(8, restored.appliedIndex());
    assertEquals(8, restored.viewStale(tx -> tx.services().get(id)).versionIndex());
    restored.update(tx -> {
      Task t = tx.tasks().find(Tables.BY_NODE, "node1").get(0);
      t.nodeId = "node2";
      return tx.tasks().update(t);
    });
    assertEquals(9, restored.appliedIndex());
    assertEquals(2, restored.viewStale(tx -> tx.tasks().find(Tables.BY_NODE, "node2")).size());
    assertEquals(List.of(), restored.viewStale(tx -> tx.tasks().find(Tables.BY_NODE, "node1")));
  }

  @Test
  void restoringReplacesEverythingAndClosesOpenWatchesWithAReason() throws Exception {
    MemoryStore s = localStore();
    s.update(tx -> tx.services().create(service("only-here")));
    Watch w = s.watch(e -> true);
    CompletableFuture<Void> waiter = s.awaitApplied(5);

    s.restoreSnapshot(new ByteArrayInputStream(snapshot(populated())));

    assertTrue(w.isClosed());
    assertTrue(w.closedReason().contains("snapshot at index 7"), w.closedReason());
    assertNull(s.viewStale(tx -> tx.services().byName("only-here")));
    assertEquals(populated().contentHash(), s.contentHash());
    waiter.get(5, TimeUnit.SECONDS);
    s.update(tx -> tx.services().create(service("later")));
    assertNull(w.poll(), "a closed watch receives nothing more");
  }

  @Test
  void aBrokenSnapshotIsRejectedAndLeavesTheStoreAlone() throws IOException {
    MemoryStore s = populated();
    String hash = s.contentHash();
    Watch w = s.watch(e -> true);
    for (String bad : List.of("not json", "[]", "{\"tables\":{}}", "{\"appliedIndex\":3,\"tables\":[]}")) {
      assertThrows(IOException.class,
          () -> s.restoreSnapshot(new ByteArrayInputStream(bad.getBytes(StandardCharsets.UTF_8))), bad);
    }
    assertEquals(hash, s.contentHash());
    assertEquals(7, s.appliedIndex());
    assertFalse(w.isClosed());
  }

  @Test
  void theSameBatchesInTheSameOrderGiveTheSameHash() {
    MemoryStore a = localStore(new TestClock(Fixtures.T0), 11);
    MemoryStore b = localStore(new TestClock(Fixtures.T0), 11);
    for (MemoryStore s : List.of(a, b)) {
      String id = s.update(tx -> tx.services().create(service("web")).id);
      s.update(tx -> tx.tasks().create(task(id, 1, "n", TaskState.RUNNING)));
    }
    assertEquals(a.contentHash(), b.contentHash());
  }

  @Test
  void theHashIgnoresRowAndLabelInsertionOrderButNotContent() {
    Service x1 = fixed("svc-x", "x", "a", "1", "b", "2");
    Service y1 = fixed("svc-y", "y");
    Service x2 = fixed("svc-x", "x", "b", "2", "a", "1");
    Service y2 = fixed("svc-y", "y");
    MemoryStore a = localStore();
    MemoryStore b = localStore();
    assertTrue(a.apply(1, ChangeBatch.encode(List.of(create(x1), create(y1)))).isOk());
    assertTrue(b.apply(1, ChangeBatch.encode(List.of(create(y2), create(x2)))).isOk());
    assertEquals(a.contentHash(), b.contentHash());

    b.skip(10);
    assertEquals(a.contentHash(), b.contentHash(), "the applied index is not content");

    MemoryStore c = localStore();
    Service y3 = fixed("svc-y", "y", "c", "3");
    assertTrue(c.apply(1, ChangeBatch.encode(List.of(create(x1), create(y3)))).isOk());
    assertNotEquals(a.contentHash(), c.contentHash(), "a label differs");

    MemoryStore d = localStore();
    assertTrue(d.apply(2, ChangeBatch.encode(List.of(create(x1), create(y1)))).isOk());
    assertNotEquals(a.contentHash(), d.contentHash(), "versions differ");
  }

  private static Change create(Service s) {
    return new Change(Change.Op.CREATE, Tables.SERVICES, s.id, 0, s);
  }

  private static Service fixed(String id, String name, String... labels) {
    Service s = service(id, name);
    s.createdAt = Fixtures.T0.toString();
    s.updatedAt = Fixtures.T0.toString();
    s.spec.labels = new LinkedHashMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      s.spec.labels.put(labels[i], labels[i + 1]);
    }
    return s;
  }
}
