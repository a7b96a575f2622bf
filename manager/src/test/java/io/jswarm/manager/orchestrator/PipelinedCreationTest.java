package io.jswarm.manager.orchestrator;

import io.jswarm.consensus.store.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.consensus.store.ApplyResult;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.LocalProposer;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Proposer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A large service's tasks are created several passes at a time: the passes that only add new tasks
 * ({@code CreateSlots}) are proposed before the ones before them are committed, so that on a Raft group they travel
 * together (group commit) instead of waiting for one commit each (issue 16: 200 tasks per 230 ms commit bounded the
 * whole cluster's throughput). A pass that fails leaves the gap to a plan from the store: every slot once.
 */
class PipelinedCreationTest {
  /** Holds proposals until the test commits them, in order, as a Raft log would. */
  private static final class HeldProposer implements Proposer {
    final LocalProposer local = new LocalProposer();
    private final Deque<byte[]> held = new ArrayDeque<>();
    private final Deque<CompletableFuture<ApplyResult>> waiting = new ArrayDeque<>();
    int maxHeld;
    int proposals;
    /** The proposal (1-based) to reject as a conflict when committed; 0 for none. */
    int rejectProposal;

    @Override
    public synchronized CompletableFuture<ApplyResult> propose(byte[] batch) {
      proposals++;
      CompletableFuture<ApplyResult> f = new CompletableFuture<>();
      if (proposals == rejectProposal) {
        f.complete(new ApplyResult(0, ApplyResult.Outcome.CONFLICT, "rejected by the test"));
        return f;
      }
      held.add(batch);
      waiting.add(f);
      maxHeld = Math.max(maxHeld, held.size());
      notifyAll();
      return f;
    }

    /**
     * Commits what is held, oldest first, until {@code done} completes: the oldest once no proposal came for 50 ms
     * (a writer that waits for its commit proposes nothing more meanwhile).
     */
    void commitUntil(CompletableFuture<?> done) throws InterruptedException {
      while (!done.isDone()) {
        byte[] b;
        CompletableFuture<ApplyResult> f;
        synchronized (this) {
          int before = proposals;
          wait(50);
          if (held.isEmpty() || proposals != before) {
            continue;
          }
          b = held.poll();
          f = waiting.poll();
        }
        f.complete(local.propose(b).join());
      }
    }

    @Override
    public CompletableFuture<Void> readBarrier() {
      return local.readBarrier();
    }
  }

  private final TestClock clock = new TestClock(Cluster.T0);
  private final HeldProposer proposer = new HeldProposer();
  private final MemoryStore store = new MemoryStore(proposer, clock, IdGenerator.fromRandom(new Random(11)));
  private final Orchestrators orchestrators = new Orchestrators(store, clock);

  {
    proposer.local.bind(store);
    orchestrators.replicated().passesInFlight = 4; // whatever -Djswarm.batchesInFlight says
  }

  @AfterEach
  void close() {
    orchestrators.stop();
    store.close();
  }

  private Service service(long replicas) throws Exception {
    Service s = new Service();
    s.spec = new Service.ServiceSpec();
    s.spec.name = "web";
    s.spec.mode = io.jswarm.api.types.ServiceMode.replicated(replicas);
    s.spec.taskTemplate = Cluster.template("busybox:1");
    CompletableFuture<Service> created = CompletableFuture.supplyAsync(() -> store.update(tx -> tx.services().create(s)));
    proposer.commitUntil(created);
    return created.get(10, TimeUnit.SECONDS);
  }

  private void assertEverySlotOnce(long replicas) {
    List<Task> tasks = store.viewStale(tx -> tx.tasks().all());
    Set<Long> slots = new TreeSet<>();
    for (Task t : tasks) {
      assertTrue(slots.add(t.slot), "slot " + t.slot + " has two tasks");
    }
    assertEquals(replicas, tasks.size());
    assertEquals(replicas, slots.size());
  }

  @Test
  void theCreationPassesOfALargeServiceAreProposedBeforeTheFirstIsCommitted() throws Exception {
    Service s = service(1_000);
    int before = proposer.proposals;
    CompletableFuture<Boolean> done = CompletableFuture.supplyAsync(() -> orchestrators.replicated().reconcile(s.id));
    proposer.commitUntil(done);
    assertTrue(done.get(10, TimeUnit.SECONDS));
    assertEverySlotOnce(1_000);
    assertEquals(4, proposer.maxHeld,
        "passes of 200 new tasks waited for each other's commit");
    assertTrue(proposer.proposals - before >= 5, "1,000 tasks in passes of 200");
  }

  @Test
  void aPipelinedPassThatFailsLeavesItsSlotsToAPlanFromTheStore() throws Exception {
    Service s = service(1_000);
    proposer.rejectProposal = proposer.proposals + 3; // the third pass: proposed while the first two are in flight
    CompletableFuture<Boolean> done = CompletableFuture.supplyAsync(() -> orchestrators.replicated().reconcile(s.id));
    proposer.commitUntil(done);
    assertTrue(done.get(10, TimeUnit.SECONDS));
    assertEverySlotOnce(1_000);
  }
}
