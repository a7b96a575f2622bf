package io.jswarm.manager.orchestrator;

import io.jswarm.consensus.store.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.ApplyResult;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.LocalProposer;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Proposer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Another writer (the dispatcher, the scheduler) changes a task between the orchestrator's read and the apply
 * of its batch: the batch fails its compare-and-set and the orchestrator reconciles again from fresh state.
 */
class ConcurrentWritersTest {
  /** Runs queued interfering writes just before the next proposals, as if they had won the race. */
  private static final class RacingProposer implements Proposer {
    final LocalProposer local = new LocalProposer();
    final Deque<Runnable> before = new ArrayDeque<>();
    int proposals;
    private boolean interfering;

    @Override
    public synchronized CompletableFuture<ApplyResult> propose(byte[] batch) {
      proposals++;
      Runnable r = interfering ? null : before.poll();
      if (r != null) {
        interfering = true;
        try {
          r.run(); // re-enters propose (synchronized is reentrant) and is applied first
        } finally {
          interfering = false;
        }
      }
      return local.propose(batch);
    }

    @Override
    public CompletableFuture<Void> readBarrier() {
      return local.readBarrier();
    }
  }

  private final TestClock clock = new TestClock(Cluster.T0);
  private final RacingProposer proposer = new RacingProposer();
  private final MemoryStore store = new MemoryStore(proposer, clock, IdGenerator.fromRandom(new Random(7)));
  private final Orchestrators orchestrators = new Orchestrators(store, clock);

  {
    proposer.local.bind(store);
  }

  @AfterEach
  void close() {
    orchestrators.stop();
    store.close();
  }

  private Service service(long replicas) {
    Service s = new Service();
    s.spec = new Service.ServiceSpec();
    s.spec.name = "web";
    s.spec.mode = io.jswarm.api.types.ServiceMode.replicated(replicas);
    s.spec.taskTemplate = Cluster.template("busybox:1");
    return store.update(tx -> tx.services().create(s));
  }

  private List<Task> tasks() {
    return store.viewStale(tx -> tx.tasks().all());
  }

  private void status(String taskId, TaskState state) {
    store.update(tx -> {
      Task t = tx.tasks().get(taskId);
      t.status.state = state;
      return tx.tasks().update(t);
    });
  }

  @Test
  void aLostRaceIsRetriedFromFreshState() {
    Service s = service(2);
    orchestrators.replicated().reconcile(s.id);
    Task t = tasks().get(0);
    status(t.id, TaskState.RUNNING);

    // Scale down to zero; the worker reports FAILED for one task just before the batch lands.
    store.update(tx -> {
      Service cur = tx.services().get(s.id);
      cur.spec.mode.replicated.replicas = 0L;
      return tx.services().update(cur);
    });
    proposer.before.add(() -> status(t.id, TaskState.FAILED));
    int before = proposer.proposals;
    assertTrue(orchestrators.replicated().reconcile(s.id));
    assertTrue(proposer.proposals - before >= 3, "interfering write, failed batch, retried batch");
    for (Task x : tasks()) {
      assertEquals(TaskState.REMOVE, x.desiredState);
    }
    assertEquals(TaskState.FAILED, tasks().stream().filter(x -> x.id.equals(t.id)).findFirst().orElseThrow()
        .status.state, "the worker's report was kept");
  }

  @Test
  void aRaceLostEveryTimeLeavesTheServiceForTheNextPass() {
    Service s = service(1);
    orchestrators.replicated().reconcile(s.id);
    Task t = tasks().get(0);
    status(t.id, TaskState.RUNNING);
    status(t.id, TaskState.FAILED);
    for (int i = 0; i <= EventLoop.MAX_CONFLICT_RETRIES; i++) {
      proposer.before.add(() -> {
        Task cur = store.viewStale(tx -> tx.tasks().get(t.id));
        store.update(tx -> {
          Task x = tx.tasks().get(t.id);
          x.status.message = "again " + cur.versionIndex();
          return tx.tasks().update(x);
        });
      });
    }
    assertFalse(orchestrators.replicated().reconcile(s.id));
    assertEquals(TaskState.RUNNING, tasks().get(0).desiredState, "nothing half-done");
    assertEquals(0, orchestrators.restarts().pendingCount(), "no effect of a failed batch is kept");
    assertTrue(orchestrators.replicated().reconcile(s.id));
    assertEquals(TaskState.SHUTDOWN, tasks().get(0).desiredState, "the restart went through on the next pass");
    assertEquals(1, orchestrators.restarts().pendingCount());
  }
}
