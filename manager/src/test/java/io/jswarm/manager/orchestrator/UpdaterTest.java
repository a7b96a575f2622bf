package io.jswarm.manager.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.UpdateConfig;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UpdaterTest {
  private final Cluster c = new Cluster();

  @BeforeEach
  void nodes() {
    c.node("n1");
  }

  @AfterEach
  void close() {
    c.close();
  }

  private long withImage(Service s, String image) {
    return c.runnable(s.id).stream().filter(t -> t.spec.containerSpec.image.equals(image)).count();
  }

  private Service running(long replicas, Long parallelism) {
    Service s = c.replicated("web", replicas);
    if (parallelism != null) {
      s = c.updateService(s.id, spec -> {
        spec.updateConfig = new UpdateConfig();
        spec.updateConfig.parallelism = parallelism;
      });
    }
    c.reconcile();
    c.settleWorkers(List.of("n1"));
    return s;
  }

  @Test
  void parallelismOneReplacesOneSlotAtATimeOnceTheReplacementRuns() {
    Service s = running(3, null);
    c.updateService(s.id, spec -> spec.taskTemplate.containerSpec.image = "busybox:2");
    for (int step = 1; step <= 3; step++) {
      c.reconcile();
      assertEquals(step, withImage(s, "busybox:2"), "step " + step);
      c.reconcile();
      assertEquals(step, withImage(s, "busybox:2"), "waits while the replacement is not running");
      assertEquals(3, c.runnable(s.id).size());
      c.settleWorkers(List.of("n1"));
    }
    for (Task t : c.tasks(s.id)) {
      boolean current = t.spec.containerSpec.image.equals("busybox:2");
      assertEquals(current ? TaskState.RUNNING : TaskState.SHUTDOWN, t.desiredState);
    }
    assertEquals(6, c.tasks(s.id).size(), "old tasks stay as history in their slots");
    for (long slot = 1; slot <= 3; slot++) {
      assertEquals(2, c.inSlot(s.id, slot).size());
    }
  }

  /**
   * A spec written back with {@code "ForceUpdate":0} where it had none (what {@code docker service scale} sends for a
   * service created without it) replaces no task; a bump of it replaces them all.
   */
  @Test
  void aForceUpdateOfZeroIsNoForceUpdate() {
    Service s = running(3, 0L);
    List<String> before = c.runnable(s.id).stream().map(t -> t.id).sorted().toList();
    c.updateService(s.id, spec -> spec.taskTemplate.forceUpdate = 0L);
    c.reconcile();
    c.settleWorkers(List.of("n1"));
    c.reconcile();
    assertEquals(before, c.runnable(s.id).stream().map(t -> t.id).sorted().toList(), "no task replaced");
    assertEquals(3, c.tasks(s.id).size());
    c.updateService(s.id, spec -> spec.taskTemplate.forceUpdate = 1L);
    c.reconcile();
    assertEquals(6, c.tasks(s.id).size(), "a bump replaces every task");
  }

  @Test
  void parallelismZeroReplacesAllAtOnce() {
    Service s = running(4, 0L);
    c.updateService(s.id, spec -> spec.taskTemplate.containerSpec.image = "busybox:2");
    c.reconcile();
    assertEquals(4, withImage(s, "busybox:2"));
    assertEquals(4, c.runnable(s.id).size());
  }

  @Test
  void parallelismTwoReplacesTwoAtATime() {
    Service s = running(5, 2L);
    c.updateService(s.id, spec -> spec.taskTemplate.containerSpec.image = "busybox:2");
    c.reconcile();
    assertEquals(2, withImage(s, "busybox:2"));
    c.settleWorkers(List.of("n1"));
    c.reconcile();
    assertEquals(4, withImage(s, "busybox:2"));
    c.settleWorkers(List.of("n1"));
    c.reconcile();
    assertEquals(5, withImage(s, "busybox:2"));
  }

  @Test
  void forceUpdateBumpReplacesTasks() {
    Service s = running(2, 0L);
    List<String> before = c.runnable(s.id).stream().map(t -> t.id).toList();
    c.updateService(s.id, spec -> spec.taskTemplate.forceUpdate = 1L);
    c.reconcile();
    List<Task> after = c.runnable(s.id);
    assertEquals(2, after.size());
    after.forEach(t -> assertTrue(!before.contains(t.id) && t.spec.forceUpdate == 1L));
  }

  @Test
  void scalingOrRelabellingTheServiceDoesNotReplaceTasks() {
    Service s = running(2, 0L);
    List<String> before = c.runnable(s.id).stream().map(t -> t.id).sorted().toList();
    c.updateService(s.id, spec -> {
      spec.labels.put("x", "y");
      spec.mode.replicated.replicas = 3L;
    });
    c.reconcile();
    assertEquals(3, c.runnable(s.id).size());
    assertTrue(c.runnable(s.id).stream().map(t -> t.id).toList().containsAll(before));
  }

  @Test
  void publishingAPortReplacesTheTasksOnceAndNotAgainWhenTheAllocatorCatchesUp() {
    Service s = running(2, 0L);
    List<String> before = c.runnable(s.id).stream().map(t -> t.id).toList();
    Service updated = c.updateService(s.id, spec -> {
      spec.endpointSpec = new io.jswarm.api.types.EndpointSpec();
      io.jswarm.api.types.PortConfig p = new io.jswarm.api.types.PortConfig();
      p.targetPort = 80L;
      p.publishedPort = 8080L;
      spec.endpointSpec.ports = List.of(p);
    });
    c.reconcile();
    List<Task> after = c.runnable(s.id);
    assertEquals(2, after.size());
    after.forEach(t -> assertTrue(!before.contains(t.id), "a task without the port was kept: " + t.id));
    after.forEach(t -> assertEquals(8080L, t.endpoint.spec.ports.get(0).publishedPort));
    // the allocator then writes the service's endpoint (a copy of the spec plus allocations): nothing more to do
    List<String> replaced = after.stream().map(t -> t.id).sorted().toList();
    c.store.update(tx -> {
      Service now = tx.services().get(updated.id);
      now.endpoint = new io.jswarm.api.types.Endpoint();
      now.endpoint.spec = io.jswarm.api.json.Json.copy(now.spec.endpointSpec);
      now.endpoint.ports = now.endpoint.spec.ports;
      return tx.services().update(now);
    });
    c.reconcile();
    assertEquals(replaced, c.runnable(s.id).stream().map(t -> t.id).sorted().toList());
  }

  @Test
  void aTaskARebalanceMovesIsReplacedStartFirstEvenWithAStopFirstUpdateConfig() {
    Service s = running(3, 1L);
    Task moved = c.runnable(s.id).get(0);
    c.store.update(tx -> {
      Task t = tx.tasks().get(moved.id);
      t.rebalance = true;
      return tx.tasks().update(t);
    });
    c.reconcile();
    assertEquals(TaskState.RUNNING, c.task(moved.id).desiredState, "the moved task runs until its replacement does");
    assertEquals(4, c.runnable(s.id).size(), "one replacement, start-first");
    assertEquals("rebalance in progress", c.store.view(tx -> tx.services().get(s.id)).updateStatus.message);
    c.settleWorkers(List.of("n1"));
    c.reconcile();
    assertEquals(TaskState.SHUTDOWN, c.task(moved.id).desiredState, "stopped once the replacement is ready");
    assertEquals(3, c.runnable(s.id).size());
    assertTrue(c.runnable(s.id).stream().noneMatch(t -> Boolean.TRUE.equals(t.rebalance)));
  }
}
