package io.jswarm.consensus.store;

import java.util.concurrent.CompletableFuture;

/**
 * How the store gets a change batch agreed on. The store never talks to Raft directly: it hands an encoded
 * batch to a proposer, and the proposer makes sure the batch is applied, in log order, through
 * {@link StoreApplier#apply} on every manager — including this one.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>{@link #propose} completes only after the batch is committed <em>and</em> applied by the local
 *       applier, with the result of that apply; so a caller reads its own write right after.
 *   <li>Failures complete the future exceptionally with an {@link io.jswarm.api.errors.JswarmException}:
 *       {@code UnavailableException} (no quorum within the write timeout; the outcome is then unknown) or
 *       {@code NotLeaderException} when forwarding is impossible.
 *   <li>{@link #readBarrier} completes once the local applier has applied everything that was committed when
 *       the call was made (Raft read index), which makes a local read linearizable.
 * </ul>
 */
public interface Proposer {
  /**
   * The most rows one writer (an orchestrator pass, a scheduler or allocator batch, the dispatcher's status writes)
   * puts in one log entry. The apply thread applies one entry at a time and every linearizable read waits for it
   * to reach the commit index of the moment it was asked: entries of this size keep that wait short while large
   * services are created (issue 14: {@code jswarm bench replicas}, docs/scale.md). Batches of several writers proposed
   * together may share an entry (group commit, bounded in bytes: {@code consensus/.../raft/GroupCommit}).
   */
  int MAX_ROWS_PER_ENTRY = Integer.getInteger("jswarm.rowsPerEntry", 200);

  /**
   * The most batches of {@link #MAX_ROWS_PER_ENTRY} rows one writer keeps proposed and not yet committed
   * ({@code MemoryStore.updateEach}: the scheduler's and the status writer's batches, the orchestrator's creation of a
   * large service). A writer that waits for each commit before proposing its next batch is bound by the commit latency
   * (200 rows per 180-230 ms at load 20-30, issue 16); with {@code -Djswarm.batchesInFlight=4} the batches travel
   * together (group commit). Default 1, each waits for the one before: in the one clean side-by-side run, 4 gave
   * 983 against 795 tasks/s but made every linearizable read wait about 3x longer (its barrier entry queues behind
   * 1 MiB group entries), docs/scale.md, eighth round. Since the ninth round a ready leader's reads no longer wait
   * for the apply of those entries ({@code consensus/.../raft/LeaderReads}); the default stays 1 until a run at a sane
   * load shows 4 better.
   */
  int MAX_BATCHES_IN_FLIGHT = Math.max(1, Integer.getInteger("jswarm.batchesInFlight", 1));

  CompletableFuture<ApplyResult> propose(byte[] batch);

  CompletableFuture<Void> readBarrier();
}
