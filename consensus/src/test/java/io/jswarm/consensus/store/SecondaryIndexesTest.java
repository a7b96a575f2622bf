package io.jswarm.consensus.store;

import static io.jswarm.consensus.store.Fixtures.localStore;
import static io.jswarm.consensus.store.Fixtures.service;
import static io.jswarm.consensus.store.Fixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jswarm.api.types.StoreObject;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SecondaryIndexesTest {
  private MemoryStore s;
  private String t1;
  private String t2;
  private String t3;

  @BeforeEach
  void threeTasksOfTwoServicesOnTwoNodes() {
    s = localStore();
    List<String> ids = s.update(tx -> List.of(
        tx.tasks().create(task("svcA", 1, "node1", TaskState.RUNNING)).id,
        tx.tasks().create(task("svcA", 2, "node2", TaskState.RUNNING)).id,
        tx.tasks().create(task("svcB", 1, "node1", TaskState.SHUTDOWN)).id));
    t1 = ids.get(0);
    t2 = ids.get(1);
    t3 = ids.get(2);
  }

  @Test
  void tasksAreFoundByServiceNodeSlotAndDesiredState() {
    assertEquals(sorted(t1, t2), ids(s.viewStale(tx -> tx.tasks().find(Tables.BY_SERVICE, "svcA"))));
    assertEquals(List.of(t3), ids(s.viewStale(tx -> tx.tasks().find(Tables.BY_SERVICE, "svcB"))));
    assertEquals(sorted(t1, t3), ids(s.viewStale(tx -> tx.tasks().find(Tables.BY_NODE, "node1"))));
    assertEquals(List.of(t2), ids(s.viewStale(tx -> tx.tasks().find(Tables.BY_SLOT, Tables.slotKey("svcA", 2)))));
    assertEquals(List.of(t3), ids(s.viewStale(tx -> tx.tasks().find(Tables.BY_SLOT, Tables.slotKey("svcB", 1)))));
    assertEquals(sorted(t1, t2), ids(s.viewStale(tx -> tx.tasks().find(Tables.BY_DESIRED_STATE, "running"))));
    assertEquals(List.of(), s.viewStale(tx -> tx.tasks().find(Tables.BY_NODE, "node9")));
    assertEquals("svcA/2", Tables.slotKey("svcA", 2));
  }

  @Test
  void anUnknownIndexIsAnIllegalArgument() {
    assertThrows(IllegalArgumentException.class, () -> s.viewStale(tx -> tx.tasks().find("colour", "red")));
    assertThrows(IllegalArgumentException.class, () -> s.viewStale(tx -> tx.services().find(Tables.BY_NODE, "n")));
  }

  @Test
  void indexesFollowAnUpdateThatMovesATaskToAnotherNode() {
    s.update(tx -> {
      Task t = tx.tasks().get(t1);
      t.nodeId = "node2";
      t.desiredState = TaskState.SHUTDOWN;
      return tx.tasks().update(t);
    });
    assertEquals(List.of(t3), ids(s.viewStale(tx -> tx.tasks().find(Tables.BY_NODE, "node1"))));
    assertEquals(sorted(t1, t2), ids(s.viewStale(tx -> tx.tasks().find(Tables.BY_NODE, "node2"))));
    assertEquals(List.of(t2), ids(s.viewStale(tx -> tx.tasks().find(Tables.BY_DESIRED_STATE, "running"))));
    assertEquals(sorted(t1, t3), ids(s.viewStale(tx -> tx.tasks().find(Tables.BY_DESIRED_STATE, "shutdown"))));
  }

  @Test
  void indexesFollowAnUpdateThatClearsAKey() {
    s.update(tx -> {
      Task t = tx.tasks().get(t2);
      t.nodeId = null;
      t.slot = null;
      return tx.tasks().update(t);
    });
    assertEquals(List.of(), s.viewStale(tx -> tx.tasks().find(Tables.BY_NODE, "node2")));
    assertEquals(List.of(), s.viewStale(tx -> tx.tasks().find(Tables.BY_SLOT, "svcA/2")));
    assertEquals(sorted(t1, t2), ids(s.viewStale(tx -> tx.tasks().find(Tables.BY_SERVICE, "svcA"))));
  }

  @Test
  void indexesForgetDeletedRows() {
    s.update(tx -> {
      tx.tasks().delete(t1);
      return null;
    });
    assertEquals(List.of(t3), ids(s.viewStale(tx -> tx.tasks().find(Tables.BY_NODE, "node1"))));
    assertEquals(List.of(), s.viewStale(tx -> tx.tasks().find(Tables.BY_SLOT, "svcA/1")));
    assertEquals(List.of(t2), ids(s.viewStale(tx -> tx.tasks().find(Tables.BY_SERVICE, "svcA"))));
    assertEquals(2, s.count(Tables.TASKS));
  }

  @Test
  void serviceNamesAreIndexedAndFollowRenamesAndDeletes() {
    String id = s.update(tx -> tx.services().create(service("web")).id);
    s.update(tx -> {
      var svc = tx.services().get(id);
      svc.spec.name = "api";
      return tx.services().update(svc);
    });
    assertNull(s.viewStale(tx -> tx.services().byName("web")));
    assertEquals(id, s.viewStale(tx -> tx.services().byName("api")).id);
    s.update(tx -> {
      tx.services().delete(id);
      return null;
    });
    assertNull(s.viewStale(tx -> tx.services().byName("api")));
  }

  @Test
  void aTransactionSeesItsOwnPendingWrites() {
    String t4 = "zz-new-task";
    s.update(tx -> {
      // move t1 away from node1, delete t3, add t4 on node1
      Task moved = tx.tasks().get(t1);
      moved.nodeId = "node2";
      tx.tasks().update(moved);
      tx.tasks().delete(t3);
      Task added = task("svcC", 1, "node1", TaskState.RUNNING);
      added.id = t4;
      tx.tasks().create(added);

      assertEquals("node2", tx.tasks().get(t1).nodeId);
      assertNull(tx.tasks().get(t3));
      assertEquals("svcC", tx.tasks().get(t4).serviceId);
      assertEquals(sorted(t1, t2, t4), ids(tx.tasks().all()));
      assertEquals(3, tx.tasks().count());
      assertEquals(List.of(t4), ids(tx.tasks().find(Tables.BY_NODE, "node1")));
      assertEquals(sorted(t1, t2), ids(tx.tasks().find(Tables.BY_NODE, "node2")));
      assertEquals(List.of(t4), ids(tx.tasks().find(Tables.BY_SERVICE, "svcC")));
      assertEquals(List.of(t4), ids(tx.tasks().find(Tables.BY_SLOT, "svcC/1")));
      assertEquals(List.of(), tx.tasks().find(Tables.BY_SERVICE, "svcB"));
      assertEquals(List.of(t4), ids(tx.tasks().byIdPrefix("zz")));
      assertEquals(List.of(), tx.tasks().byIdPrefix(t3));
      assertEquals(t4, tx.tasks().lookup("zz-new").id);
      // and a separate read of the store does not see them yet
      assertEquals(0, s.viewStale(r -> r.tasks().find(Tables.BY_NODE, "node2")).stream()
          .filter(t -> t.id.equals(t1)).count());
      return null;
    });
    assertEquals(List.of(t4), ids(s.viewStale(tx -> tx.tasks().find(Tables.BY_NODE, "node1"))));
    assertEquals(3, s.count(Tables.TASKS));
  }

  private static List<String> ids(List<? extends StoreObject> rows) {
    return rows.stream().map(r -> r.id).toList();
  }

  private static List<String> sorted(String... ids) {
    return java.util.Arrays.stream(ids).sorted().toList();
  }
}
