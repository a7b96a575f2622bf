package io.jswarm.manager.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.json.Json;
import io.jswarm.api.types.Healthcheck;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.Timestamps;
import io.jswarm.api.types.UpdateConfig;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rolling update with Docker's semantics, driven as the workers would drive it (task reports on a manual
 * clock): delay, stop-first vs start-first, failure action pause / rollback, MaxFailureRatio, health gating,
 * canary + promote + rollback, and a new leader resuming an update.
 */
class UpdateRolloutTest {
  private static final Duration MONITOR = Duration.ofSeconds(5);
  private Cluster c = new Cluster();

  @BeforeEach
  void nodes() {
    c.node("n1");
  }

  @AfterEach
  void close() {
    c.close();
  }

  // ---- helpers ----

  private Service running(long replicas, Consumer<UpdateConfig> config) {
    Service s = c.replicated("web", replicas);
    UpdateConfig u = new UpdateConfig();
    config.accept(u);
    s = c.updateService(s.id, spec -> spec.updateConfig = u);
    c.reconcile();
    c.settleWorkers(List.of("n1"));
    c.reconcile();
    return s;
  }

  /** An update as the control API stores it: the old spec becomes PreviousSpec, UpdateStatus is reset. */
  private void update(String id, Consumer<Service.ServiceSpec> change, Long canary) {
    c.clock.advance(Cluster.TICK);
    c.store.update(tx -> {
      Service s = tx.services().get(id);
      s.previousSpec = Json.copy(s.spec);
      change.accept(s.spec);
      s.updateStatus = null;
      if (canary != null) {
        s.updateStatus = new Service.UpdateStatus();
        s.updateStatus.state = Updater.UPDATING;
        s.updateStatus.startedAt = Timestamps.format(c.clock.instant());
        s.updateStatus.canary = canary;
      }
      return tx.services().update(s);
    });
  }

  private void image(String id, String image) {
    update(id, spec -> spec.taskTemplate.containerSpec.image = image, null);
  }

  /** {@code service rollback}: what the control API does for rollback=previous. */
  private void manualRollback(String id) {
    c.store.update(tx -> {
      Service s = tx.services().get(id);
      Service.ServiceSpec cur = s.spec;
      s.spec = s.previousSpec;
      s.previousSpec = cur;
      s.updateStatus = new Service.UpdateStatus();
      s.updateStatus.state = Updater.ROLLBACK_STARTED;
      s.updateStatus.startedAt = Timestamps.format(c.clock.instant());
      return tx.services().update(s);
    });
  }

  private void promote(String id) {
    c.store.update(tx -> {
      Service s = tx.services().get(id);
      s.updateStatus.state = Updater.UPDATING;
      s.updateStatus.canary = null;
      return tx.services().update(s);
    });
  }

  private Service service(String id) {
    return c.store.viewStale(tx -> tx.services().get(id));
  }

  private String state(String id) {
    Service s = service(id);
    return s.updateStatus == null ? null : s.updateStatus.state;
  }

  private List<Task> withImage(String id, String image) {
    return c.runnable(id).stream().filter(t -> t.spec.containerSpec.image.equals(image)).toList();
  }

  private List<Task> unstarted(String id) {
    return c.runnable(id).stream().filter(t -> TaskFacts.observed(t).number() < TaskState.RUNNING.number())
        .toList();
  }

  /** Places and starts every runnable task not yet running; tasks told to stop report SHUTDOWN. */
  private void workers() {
    c.settleWorkers(List.of("n1"));
  }

  private void reportHealth(String taskId, String health) {
    c.clock.advance(Cluster.TICK);
    c.store.update(tx -> {
      Task t = tx.tasks().get(taskId);
      t.status.containerStatus = new Task.ContainerStatus();
      t.status.containerStatus.health = health;
      t.status.timestamp = Timestamps.format(c.clock.instant());
      return tx.tasks().update(t);
    });
  }

  // ---- tests ----

  @Test
  void updateStatusGoesUpdatingThenCompletedOneMonitorAfterTheLastTaskRuns() {
    Service s = running(2, u -> {});
    image(s.id, "busybox:2");
    c.reconcile();
    assertEquals(Updater.UPDATING, state(s.id));
    assertNotNull(service(s.id).updateStatus.startedAt);
    for (int i = 0; i < 2; i++) {
      workers();
      c.reconcile();
    }
    assertEquals(2, withImage(s.id, "busybox:2").size());
    assertEquals(Updater.UPDATING, state(s.id), "still monitoring");
    c.clock.advance(MONITOR);
    c.reconcile();
    assertEquals(Updater.COMPLETED, state(s.id));
    assertEquals("update completed", service(s.id).updateStatus.message);
    assertNotNull(service(s.id).updateStatus.completedAt);
  }

  @Test
  void delayWaitsBetweenTasks() {
    Service s = running(2, u -> u.delay = Duration.ofSeconds(10).toNanos());
    image(s.id, "busybox:2");
    c.reconcile();
    workers();
    c.reconcile();
    assertEquals(1, withImage(s.id, "busybox:2").size(), "the second slot waits for the delay");
    c.clock.advance(Duration.ofSeconds(9));
    c.reconcile();
    assertEquals(1, withImage(s.id, "busybox:2").size());
    assertNotNull(c.orchestrators.replicated().nextTimer(), "a timer wakes the loop at the end of the delay");
    c.clock.advance(Duration.ofSeconds(1));
    c.reconcile();
    assertEquals(2, withImage(s.id, "busybox:2").size());
  }

  @Test
  void stopFirstStopsTheOldTaskBeforeTheNewOneRuns() {
    Service s = running(1, u -> {});
    Task old = c.runnableIn(s.id, 1);
    image(s.id, "busybox:2");
    c.reconcile();
    assertEquals(TaskState.SHUTDOWN, c.task(old.id).desiredState);
    assertEquals(1, c.runnable(s.id).size());
  }

  @Test
  void startFirstKeepsTheOldTaskUntilTheNewOneRuns() {
    Service s = running(2, u -> u.order = "start-first");
    Task old1 = c.runnableIn(s.id, 1);
    image(s.id, "busybox:2");
    c.reconcile();
    c.reconcile();
    assertEquals(TaskState.RUNNING, c.task(old1.id).desiredState, "old task still runs");
    assertEquals(3, c.runnable(s.id).size(), "new task beside the old one in slot 1");
    Task fresh = unstarted(s.id).get(0);
    assertEquals(1L, fresh.slot);
    c.report(fresh.id, TaskState.RUNNING);
    c.reconcile();
    assertEquals(TaskState.SHUTDOWN, c.task(old1.id).desiredState, "old task goes once the new one runs");
    assertEquals(1, withImage(s.id, "busybox:2").size() - unstarted(s.id).size());
    assertEquals(1, unstarted(s.id).size(), "slot 2 started next");
    assertEquals(2L, unstarted(s.id).get(0).slot);
  }

  @Test
  void aFailureWithinMonitorPausesTheUpdateAndSaysWhy() {
    Service s = running(3, u -> {});
    image(s.id, "busybox:2");
    c.reconcile();
    Task fresh = unstarted(s.id).get(0);
    c.assign(fresh.id, "n1");
    c.report(fresh.id, TaskState.RUNNING);
    c.reconcile();
    c.clock.advance(Duration.ofSeconds(1));
    c.report(fresh.id, TaskState.FAILED, 1L);
    c.reconcile();
    Service now = service(s.id);
    assertEquals(Updater.PAUSED, now.updateStatus.state);
    assertEquals("update paused due to failure or early termination of task " + fresh.id, now.updateStatus.message);
    for (int i = 0; i < 3; i++) {
      workers();
      c.reconcile();
    }
    // Slot 2 went when slot 1's task ran (before it failed); slot 3 stays old while the update is paused.
    assertEquals(1, withImage(s.id, "busybox:1").size(), "a paused update replaces nothing more");
    assertEquals(3L, withImage(s.id, "busybox:1").get(0).slot);
    assertEquals(Updater.PAUSED, state(s.id));
  }

  @Test
  void aFailureAfterMonitorIsNotCounted() {
    Service s = running(2, u -> u.monitor = Duration.ofSeconds(2).toNanos());
    image(s.id, "busybox:2");
    c.reconcile();
    workers();
    c.reconcile();
    Task first = withImage(s.id, "busybox:2").stream().filter(t -> t.status.state == TaskState.RUNNING)
        .findFirst().orElseThrow();
    c.clock.advance(Duration.ofSeconds(3));
    c.report(first.id, TaskState.FAILED, 1L);
    c.reconcile();
    assertEquals(Updater.UPDATING, state(s.id));
  }

  @Test
  void failureActionRollbackRestoresThePreviousSpecWithRollbackConfig() {
    Service s = running(2, u -> u.failureAction = "rollback");
    image(s.id, "busybox:bad");
    c.reconcile();
    Task bad = unstarted(s.id).get(0);
    c.assign(bad.id, "n1");
    c.report(bad.id, TaskState.REJECTED);
    c.reconcile();
    Service now = service(s.id);
    assertEquals(Updater.ROLLBACK_STARTED, now.updateStatus.state);
    assertEquals("update rolled back due to failure or early termination of task " + bad.id,
        now.updateStatus.message);
    assertEquals("busybox:1", now.spec.taskTemplate.containerSpec.image);
    assertNull(now.previousSpec);
    for (int i = 0; i < 3; i++) {
      c.clock.advance(Duration.ofSeconds(5)); // slot 1 restarts after the restart policy's delay
      c.reconcile();
      workers();
    }
    c.reconcile();
    assertEquals(2, withImage(s.id, "busybox:1").size());
    c.clock.advance(MONITOR);
    c.reconcile();
    assertEquals(Updater.ROLLBACK_COMPLETED, state(s.id));
    assertEquals("rollback completed (update rolled back due to failure or early termination of task " + bad.id + ")",
        service(s.id).updateStatus.message);
  }

  @Test
  void maxFailureRatioToleratesThatShareOfFailures() {
    Service s = running(4, u -> {
      u.maxFailureRatio = 0.25;
      u.parallelism = 0L;
    });
    image(s.id, "busybox:2");
    c.reconcile();
    List<Task> fresh = unstarted(s.id);
    assertEquals(4, fresh.size());
    c.assign(fresh.get(0).id, "n1");
    c.report(fresh.get(0).id, TaskState.FAILED, 1L);
    c.reconcile();
    assertEquals(Updater.UPDATING, state(s.id), "1 of 4 = 0.25 is tolerated");
    c.assign(fresh.get(1).id, "n1");
    c.report(fresh.get(1).id, TaskState.FAILED, 1L);
    c.reconcile();
    assertEquals(Updater.PAUSED, state(s.id), "2 of 4 exceed 0.25");
  }

  @Test
  void withAHealthCheckATaskCountsOnlyOnceHealthyAndUnhealthyIsAFailure() {
    Service s = running(2, u -> {});
    update(s.id, spec -> {
      spec.taskTemplate.containerSpec.image = "busybox:2";
      spec.taskTemplate.containerSpec.healthcheck = new Healthcheck();
      spec.taskTemplate.containerSpec.healthcheck.test = List.of("CMD", "true");
    }, null);
    c.reconcile();
    Task fresh = unstarted(s.id).get(0);
    c.assign(fresh.id, "n1");
    c.report(fresh.id, TaskState.RUNNING);
    c.reconcile();
    assertEquals(1, withImage(s.id, "busybox:2").size(), "running without a health report: not ready, nothing more");
    reportHealth(fresh.id, "starting");
    c.reconcile();
    assertEquals(1, withImage(s.id, "busybox:2").size(), "starting: the update waits");
    reportHealth(fresh.id, "healthy");
    c.reconcile();
    assertEquals(2, withImage(s.id, "busybox:2").size(), "healthy: the next slot goes");
    Task second = unstarted(s.id).get(0);
    c.assign(second.id, "n1");
    c.report(second.id, TaskState.RUNNING);
    reportHealth(second.id, "unhealthy");
    c.reconcile();
    assertEquals(Updater.UPDATING, state(s.id), "unhealthy but still running is not ready, not yet failed");
    c.report(second.id, TaskState.FAILED, 137L); // the worker ends an unhealthy container
    c.reconcile();
    assertEquals(Updater.PAUSED, state(s.id));
  }

  @Test
  void aCanaryPausesPromoteContinuesAndRollbackRemovesIt() {
    Service s = running(3, u -> {});
    update(s.id, spec -> spec.taskTemplate.containerSpec.image = "busybox:2", 1L);
    c.reconcile();
    assertEquals(4, c.runnable(s.id).size(), "the canary starts beside the old tasks");
    workers();
    c.reconcile();
    c.reconcile();
    Service now = service(s.id);
    assertEquals(Updater.PAUSED, now.updateStatus.state);
    assertEquals("canary: 1 of 3 tasks run the new spec; `jswarm service promote web` to continue or "
        + "`jswarm service rollback web`", now.updateStatus.message);
    assertEquals(1, withImage(s.id, "busybox:2").size());
    assertEquals(3, c.runnable(s.id).size());

    // rollback removes the canary
    manualRollback(s.id);
    for (int i = 0; i < 3; i++) {
      c.reconcile();
      workers();
    }
    c.reconcile();
    assertEquals(3, withImage(s.id, "busybox:1").size());
    assertEquals(0, withImage(s.id, "busybox:2").size());
    c.clock.advance(MONITOR);
    c.reconcile();
    assertEquals(Updater.ROLLBACK_COMPLETED, state(s.id));

    // a new canary, promoted this time
    update(s.id, spec -> spec.taskTemplate.containerSpec.image = "busybox:3", 1L);
    c.reconcile();
    workers();
    c.reconcile();
    assertEquals(Updater.PAUSED, state(s.id));
    promote(s.id);
    for (int i = 0; i < 4; i++) {
      c.reconcile();
      workers();
    }
    c.reconcile();
    assertEquals(3, withImage(s.id, "busybox:3").size());
    c.clock.advance(MONITOR);
    c.reconcile();
    assertEquals(Updater.COMPLETED, state(s.id));
  }

  @Test
  void aNewLeaderResumesTheUpdateFromTheStore() {
    Service s = running(3, u -> {});
    image(s.id, "busybox:2");
    c.reconcile();
    workers();
    c.reconcile();
    assertEquals(2, withImage(s.id, "busybox:2").size());
    // Leadership moves: a fresh set of orchestrators on the same store, nothing in memory.
    c.orchestrators.stop();
    Orchestrators next = new Orchestrators(c.store, c.clock);
    next.reconcileAll();
    assertEquals(2, withImage(s.id, "busybox:2").size(), "the slot in flight is not replaced twice");
    assertEquals(Updater.UPDATING, state(s.id));
    workers();
    next.reconcileAll();
    assertEquals(3, withImage(s.id, "busybox:2").size());
    workers();
    next.reconcileAll();
    c.clock.advance(MONITOR);
    next.reconcileAll();
    assertEquals(Updater.COMPLETED, state(s.id));
    next.stop();
  }
}
