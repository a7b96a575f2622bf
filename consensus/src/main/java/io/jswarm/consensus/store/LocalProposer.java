package io.jswarm.consensus.store;

import java.util.concurrent.CompletableFuture;

/**
 * A proposer with no replication: each batch gets the next index and is applied at once. For store unit
 * tests, benchmarks of the store alone, and anything that wants the store without a cluster.
 */
public final class LocalProposer implements Proposer {
  private StoreApplier applier;

  /** Binds the applier; must be called once, before the first proposal. */
  public synchronized void bind(StoreApplier applier) {
    this.applier = applier;
  }

  /**
   * Applies the batch at the entry after the applier's applied index, so indexes stay in step with
   * {@link StoreApplier#skip} and {@link StoreApplier#restoreSnapshot} as well as with earlier proposals.
   */
  @Override
  public synchronized CompletableFuture<ApplyResult> propose(byte[] batch) {
    if (applier == null) {
      throw new IllegalStateException("LocalProposer.bind was not called");
    }
    return CompletableFuture.completedFuture(applier.apply(applier.appliedIndex() + 1, batch));
  }

  @Override
  public CompletableFuture<Void> readBarrier() {
    return CompletableFuture.completedFuture(null);
  }
}
