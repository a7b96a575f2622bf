package io.jswarm.manager.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.Timestamps;
import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.Tables;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A large replicated service with the loops running as the daemon runs them (correctness, not speed: the speed is
 * {@code jswarm bench replicas}): it converges to one running task per slot, replaces failed tasks and scales down
 * exactly. Also the two rules that keep a pass over such a service cheap: a pass reads the stored rows in place
 * and must never change them, and a task reported running plans its service only while an update waits for it.
 */
class LargeServiceTest {
  private static final int REPLICAS = Integer.getInteger("jswarm.test.replicas", 5_000);
  private static final Duration TIMEOUT = Duration.ofMinutes(5);
  private final Cluster c = new Cluster();

  @AfterEach
  void close() {
    c.close();
  }

  @Test
  void aLargeServiceConvergesToOneRunningTaskPerSlot() throws Exception {
    c.node("n1");
    c.node("n2");
    c.orchestrators.start();
    // restarted at once: the loops' clock is manual
    Service s = c.replicated("large", REPLICAS, Cluster.restart("any", Duration.ZERO, 0, Duration.ZERO));
    awaitRunning(s.id, REPLICAS);
    assertOnePerSlot(s.id, REPLICAS);

    // 100 tasks fail: each slot gets exactly one replacement
    List<String> failed = new ArrayList<>();
    for (Task t : c.runnable(s.id)) {
      if (t.slot % (REPLICAS / 100) == 0) {
        failed.add(t.id);
      }
    }
    reportAll(failed, TaskState.FAILED);
    awaitRunning(s.id, REPLICAS);
    assertOnePerSlot(s.id, REPLICAS);

    c.updateService(s.id, spec -> spec.mode.replicated.replicas = (long) REPLICAS / 2);
    await("the scale-down to " + REPLICAS / 2, () -> c.runnable(s.id).size() == REPLICAS / 2);
    assertOnePerSlot(s.id, REPLICAS / 2);
  }

  @Test
  void aPassReadsTheStoredRowsInPlaceWithoutChangingThem() {
    c.node("n1");
    Service s = c.replicated("twice", 1);
    c.reconcile();
    c.store.update(tx -> { // a second runnable task in slot 1: the pass shuts one of them down
      Task dup = TaskFactory.newTask(tx.services().get(s.id), 1L, null, c.clock.instant());
      return tx.tasks().create(dup);
    });
    ReplicatedOrchestrator o = c.orchestrators.replicated();
    try {
      c.store.update(tx -> {
        Pass p = new Pass(tx, c.clock.instant(), EventLoop.MAX_WRITES_PER_PASS, c.orchestrators.restarts().metrics());
        o.plan(p, tx.services().get(s.id));
        assertTrue(p.writes() > 0, "the pass shut a duplicate down");
        throw new IllegalStateException("the transaction fails before it is proposed");
      });
      fail("the transaction was meant to fail");
    } catch (IllegalStateException expected) {
      // nothing proposed
    }
    List<TaskState> stored = c.store.viewStale(tx -> {
      List<TaskState> out = new ArrayList<>();
      tx.tasks().scan(Tables.BY_SERVICE, s.id, t -> out.add(t.desiredState)); // the rows themselves
      return out;
    });
    assertEquals(List.of(TaskState.RUNNING, TaskState.RUNNING), stored, "stored rows untouched by a failed pass");
    c.reconcile();
    assertEquals(1, c.runnable(s.id).size(), "a pass that commits shuts the duplicate down");
  }

  @Test
  void aTaskReportedRunningPlansItsServiceOnlyWhileAnUpdateWaitsForIt() {
    c.node("n1");
    Service s = c.replicated("web", 2);
    c.reconcile();
    c.settleWorkers(List.of("n1"));
    ReplicatedOrchestrator o = c.orchestrators.replicated();
    Task t = c.runnable(s.id).get(0);
    Task before = c.task(t.id);
    before.status.state = TaskState.STARTING;
    Task after = c.task(t.id);
    Event running = new Event(Event.Kind.UPDATE, 100, Tables.TASKS, after, before);

    o.dirty.clear();
    o.noteEvent(serviceEvent(s.id));
    o.dirty.clear();
    o.noteEvent(running);
    assertFalse(o.dirty.contains(s.id), "no update waits: RUNNING needs no pass");

    c.updateService(s.id, spec -> spec.taskTemplate.containerSpec.image = "busybox:2");
    c.reconcile(); // the update starts
    o.noteEvent(serviceEvent(s.id));
    o.dirty.clear();
    o.noteEvent(running);
    assertTrue(o.dirty.contains(s.id), "the rolling update waits for its new tasks to run");

    Task stopped = c.task(t.id);
    stopped.status.state = TaskState.FAILED;
    o.dirty.clear();
    o.noteEvent(new Event(Event.Kind.UPDATE, 101, Tables.TASKS, stopped, after));
    assertTrue(o.dirty.contains(s.id), "a stopped task always needs a pass");
  }

  private Event serviceEvent(String id) {
    Service now = c.store.viewStale(tx -> tx.services().get(id));
    return new Event(Event.Kind.UPDATE, now.versionIndex(), Tables.SERVICES, now, now);
  }

  /** Scheduler and workers in bulk: places every runnable unplaced task and reports it running, 500 per write. */
  private void settleInBulk() {
    List<String> ids = c.store.viewStale(tx -> {
      List<String> out = new ArrayList<>();
      tx.tasks().scanAll(t -> {
        if (TaskFacts.runnable(t) && TaskFacts.observed(t).number() < TaskState.RUNNING.number()) {
          out.add(t.id);
        }
      });
      return out;
    });
    reportAll(ids, TaskState.RUNNING);
  }

  private void reportAll(List<String> ids, TaskState state) {
    for (int from = 0; from < ids.size(); from += 500) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
      c.clock.advance(Cluster.TICK);
      c.store.update(tx -> {
        for (String id : chunk) {
          Task t = tx.tasks().get(id);
          if (t == null || !TaskFacts.runnable(t) || TaskFacts.observed(t).isTerminal()) {
            continue;
          }
          if (t.nodeId == null) {
            t.nodeId = t.slot % 2 == 0 ? "n1" : "n2";
          }
          t.status.state = state;
          t.status.timestamp = Timestamps.format(c.clock.instant());
          tx.tasks().update(t);
        }
        return null;
      });
    }
  }

  private void awaitRunning(String serviceId, int replicas) throws InterruptedException {
    await(replicas + " running tasks", () -> {
      settleInBulk();
      long running = c.store.viewStale(tx -> {
        long[] n = {0};
        tx.tasks().scan(Tables.BY_SERVICE, serviceId, t -> {
          if (TaskFacts.runnable(t) && TaskFacts.observed(t) == TaskState.RUNNING) {
            n[0]++;
          }
        });
        return n[0];
      });
      return running == replicas;
    });
  }

  private void assertOnePerSlot(String serviceId, int replicas) {
    TreeMap<Long, List<Task>> bySlot = c.runnableBySlot(serviceId);
    assertEquals(replicas, bySlot.size(), "slots with a runnable task");
    assertEquals(1L, bySlot.firstKey());
    assertEquals((long) replicas, bySlot.lastKey());
    for (Map.Entry<Long, List<Task>> e : bySlot.entrySet()) {
      assertEquals(1, e.getValue().size(), "runnable tasks in slot " + e.getKey());
    }
  }

  private void await(String what, BooleanSupplier condition) throws InterruptedException {
    c.await(TIMEOUT, what, condition);
  }
}
