package io.jswarm.manager.orchestrator;

import static io.jswarm.manager.orchestrator.Cluster.restart;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {
  private final Cluster c = new Cluster();

  @BeforeEach
  void nodes() {
    c.node("n1");
  }

  @AfterEach
  void close() {
    c.close();
  }

  /** Places and runs the slot's runnable task, then ends it with {@code state}; returns it. */
  private Task runAndEnd(Service s, long slot, TaskState state, Long exit) {
    c.settleWorkers(List.of("n1"));
    Task t = c.runnableIn(s.id, slot);
    assertNotNull(t, "slot " + slot + " has a runnable task");
    assertEquals(TaskState.RUNNING, t.status.state);
    c.report(t.id, state, exit);
    c.reconcile();
    return t;
  }

  @Test
  void defaultPolicyRestartsAnyEndAfterFiveSeconds() {
    Service s = c.replicated("web", 1);
    c.reconcile();
    Task first = runAndEnd(s, 1, TaskState.COMPLETE, 0L);

    assertEquals(TaskState.SHUTDOWN, c.task(first.id).desiredState);
    assertNull(c.runnableIn(s.id, 1), "no replacement before the delay");
    assertEquals(1, c.orchestrators.restarts().pendingCount());

    c.clock.advance(Duration.ofSeconds(4));
    c.reconcile();
    assertNull(c.runnableIn(s.id, 1), "the slot is held, not refilled, while the restart waits");
    assertEquals(1, c.tasks(s.id).size());

    c.clock.advance(Duration.ofSeconds(1));
    c.reconcile();
    Task next = c.runnableIn(s.id, 1);
    assertNotNull(next);
    assertNotEquals(first.id, next.id);
    assertEquals(0, c.orchestrators.restarts().pendingCount());
  }

  @Test
  void zeroDelayRestartsAtOnceInTheSameSlot() {
    Service s = c.replicated("web", 2, restart("any", Duration.ZERO, 0, null));
    c.reconcile();
    Task first = runAndEnd(s, 2, TaskState.FAILED, 1L);
    Task next = c.runnableIn(s.id, 2);
    assertNotNull(next);
    assertNotEquals(first.id, next.id);
    assertEquals(2L, next.slot);
  }

  @Test
  void unaskedShutdownCountsAsAnEnd() {
    Service s = c.replicated("web", 1, restart("on-failure", Duration.ZERO, 0, null));
    c.reconcile();
    Task first = runAndEnd(s, 1, TaskState.SHUTDOWN, null);
    assertNotEquals(first.id, c.runnableIn(s.id, 1).id);
  }

  @Test
  void onFailureRestartsFailuresOnly() {
    Service s = c.replicated("web", 2, restart("on-failure", Duration.ZERO, 0, null));
    c.reconcile();
    Task failed = runAndEnd(s, 1, TaskState.FAILED, 2L);
    assertNotEquals(failed.id, c.runnableIn(s.id, 1).id);

    runAndEnd(s, 2, TaskState.COMPLETE, 0L);
    assertNull(c.runnableIn(s.id, 2), "a clean exit is not restarted");
    c.clock.advance(Duration.ofMinutes(1));
    c.reconcile();
    assertNull(c.runnableIn(s.id, 2), "and the slot is not refilled either");
    assertEquals(1, c.inSlot(s.id, 2).size());

    runAndEnd(s, 1, TaskState.REJECTED, null);
    assertNotNull(c.runnableIn(s.id, 1));
  }

  @Test
  void conditionNoneLeavesTheSlotEmpty() {
    Service s = c.replicated("job", 2, restart("none", Duration.ZERO, 0, null));
    c.reconcile();
    runAndEnd(s, 1, TaskState.COMPLETE, 0L);
    runAndEnd(s, 2, TaskState.FAILED, 137L);
    c.clock.advance(Duration.ofMinutes(1));
    c.reconcile();
    assertNull(c.runnableIn(s.id, 1));
    assertNull(c.runnableIn(s.id, 2));
    assertEquals(2, c.tasks(s.id).size());

    c.updateService(s.id, spec -> spec.mode.replicated.replicas = 3L);
    c.reconcile();
    assertEquals(1, c.runnable(s.id).size(), "scaling up adds only the new slot");
    assertNotNull(c.runnableIn(s.id, 3));
  }

  @Test
  void maxAttemptsWithoutWindowStopsForGood() {
    Service s = c.replicated("web", 1, restart("any", Duration.ZERO, 2, null));
    c.reconcile();
    runAndEnd(s, 1, TaskState.FAILED, 1L);
    runAndEnd(s, 1, TaskState.FAILED, 1L);
    runAndEnd(s, 1, TaskState.FAILED, 1L);
    assertNull(c.runnableIn(s.id, 1), "two restarts, then no more");
    assertEquals(3, c.tasks(s.id).size());
    c.clock.advance(Duration.ofHours(1));
    c.reconcile();
    assertNull(c.runnableIn(s.id, 1));
  }

  @Test
  void maxAttemptsAreCountedWithinTheWindow() {
    Service s = c.replicated("web", 1, restart("any", Duration.ZERO, 2, Duration.ofSeconds(10)));
    c.reconcile();
    runAndEnd(s, 1, TaskState.FAILED, 1L); // restart 1 at t
    c.clock.advance(Duration.ofSeconds(11));
    runAndEnd(s, 1, TaskState.FAILED, 1L); // restart 1 fell out of the window: restart 2
    runAndEnd(s, 1, TaskState.FAILED, 1L); // one in the window: restart 3
    assertNotNull(c.runnableIn(s.id, 1));
    runAndEnd(s, 1, TaskState.FAILED, 1L); // two in the window: no more
    assertNull(c.runnableIn(s.id, 1));
    assertEquals(4, c.tasks(s.id).size());
  }

  @Test
  void delayIsHonouredForEachRestart() {
    Service s = c.replicated("web", 1, restart("any", Duration.ofSeconds(2), 0, null));
    c.reconcile();
    for (int i = 0; i < 3; i++) {
      runAndEnd(s, 1, TaskState.FAILED, 1L);
      assertNull(c.runnableIn(s.id, 1));
      c.clock.advance(Duration.ofMillis(1999));
      c.reconcile();
      assertNull(c.runnableIn(s.id, 1), "round " + i);
      c.clock.advance(Duration.ofMillis(1));
      c.reconcile();
      assertNotNull(c.runnableIn(s.id, 1), "round " + i);
    }
  }

  @Test
  void scaleDownCancelsAPendingRestart() {
    Service s = c.replicated("web", 2);
    c.reconcile();
    runAndEnd(s, 2, TaskState.FAILED, 1L);
    assertEquals(1, c.orchestrators.restarts().pendingCount());
    c.updateService(s.id, spec -> spec.mode.replicated.replicas = 1L);
    c.reconcile();
    assertEquals(0, c.orchestrators.restarts().pendingCount());
    c.clock.advance(Duration.ofSeconds(10));
    c.reconcile();
    assertEquals(List.of(1L), c.runnable(s.id).stream().map(t -> t.slot).toList());
    assertEquals(1, c.tasks(s.id).size(), "the removed slot's stopped task was reaped");
  }

  @Test
  void globalRestartsCountPerNode() {
    c.node("n2");
    Service s = c.global("agent", restart("any", Duration.ZERO, 1, null));
    c.reconcile();
    c.settleWorkers(List.of("n1"));
    for (int round = 0; round < 2; round++) {
      for (Task t : c.runnable(s.id)) {
        if (t.nodeId.equals("n1")) {
          c.report(t.id, TaskState.FAILED, 1L);
        }
      }
      c.reconcile();
      c.settleWorkers(List.of("n1"));
    }
    List<Task> runnable = c.runnable(s.id);
    assertEquals(1, runnable.size(), "n1 used its one restart; n2 is untouched");
    assertEquals("n2", runnable.get(0).nodeId);
    assertEquals(2, c.tasks(s.id).stream().filter(t -> t.nodeId.equals("n1")).count());
  }
}
