package io.jswarm.manager.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Service;
import io.jswarm.api.types.ServiceMode;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.Version;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Replicated and global jobs: tasks run to completion, MaxConcurrent at a time, never restarted once complete. */
class JobOrchestratorTest {
  private static List<Task> live(Cluster c, String serviceId) {
    return c.tasks(serviceId).stream()
        .filter(t -> t.desiredState == TaskState.COMPLETE && !TaskFacts.stopped(t)).toList();
  }

  private static long completed(Cluster c, String serviceId) {
    return c.tasks(serviceId).stream().filter(t -> TaskFacts.observed(t) == TaskState.COMPLETE).count();
  }

  @Test
  void sixCompletionsTwoAtATime() {
    try (Cluster c = new Cluster()) {
      c.node("n1");
      Service s = c.job("j", ServiceMode.replicatedJob(2, 6), t -> {});
      int rounds = 0;
      while (completed(c, s.id) < 6) {
        c.reconcile();
        List<Task> live = live(c, s.id);
        assertTrue(live.size() <= 2, "more than MaxConcurrent tasks at once: " + live.size());
        assertEquals(Math.min(2, 6 - completed(c, s.id)), live.size());
        for (Task t : live) {
          assertEquals(0, t.jobIteration.index);
          c.report(t.id, TaskState.RUNNING);
          c.report(t.id, TaskState.COMPLETE, 0L);
        }
        assertTrue(++rounds <= 3, "6 completions 2 at a time take 3 rounds");
      }
      c.reconcile();
      c.reconcile();
      assertEquals(6, c.tasks(s.id).size(), "a completed task is not run again");
      assertEquals(Set.of(0L, 1L, 2L, 3L, 4L, 5L), c.tasks(s.id).stream().map(t -> t.slot).collect(Collectors.toSet()));
      assertTrue(live(c, s.id).isEmpty());
    }
  }

  @Test
  void aFailedTaskIsReplacedInItsSlotAndDoesNotCount() {
    try (Cluster c = new Cluster()) {
      c.node("n1");
      Service s = c.job("j", ServiceMode.replicatedJob(1, 2),
          Cluster.restart("on-failure", Duration.ZERO, 0, Duration.ZERO));
      c.reconcile();
      Task first = live(c, s.id).get(0);
      c.report(first.id, TaskState.RUNNING);
      c.report(first.id, TaskState.FAILED, 1L);
      c.reconcile();
      Task again = live(c, s.id).get(0);
      assertEquals(first.slot, again.slot);
      assertEquals(TaskState.SHUTDOWN, c.task(first.id).desiredState);
      c.report(again.id, TaskState.COMPLETE, 0L);
      c.reconcile();
      Task second = live(c, s.id).get(0);
      assertTrue(!second.slot.equals(first.slot));
      c.report(second.id, TaskState.COMPLETE, 0L);
      c.reconcile();
      assertEquals(2, completed(c, s.id));
      assertTrue(live(c, s.id).isEmpty());
    }
  }

  @Test
  void anUpdateStartsANewIteration() {
    try (Cluster c = new Cluster()) {
      c.node("n1");
      Service s = c.job("j", ServiceMode.replicatedJob(1, 1), t -> {});
      c.reconcile();
      Task t = live(c, s.id).get(0);
      c.report(t.id, TaskState.COMPLETE, 0L);
      c.reconcile();
      c.store.update(tx -> {
        Service u = tx.services().get(s.id);
        u.jobStatus.jobIteration = new Version(u.versionIndex());
        return tx.services().update(u);
      });
      c.reconcile();
      List<Task> live = live(c, s.id);
      assertEquals(1, live.size());
      assertTrue(live.get(0).jobIteration.index > 0);
    }
  }

  @Test
  void aGlobalJobRunsOncePerNode() {
    try (Cluster c = new Cluster()) {
      c.node("n1");
      c.node("n2");
      Service s = c.job("g", ServiceMode.globalJobMode(), t -> {});
      c.reconcile();
      List<Task> live = live(c, s.id);
      assertEquals(Set.of("n1", "n2"), live.stream().map(t -> t.nodeId).collect(Collectors.toSet()));
      for (Task t : live) {
        c.report(t.id, TaskState.COMPLETE, 0L);
      }
      c.reconcile();
      c.reconcile();
      assertEquals(2, c.tasks(s.id).size());
      c.node("n3");
      c.reconcile();
      assertEquals(List.of("n3"), live(c, s.id).stream().map(t -> t.nodeId).toList());
    }
  }
}
