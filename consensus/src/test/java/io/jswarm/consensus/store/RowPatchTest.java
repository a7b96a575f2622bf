package io.jswarm.consensus.store;

import static io.jswarm.consensus.store.Fixtures.localStore;
import static io.jswarm.consensus.store.Fixtures.manualStore;
import static io.jswarm.consensus.store.Fixtures.service;
import static io.jswarm.consensus.store.Fixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link TableWriter#patch}: the change travels as the patched fields alone ({@link Change.Op#PATCH}) and applies to
 * the stored row of the version read, giving exactly the row a whole-row {@code replace} would have stored.
 */
class RowPatchTest {

  private static Task.TaskStatus status(TaskState state, String message) {
    Task.TaskStatus s = new Task.TaskStatus();
    s.state = state;
    s.message = message;
    return s;
  }

  private static String newTask(MemoryStore s) {
    return MemoryStore.await(newTaskAsync(s));
  }

  private static CompletableFuture<String> newTaskAsync(MemoryStore s) {
    return s.updateAsync(tx -> {
      Task t = task("svcA", 1, "node1", TaskState.RUNNING);
      t.labels = new java.util.LinkedHashMap<>(java.util.Map.of("big", "x".repeat(800)));
      return tx.tasks().create(t).id;
    });
  }

  @Test
  void aPatchStoresWhatAReplaceStoresAndTravelsSmaller() throws Exception {
    ManualProposer pp = new ManualProposer();
    ManualProposer rp = new ManualProposer();
    MemoryStore patched = manualStore(pp, 42);
    MemoryStore replaced = manualStore(rp, 42);
    for (MemoryStore s : List.of(patched, replaced)) {
      CompletableFuture<String> id = newTaskAsync(s);
      (s == patched ? pp : rp).commitNext();
      id.get(5, TimeUnit.SECONDS);
    }
    String id = patched.viewStale(tx -> tx.tasks().all().get(0).id);
    CompletableFuture<Void> p = patched.updateAsync(tx -> {
      Task f = tx.tasks().read(id, Task::emptyPatch);
      f.status = status(TaskState.RUNNING, "started");
      tx.tasks().patch(f);
      return null;
    });
    CompletableFuture<Void> r = replaced.updateAsync(tx -> {
      Task t = tx.tasks().read(id, Task::shallowCopy);
      t.status = status(TaskState.RUNNING, "started");
      tx.tasks().replace(t);
      return null;
    });
    byte[] patchBatch = pp.heldBatches().get(0);
    byte[] replaceBatch = rp.heldBatches().get(0);
    String patchJson = new String(patchBatch, StandardCharsets.UTF_8);
    assertTrue(patchJson.contains("\"op\":\"patch\""), patchJson);
    assertFalse(patchJson.contains("big"), "the unchanged labels do not travel: " + patchJson);
    assertTrue(patchBatch.length * 4 < replaceBatch.length, patchBatch.length + " vs " + replaceBatch.length);
    pp.commitNext();
    rp.commitNext();
    p.get(5, TimeUnit.SECONDS);
    r.get(5, TimeUnit.SECONDS);

    assertEquals(replaced.contentHash(), patched.contentHash());
    Task stored = patched.viewStale(tx -> tx.tasks().get(id));
    assertEquals("started", stored.status.message);
    assertEquals("x".repeat(800), stored.labels.get("big"));
    assertEquals("node1", stored.nodeId);
    assertEquals(2, stored.versionIndex());
    assertEquals(1, patched.viewStale(tx -> tx.tasks().find(Tables.BY_NODE, "node1")).size());
  }

  @Test
  void aPatchOfAStaleVersionConflictsNowAndWhenApplied() throws Exception {
    ManualProposer p = new ManualProposer();
    MemoryStore s = manualStore(p, 42);
    CompletableFuture<String> created = newTaskAsync(s);
    p.commitNext();
    String id = created.get(5, TimeUnit.SECONDS);
    // two writers read version 1; the first to apply wins, the second's patch is refused at apply
    CompletableFuture<Void> first = s.updateAsync(tx -> patchStatus(tx, id, "first"));
    CompletableFuture<Void> second = s.updateAsync(tx -> patchStatus(tx, id, "second"));
    assertTrue(p.commitNext().isOk());
    assertFalse(p.commitNext().isOk());
    first.get(5, TimeUnit.SECONDS);
    assertThrows(ConflictException.class, () -> MemoryStore.await(second));
    assertEquals("first", s.viewStale(tx -> tx.tasks().get(id)).status.message);
    // and a patch made against an old version is refused in the transaction already
    CompletableFuture<Void> stale = s.updateAsync(tx -> {
      Task f = new Task();
      f.id = id;
      f.version = new io.jswarm.api.types.Version(1);
      f.status = status(TaskState.FAILED, "late");
      tx.tasks().patch(f);
      return null;
    });
    assertThrows(ConflictException.class, () -> MemoryStore.await(stale));
    assertThrows(NotFoundException.class, () -> s.update(tx -> {
      Task f = new Task();
      f.id = "no-such-task";
      tx.tasks().patch(f);
      return null;
    }));
  }

  private static Void patchStatus(Tx tx, String id, String message) {
    Task f = tx.tasks().read(id, Task::emptyPatch);
    f.status = status(TaskState.RUNNING, message);
    tx.tasks().patch(f);
    return null;
  }

  @Test
  void patchesInOneTransactionCollapseAndAFullWriteWins() {
    MemoryStore s = localStore();
    String id = newTask(s);
    s.update(tx -> {
      patchStatus(tx, id, "one");
      Task f = tx.tasks().read(id, Task::emptyPatch);
      f.desiredState = TaskState.SHUTDOWN;
      tx.tasks().patch(f);
      Task seen = tx.tasks().get(id);
      assertEquals("one", seen.status.message, "the transaction reads its own patches");
      assertEquals(TaskState.SHUTDOWN, seen.desiredState);
      assertEquals(List.of(Change.Op.PATCH), ((TxImpl) tx).changes().stream().map(Change::op).toList());
      return null;
    });
    Task after = s.viewStale(tx -> tx.tasks().get(id));
    assertEquals("one", after.status.message);
    assertEquals(TaskState.SHUTDOWN, after.desiredState);
    assertEquals(List.of(), s.viewStale(tx -> tx.tasks().find(Tables.BY_DESIRED_STATE, "running")));

    s.update(tx -> {
      patchStatus(tx, id, "two");
      Task t = tx.tasks().get(id);
      t.nodeId = null; // a whole-row update after a patch: an update of the whole row
      tx.tasks().update(t);
      assertEquals(List.of(Change.Op.UPDATE), ((TxImpl) tx).changes().stream().map(Change::op).toList());
      return null;
    });
    Task moved = s.viewStale(tx -> tx.tasks().get(id));
    assertEquals("two", moved.status.message);
    assertNull(moved.nodeId);

    String created = s.update(tx -> {
      String nid = tx.tasks().create(task("svcB", 2, "node2", TaskState.RUNNING)).id;
      patchStatus(tx, nid, "born running");
      assertEquals(List.of(Change.Op.CREATE), ((TxImpl) tx).changes().stream().map(Change::op).toList());
      return nid;
    });
    assertEquals("born running", s.viewStale(tx -> tx.tasks().get(created)).status.message);
  }

  @Test
  void aPatchOnATableWithUniqueNamesChecksTheName() {
    MemoryStore s = localStore();
    s.update(tx -> tx.services().create(service("web")));
    String api = s.update(tx -> tx.services().create(service("api")).id);
    assertThrows(ConflictException.class, () -> s.update(tx -> {
      Service f = new Service();
      f.id = api;
      f.version = tx.services().get(api).version;
      f.spec = service("web").spec;
      tx.services().patch(f);
      return null;
    }));
  }

  @Test
  void aPatchedRowSurvivesASnapshotAndWatchersSeeTheWholeRow() throws Exception {
    MemoryStore s = localStore();
    String id = newTask(s);
    Watch w = s.watch(e -> true);
    s.update(tx -> patchStatus(tx, id, "watched"));
    Event e = w.poll(5, TimeUnit.SECONDS);
    assertEquals(Event.Kind.UPDATE, e.kind());
    assertEquals("watched", ((Task) e.object()).status.message);
    assertEquals("x".repeat(800), ((Task) e.object()).labels.get("big"));
    w.close();
    ByteArrayOutputStream snap = new ByteArrayOutputStream();
    s.writeSnapshot(snap);
    MemoryStore restored = localStore();
    restored.restoreSnapshot(new ByteArrayInputStream(snap.toByteArray()));
    assertEquals(s.contentHash(), restored.contentHash());
    assertEquals(Json.toString(s.viewStale(tx -> tx.tasks().get(id))),
        Json.toString(restored.viewStale(tx -> tx.tasks().get(id))));
  }

  @Test
  void rowsWithPrimitiveOrPresetFieldsCannotBePatched() {
    assertTrue(RowPatch.patchable(Task.class));
    assertFalse(RowPatch.patchable(Preset.class));
  }

  /** A row type whose field starts set: "not patched" and "patched to the default" would look the same. */
  public static final class Preset extends io.jswarm.api.types.StoreObject {
    public String colour = "red";

    @Override
    public String uniqueName() {
      return null;
    }
  }
}
