package io.jswarm.consensus.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A proposer that holds batches until the test commits them, so two transactions can both read the same
 * version before either is applied — the race a real Raft log allows. {@link #commitNext} applies the oldest
 * held batch at the next index and completes its future, as replication would.
 */
final class ManualProposer implements Proposer {
  private record Held(byte[] batch, CompletableFuture<ApplyResult> future) {}

  private final Deque<Held> held = new ArrayDeque<>();
  private StoreApplier applier;

  void bind(StoreApplier applier) {
    this.applier = applier;
  }

  @Override
  public synchronized CompletableFuture<ApplyResult> propose(byte[] batch) {
    CompletableFuture<ApplyResult> f = new CompletableFuture<>();
    held.add(new Held(batch, f));
    return f;
  }

  @Override
  public CompletableFuture<Void> readBarrier() {
    return CompletableFuture.completedFuture(null);
  }

  synchronized int pending() {
    return held.size();
  }

  /** The held batches, oldest first, without committing them. */
  synchronized List<byte[]> heldBatches() {
    List<byte[]> out = new ArrayList<>();
    held.forEach(h -> out.add(h.batch()));
    return out;
  }

  /** Applies the oldest held batch at the next index. */
  synchronized ApplyResult commitNext() {
    Held h = held.remove();
    ApplyResult r = applier.apply(applier.appliedIndex() + 1, h.batch());
    h.future().complete(r);
    return r;
  }

  /** Drops the oldest held batch without applying it (a proposal lost with a deposed leader). */
  synchronized byte[] takeNext() {
    return held.remove().batch();
  }
}
