package io.jswarm.manager.orchestrator;

import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.Tx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One reconciliation transaction: its writes (capped, so that one Raft entry stays small; the caller runs
 * another pass while {@link #full()}) and the in-memory effects to apply only once the writes are committed.
 */
final class Pass {
  final Tx tx;
  final Instant now;
  private final int maxWrites;
  private int writes;
  private final List<Runnable> afterCommit = new ArrayList<>();
  /**
   * What the next pass over the same service may do instead of planning it again, when this pass ran out of
   * budget in the middle of a long job (creating 100,000 tasks): see {@link Continuation}. Null: plan again.
   */
  Continuation next;

  /**
   * The rest of a long job, carried from one pass (one transaction) to the next of the same service, so that each
   * pass costs its own writes and not a new scan of every task the service has. It holds only what the pass that
   * made it saw ({@link #serviceVersion}): if the service changed since, the next pass plans from the store.
   */
  interface Continuation {
    /** The service's {@code Version.Index} this continuation was planned against. */
    long serviceVersion();

    /** Does the next part of the job within {@code p}'s budget; sets {@link #next} if more is left. */
    void run(Pass p, Service service);

    /**
     * True when the pass that runs this continuation may be proposed before the pass that made it is committed:
     * it only adds new rows that no pass reads in between (the creation of a large service's tasks), so it needs
     * nothing the previous pass wrote. Up to {@code Proposer.MAX_BATCHES_IN_FLIGHT} such passes are proposed
     * together and travel as one Raft entry (group commit), instead of one commit after another. If any of them
     * fails, the orchestrator plans again from the store.
     */
    default boolean pipelined() {
      return false;
    }
  }

  /** The endpoint new tasks get, made once per service spec and endpoint seen by this pass. */
  private Object endpointOfSpec;
  private Object endpointOfEndpoint;
  private io.jswarm.api.types.Endpoint endpoint;
  private final OrchestratorMetrics metrics;
  private int created;
  private int deleted;

  Pass(Tx tx, Instant now, int maxWrites, OrchestratorMetrics metrics) {
    this.tx = tx;
    this.now = now;
    this.maxWrites = maxWrites;
    this.metrics = metrics;
  }

  /** The write budget is used up: stop deciding, commit, and run another pass. */
  boolean full() {
    return writes >= maxWrites;
  }

  int writes() {
    return writes;
  }

  /**
   * {@link TaskFactory#endpointOf} of {@code s}, made once for all the tasks this pass creates for it (comparing the
   * endpoint with its spec costs two JSON trees): the store copies each task it is given.
   */
  io.jswarm.api.types.Endpoint endpointOf(Service s) {
    if (s.spec != endpointOfSpec || s.endpoint != endpointOfEndpoint) {
      endpoint = TaskFactory.endpointOf(s);
      endpointOfSpec = s.spec;
      endpointOfEndpoint = s.endpoint;
    }
    return endpoint;
  }

  Task create(Task t) {
    writes++;
    created++;
    return tx.tasks().insert(t); // made for this call (TaskFactory): the store keeps it, no copy
  }

  /** Moves a task's desired state forward (never back) and stores it; {@code t} is updated in place. */
  void desire(Task t, TaskState state) {
    if (TaskFacts.desired(t).number() >= state.number()) {
      return;
    }
    t.desiredState = state;
    Task stored = tx.tasks().update(t);
    t.updatedAt = stored.updatedAt;
    writes++;
  }

  /** Stores a changed service (its update status, or its spec on an automatic rollback). */
  Service saveService(Service s) {
    writes++;
    return tx.services().update(s);
  }

  void delete(String taskId) {
    tx.tasks().delete(taskId);
    writes++;
    deleted++;
  }

  /** Runs {@code r} once the pass is committed; dropped if the pass fails. */
  void afterCommit(Runnable r) {
    afterCommit.add(r);
  }

  void committed() {
    metrics.created.inc(created);
    metrics.removed.inc(deleted);
    afterCommit.forEach(Runnable::run);
  }
}
