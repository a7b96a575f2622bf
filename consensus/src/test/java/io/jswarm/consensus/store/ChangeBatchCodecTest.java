package io.jswarm.consensus.store;

import static io.jswarm.consensus.store.Fixtures.node;
import static io.jswarm.consensus.store.Fixtures.service;
import static io.jswarm.consensus.store.Fixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.json.Json;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.Version;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeBatchCodecTest {

  @Test
  void aBatchSurvivesEncodeAndDecode() {
    Service svc = service("svc-1", "web");
    svc.spec.labels.put("k", "v");
    svc.version = new Version(4);
    Task t = task("svc-1", 3, "node-1", TaskState.RUNNING);
    t.id = "task-1";
    List<Change> changes = List.of(
        new Change(Change.Op.UPDATE, Tables.SERVICES, "svc-1", 4, svc),
        new Change(Change.Op.CREATE, Tables.TASKS, "task-1", 0, t),
        new Change(Change.Op.CREATE, Tables.NODES, "node-1", 0, node("node-1", "host")),
        new Change(Change.Op.DELETE, Tables.NETWORKS, "net-1", 9, null));

    List<Change> back = ChangeBatch.decode(ChangeBatch.encode(changes));

    assertEquals(changes.size(), back.size());
    for (int i = 0; i < changes.size(); i++) {
      Change want = changes.get(i);
      Change got = back.get(i);
      assertEquals(want.op(), got.op());
      assertEquals(want.table(), got.table());
      assertEquals(want.id(), got.id());
      assertEquals(want.expectedVersion(), got.expectedVersion());
      assertEquals(want.object() == null ? null : Json.toString(want.object()),
          got.object() == null ? null : Json.toString(got.object()));
    }
    assertTrue(back.get(1).object() instanceof Task);
    assertEquals(TaskState.RUNNING, ((Task) back.get(1).object()).desiredState);
    assertNull(back.get(3).object());
  }

  /**
   * The log is read with exact field names (what encode wrote); fields with their own names ({@code ContainerID},
   * {@code PID}, the internal {@code JswarmRegistryAuth}) and nested rows must come back whole.
   */
  @Test
  void aTaskWithItsSpeciallyNamedFieldsComesBackWhole() {
    Task t = task("svc-1", 3, "node-1", TaskState.RUNNING);
    t.id = "task-2";
    t.registryAuth = "eyJ1c2VybmFtZSI6InUifQ==";
    t.jobIteration = new Version(5);
    t.status = new Task.TaskStatus();
    t.status.state = TaskState.RUNNING;
    t.status.containerStatus = new Task.ContainerStatus();
    t.status.containerStatus.containerId = "c0ffee";
    t.status.containerStatus.pid = 4242L;
    t.status.containerStatus.exitCode = 0L;
    io.jswarm.api.types.GenericResource gpu = new io.jswarm.api.types.GenericResource();
    gpu.namedResourceSpec = new io.jswarm.api.types.GenericResource.NamedResourceSpec();
    gpu.namedResourceSpec.kind = "gpu";
    t.assignedGenericResources = List.of(gpu);
    String before = Json.toString(t);

    Task back = (Task) ChangeBatch.decode(ChangeBatch.encode(
        List.of(new Change(Change.Op.CREATE, Tables.TASKS, t.id, 0, t)))).get(0).object();

    assertEquals(before, Json.toString(back));
    assertEquals("c0ffee", back.status.containerStatus.containerId);
    assertEquals(4242L, back.status.containerStatus.pid);
    assertEquals("eyJ1c2VybmFtZSI6InUifQ==", back.registryAuth);
    assertEquals("gpu", back.assignedGenericResources.get(0).namedResourceSpec.kind);
  }

  @Test
  void theWireFormIsReadableJson() {
    byte[] bytes = ChangeBatch.encode(List.of(new Change(Change.Op.DELETE, Tables.SECRETS, "s1", 2, null)));
    assertEquals("{\"changes\":[{\"op\":\"delete\",\"table\":\"secrets\",\"id\":\"s1\",\"expected\":2}]}",
        new String(bytes, StandardCharsets.UTF_8));
    assertEquals(List.of(), ChangeBatch.decode("{\"changes\":[]}".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void fieldsInAnyOrderAndUnknownFieldsDecode() {
    // encode writes the table before the row; a batch written otherwise (by hand, or a later version adding fields)
    // still decodes into the same change
    String json = "{\"v\":2,\"changes\":[{\"object\":{\"Spec\":{\"Name\":\"web\"}},\"extra\":[1,{\"a\":2}],"
        + "\"expected\":7,\"id\":\"svc-1\",\"table\":\"services\",\"op\":\"update\"}]}";
    List<Change> back = ChangeBatch.decode(json.getBytes(StandardCharsets.UTF_8));
    assertEquals(1, back.size());
    assertEquals(Change.Op.UPDATE, back.get(0).op());
    assertEquals(Tables.SERVICES, back.get(0).table());
    assertEquals("svc-1", back.get(0).id());
    assertEquals(7, back.get(0).expectedVersion());
    assertEquals("web", ((Service) back.get(0).object()).spec.name);
  }

  @Test
  void garbageIsAnIllegalArgument() {
    for (String bad : List.of(
        "",
        "not json at all",
        "{",
        "[]",
        "42",
        "{\"changes\":{}}",
        "{\"changes\":[{\"op\":\"upsert\",\"table\":\"services\",\"id\":\"x\"}]}",
        "{\"changes\":[{\"op\":\"create\",\"table\":\"volumes\",\"id\":\"x\",\"object\":{}}]}",
        "{\"changes\":[{\"op\":\"create\",\"table\":\"services\",\"id\":\"x\"}]}",
        "{\"changes\":[{\"op\":\"create\",\"table\":\"tasks\",\"id\":\"x\",\"object\":{\"Slot\":\"one\"}}]}",
        "{\"changes\":[1]}")) {
      assertThrows(IllegalArgumentException.class,
          () -> ChangeBatch.decode(bad.getBytes(StandardCharsets.UTF_8)), "decoding: " + bad);
    }
    assertThrows(IllegalArgumentException.class, () -> ChangeBatch.decode(new byte[] {(byte) 0xff, 0, 1}));
  }

  @Test
  void applyingGarbageThrowsAndChangesNothing() {
    MemoryStore s = Fixtures.localStore();
    s.update(tx -> tx.services().create(service("web")));
    String hash = s.contentHash();
    assertThrows(IllegalArgumentException.class, () -> s.apply(2, "garbage".getBytes(StandardCharsets.UTF_8)));
    assertEquals(hash, s.contentHash());
    assertEquals(1, s.appliedIndex(), "a corrupt entry is not recorded as applied");
  }
}
