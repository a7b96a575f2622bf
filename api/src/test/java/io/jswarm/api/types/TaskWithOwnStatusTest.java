package io.jswarm.api.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.jswarm.api.json.Json;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

/**
 * {@link Task#withOwnStatus}: the copy a loop changes (top-level and status fields) before handing it to the store,
 * while the stored row it came from stays as it was for every other reader.
 */
class TaskWithOwnStatusTest {
  @Test
  void changingTheCopysStatusLeavesTheOriginalUntouched() {
    Task stored = Json.fromString("{\"ID\":\"t1\",\"NodeID\":\"\",\"Spec\":{\"ContainerSpec\":{\"Image\":\"busybox\"}},"
        + "\"Status\":{\"State\":\"pending\",\"Message\":\"pending\",\"ContainerStatus\":{\"ExitCode\":0}}}", Task.class);
    String before = Json.toString(stored);
    Task t = stored.withOwnStatus();
    assertEquals(before, Json.toString(t), "same content");
    t.status.state = TaskState.ASSIGNED;
    t.status.message = "scheduler assigned task to node";
    t.nodeId = "n1";
    assertEquals(before, Json.toString(stored), "the original's status and node are untouched");
    assertNotSame(stored.status, t.status);
    assertSame(stored.spec, t.spec, "the rest is shared, not copied");
    assertSame(stored.status.containerStatus, t.status.containerStatus);
  }

  @Test
  void everyStatusFieldIsCarried() throws Exception {
    Task.TaskStatus s = new Task.TaskStatus();
    for (Field f : Task.TaskStatus.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers())) {
        continue;
      }
      f.setAccessible(true);
      f.set(s, f.getType() == String.class ? "x" : f.getType().isEnum() ? f.getType().getEnumConstants()[0]
          : f.getType().getDeclaredConstructor().newInstance());
    }
    Task t = new Task();
    t.status = s;
    Task.TaskStatus copy = t.withOwnStatus().status;
    for (Field f : Task.TaskStatus.class.getDeclaredFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        assertNotNull(f.get(copy), f.getName());
        assertSame(f.get(s), f.get(copy), "withOwnStatus must carry TaskStatus." + f.getName());
      }
    }
  }
}
