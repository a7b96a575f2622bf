package io.jswarm.manager.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.Timestamps;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReplicatedOrchestratorTest {
  private final Cluster c = new Cluster();

  @AfterEach
  void close() {
    c.close();
  }

  @Test
  void createsOneTaskPerSlotFromTheTemplate() {
    Service s = c.replicated("web", 3, t -> t.containerSpec.env = List.of("A=1"));
    c.reconcile();

    List<Task> tasks = c.tasks(s.id);
    assertEquals(3, tasks.size());
    assertEquals(Set.of(1L, 2L, 3L), tasks.stream().map(t -> t.slot).collect(Collectors.toSet()));
    for (Task t : tasks) {
      assertEquals("web." + t.slot, t.name);
      assertEquals(s.id, t.serviceId);
      assertEquals(TaskState.RUNNING, t.desiredState);
      assertEquals(TaskState.NEW, t.status.state);
      assertEquals("created", t.status.message);
      assertEquals(c.clock.instant(), Timestamps.parse(t.status.timestamp));
      assertTrue(TaskFacts.specMatches(t.spec, s.spec.taskTemplate));
      assertEquals(List.of("A=1"), t.spec.containerSpec.env);
      assertEquals(Map.of("team", "a"), t.labels);
      assertNull(t.nodeId);
    }

    c.reconcile();
    assertEquals(3, c.tasks(s.id).size(), "a second pass changes nothing");
  }

  @Test
  void aScaleUpPastOneTransactionFillsTheFreeSlotsExactlyOnce() {
    c.node("n1");
    Service s = c.replicated("big", 3);
    c.reconcile();
    c.settleWorkers(List.of("n1"));
    long replicas = 3 * EventLoop.MAX_WRITES_PER_PASS + 7; // several passes, the later ones continued, not planned
    c.updateService(s.id, spec -> spec.mode.replicated.replicas = replicas);
    c.orchestrators.replicated().reconcileAll();

    List<Task> tasks = c.tasks(s.id);
    assertEquals(replicas, tasks.size());
    Set<Long> slots = tasks.stream().map(t -> t.slot).collect(Collectors.toSet());
    assertEquals(replicas, slots.size(), "one task per slot");
    assertEquals(1L, slots.stream().mapToLong(Long::longValue).min().orElseThrow());
    assertEquals(replicas, slots.stream().mapToLong(Long::longValue).max().orElseThrow());
    c.orchestrators.replicated().reconcileAll();
    assertEquals(replicas, c.tasks(s.id).size(), "a second pass changes nothing");
  }

  @Test
  void aServiceWithoutModeRunsOneReplica() {
    Service s = c.replicated("one", 1);
    c.updateService(s.id, spec -> spec.mode = null);
    c.reconcile();
    assertEquals(1, c.runnable(s.id).size());
  }

  @Test
  void scaleDownRemovesTheHighestSlotsAndTheReaperDeletesThemOnceStopped() {
    c.node("n1");
    Service s = c.replicated("web", 5);
    c.reconcile();
    c.settleWorkers(List.of("n1"));

    c.updateService(s.id, spec -> spec.mode.replicated.replicas = 2L);
    c.orchestrators.replicated().reconcileAll();

    assertEquals(Set.of(1L, 2L), c.runnableBySlot(s.id).keySet());
    for (Task t : c.tasks(s.id)) {
      assertEquals(t.slot <= 2 ? TaskState.RUNNING : TaskState.REMOVE, t.desiredState, "slot " + t.slot);
    }
    c.orchestrators.reaper().reconcileAll();
    assertEquals(5, c.tasks(s.id).size(), "running tasks stay until they stopped");

    c.settleWorkers(List.of("n1"));
    c.reconcile();
    assertEquals(Set.of(1L, 2L), c.tasks(s.id).stream().map(t -> t.slot).collect(Collectors.toSet()));
    assertEquals(2, c.tasks(s.id).size());
  }

  @Test
  void scaleUpFillsTheLowestFreeSlots() {
    Service s = c.replicated("web", 3);
    c.reconcile();
    c.updateService(s.id, spec -> spec.mode.replicated.replicas = 1L);
    c.reconcile();
    assertEquals(Set.of(1L), c.runnableBySlot(s.id).keySet());
    c.updateService(s.id, spec -> spec.mode.replicated.replicas = 4L);
    c.reconcile();
    assertEquals(Set.of(1L, 2L, 3L, 4L), c.runnableBySlot(s.id).keySet());
    assertEquals(4, c.tasks(s.id).size(), "never-assigned removed tasks were deleted at once");
  }

  @Test
  void serviceRemovalMarksEveryTaskRemoveThenDeletesThemOnceStopped() {
    c.node("n1");
    Service s = c.replicated("web", 3);
    c.reconcile();
    c.settleWorkers(List.of("n1"));
    c.updateService(s.id, spec -> spec.mode.replicated.replicas = 4L);
    c.reconcile(); // slot 4 never assigned

    c.deleteService(s.id);
    c.orchestrators.replicated().reconcileAll();
    assertEquals(4, c.runnable(s.id).size(), "the orchestrator leaves a deleted service's tasks to the reaper");

    c.orchestrators.reaper().reconcileAll();
    List<Task> left = c.tasks(s.id);
    assertEquals(3, left.size(), "the never-assigned task is deleted at once");
    left.forEach(t -> assertEquals(TaskState.REMOVE, t.desiredState));

    c.report(left.get(0).id, TaskState.SHUTDOWN);
    c.orchestrators.reaper().reconcileAll();
    assertEquals(2, c.tasks(s.id).size());
    c.settleWorkers(List.of("n1"));
    c.reconcile();
    assertTrue(c.tasks(s.id).isEmpty());
  }

  @Test
  void drainedNodeTasksAreReplacedInTheirSlotsAndPauseKeepsThem() {
    c.node("n1");
    c.node("n2");
    Service s = c.replicated("web", 4);
    c.reconcile();
    c.settleWorkers(List.of("n1", "n2"));
    Map<Long, String> before = c.runnable(s.id).stream().collect(Collectors.toMap(t -> t.slot, t -> t.nodeId));

    c.availability("n2", "pause");
    c.reconcile();
    assertEquals(4, c.tasks(s.id).size(), "pause keeps tasks");

    c.availability("n1", "drain");
    c.reconcile();
    for (long slot = 1; slot <= 4; slot++) {
      Task r = c.runnableIn(s.id, slot);
      assertNotNull(r, "slot " + slot);
      if (before.get(slot).equals("n1")) {
        assertNull(r.nodeId, "replacement waits for the scheduler");
        Task old = c.inSlot(s.id, slot).stream().filter(t -> "n1".equals(t.nodeId)).findFirst().orElseThrow();
        assertEquals(TaskState.SHUTDOWN, old.desiredState);
      } else {
        assertEquals("n2", r.nodeId);
      }
    }
    assertEquals(6, c.tasks(s.id).size());
  }

  @Test
  void downNodeTasksGetReplacements() {
    c.node("n1");
    c.node("n2");
    Service s = c.replicated("web", 2);
    c.reconcile();
    Task t1 = c.runnableIn(s.id, 1);
    Task t2 = c.runnableIn(s.id, 2);
    c.assign(t1.id, "n1");
    c.assign(t2.id, "n2");
    c.report(t1.id, TaskState.RUNNING);
    c.report(t2.id, TaskState.RUNNING);

    c.nodeState("n1", "down");
    c.reconcile();
    assertEquals(TaskState.SHUTDOWN, c.task(t1.id).desiredState);
    assertNotEquals(t1.id, c.runnableIn(s.id, 1).id);
    assertEquals(t2.id, c.runnableIn(s.id, 2).id);
    assertEquals(3, c.tasks(s.id).size());

    c.deleteNode("n2");
    c.reconcile();
    assertNotEquals(t2.id, c.runnableIn(s.id, 2).id);
  }

  @Test
  void aDeletedRunnableTaskIsRecreated() {
    Service s = c.replicated("web", 2);
    c.reconcile();
    Task t = c.runnableIn(s.id, 2);
    c.store.update(tx -> {
      tx.tasks().delete(t.id);
      return null;
    });
    c.reconcile();
    assertNotNull(c.runnableIn(s.id, 2));
    assertEquals(2, c.tasks(s.id).size());
  }

  @Test
  void twoRunnableTasksInOneSlotAreReducedToOne() {
    Service s = c.replicated("web", 1);
    c.reconcile();
    Task first = c.runnableIn(s.id, 1);
    c.report(first.id, TaskState.RUNNING);
    c.clock.advance(Cluster.TICK);
    c.store.update(tx -> tx.tasks().create(TaskFactory.newTask(s, 1L, null, c.clock.instant())));
    c.reconcile();
    assertEquals(first.id, c.runnableIn(s.id, 1).id, "the task furthest along stays");
  }
}
