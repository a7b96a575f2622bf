package io.jswarm.consensus.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * The deterministic side of the store that the replication layer drives. {@link #apply} is called once per
 * committed entry, in log order, with the entry's index; given the same sequence it leaves every manager with
 * identical tables. It does no I/O. Snapshot I/O is separate ({@link #writeSnapshot} / {@link #restoreSnapshot}).
 */
public interface StoreApplier {
  /** Applies one committed batch. Never throws for a rejected batch: the rejection is the result. */
  ApplyResult apply(long index, byte[] batch);

  /**
   * Applies the batches of one committed entry that holds several (group commit), in order, each on its own exactly
   * as {@link #apply} would have applied it as an entry of its own at {@code index}: each is checked against the
   * tables as the batches before it left them, and a rejected one changes nothing and rejects none of the others.
   * Returns one result per batch, in order.
   */
  java.util.List<ApplyResult> applyGroup(long index, java.util.List<byte[]> batches);

  /** Records that a log entry with no store content (leader no-op, configuration) was applied. */
  void skip(long index);

  /** Index of the last applied entry. */
  long appliedIndex();

  /** Completes once {@link #appliedIndex()} reaches {@code index}. */
  CompletableFuture<Void> awaitApplied(long index);

  /** Writes the full state as of {@link #appliedIndex()}. */
  void writeSnapshot(OutputStream out) throws IOException;

  /** Replaces the full state with a snapshot written by {@link #writeSnapshot}. */
  void restoreSnapshot(InputStream in) throws IOException;
}
