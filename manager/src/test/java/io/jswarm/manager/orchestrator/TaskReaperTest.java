package io.jswarm.manager.orchestrator;

import static io.jswarm.manager.orchestrator.Cluster.restart;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TaskReaperTest {
  private final Cluster c = new Cluster();

  @BeforeEach
  void nodes() {
    c.node("n1");
  }

  @AfterEach
  void close() {
    c.close();
  }

  /** Fails the slot's task {@code times} times (zero restart delay); returns the task ids, oldest first. */
  private List<String> failRepeatedly(Service s, long slot, int times) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < times; i++) {
      c.settleWorkers(List.of("n1"));
      Task t = c.runnableIn(s.id, slot);
      ids.add(t.id);
      c.report(t.id, TaskState.FAILED, 1L);
      c.reconcile();
    }
    ids.add(c.runnableIn(s.id, slot).id);
    return ids;
  }

  @Test
  void keepsTheRetentionLimitPerSlotNewestFirst() {
    c.setRetention(3);
    Service s = c.replicated("web", 2, restart("any", Duration.ZERO, 0, null));
    c.reconcile();
    List<String> ids = failRepeatedly(s, 1, 6);

    List<Task> slot1 = c.inSlot(s.id, 1);
    assertEquals(3, slot1.size(), "the current task plus two stopped ones");
    List<String> kept = slot1.stream().map(t -> t.id).sorted().toList();
    assertEquals(ids.subList(ids.size() - 3, ids.size()).stream().sorted().toList(), kept, "the oldest went");
    assertEquals(1, c.inSlot(s.id, 2).size(), "other slots untouched");
  }

  @Test
  void defaultRetentionIsFive() {
    Service s = c.replicated("web", 1, restart("any", Duration.ZERO, 0, null));
    c.reconcile();
    failRepeatedly(s, 1, 8);
    assertEquals(5, c.inSlot(s.id, 1).size());
  }

  @Test
  void negativeRetentionKeepsAll() {
    c.setRetention(-1);
    Service s = c.replicated("web", 1, restart("any", Duration.ZERO, 0, null));
    c.reconcile();
    failRepeatedly(s, 1, 7);
    assertEquals(8, c.inSlot(s.id, 1).size());
  }

  @Test
  void aLowerLimitTrimsExistingHistory() {
    c.setRetention(-1);
    Service s = c.replicated("web", 1, restart("any", Duration.ZERO, 0, null));
    c.reconcile();
    failRepeatedly(s, 1, 4);
    assertEquals(5, c.inSlot(s.id, 1).size());
    c.setRetention(0);
    c.reconcile();
    assertEquals(1, c.inSlot(s.id, 1).size(), "runnable tasks are never trimmed");
  }

  @Test
  void globalHistoryIsKeptPerServiceAndNode() {
    c.setRetention(2);
    c.node("n2");
    Service s = c.global("agent", restart("any", Duration.ZERO, 0, null));
    c.reconcile();
    for (int i = 0; i < 4; i++) {
      c.settleWorkers(List.of("n1"));
      Task t = c.runnable(s.id).stream().filter(x -> x.nodeId.equals("n1")).findFirst().orElseThrow();
      c.report(t.id, TaskState.FAILED, 1L);
      c.reconcile();
    }
    assertEquals(2, c.tasks(s.id).stream().filter(t -> t.nodeId.equals("n1")).count());
    assertEquals(1, c.tasks(s.id).stream().filter(t -> t.nodeId.equals("n2")).count());
  }

  @Test
  void removedTasksAreDeletedWhenStoppedUnassignedOrTheirNodeIsDown() {
    c.node("n2");
    Service s = c.replicated("web", 4);
    c.reconcile();
    List<Task> tasks = c.runnable(s.id);
    Task unassigned = tasks.get(0);
    Task running = tasks.get(1);
    Task onDownNode = tasks.get(2);
    Task stopped = tasks.get(3);
    c.assign(running.id, "n1");
    c.report(running.id, TaskState.RUNNING);
    c.assign(onDownNode.id, "n2");
    c.report(onDownNode.id, TaskState.RUNNING);
    c.assign(stopped.id, "n1");
    c.report(stopped.id, TaskState.RUNNING);

    c.deleteService(s.id);
    c.orchestrators.reaper().reconcileAll(); // marks REMOVE
    c.orchestrators.reaper().reconcileAll(); // reaps
    assertNull(c.task(unassigned.id));
    assertNotNull(c.task(running.id));

    c.report(stopped.id, TaskState.SHUTDOWN);
    c.nodeState("n2", "down");
    c.orchestrators.reaper().reconcileAll();
    assertNull(c.task(stopped.id));
    assertNull(c.task(onDownNode.id));
    assertEquals(List.of(running.id), c.tasks(s.id).stream().map(t -> t.id).toList());
    assertEquals(TaskState.REMOVE, c.task(running.id).desiredState);
  }

  @Test
  void tasksOfAServiceDeletedWhileNoLeaderWatchedAreSweptAtStart() {
    Service s = c.replicated("web", 3);
    c.reconcile();
    c.deleteService(s.id);
    c.orchestrators.reaper().reconcileAll();
    c.orchestrators.reaper().reconcileAll();
    assertTrue(c.tasks(s.id).isEmpty());
  }
}
