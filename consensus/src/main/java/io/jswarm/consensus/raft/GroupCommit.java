package io.jswarm.consensus.raft;

import io.jswarm.consensus.store.ApplyResult;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Group commit above Raft: store batches proposed while earlier ones are still in flight go together as one log
 * entry ({@link LogEntryFormat}), so many waiting writers pay one entry's trip through Ratis (its client request,
 * log worker, appenders, both sides' gRPC threads and the apply thread: about ten thread hand-offs) instead of one
 * each. On a loaded 2-core machine each hand-off is a scheduler delay, so the per-entry cost, not fsync (batched by
 * Ratis already), bounded the store's throughput (docs/scale.md, "Raft store against etcd").
 *
 * <p>The rule: a batch goes at once, alone, when fewer than {@code maxInFlight} entries of this member are in flight
 * (an idle store adds no latency and no timer); otherwise it waits. When an entry completes, the batches that waited
 * go as one entry. Batches that waited also go, without waiting for a completion, as soon as they fill an entry
 * ({@code maxBatches} batches, or {@code maxBytes}). A single batch larger than {@code maxBytes} always goes alone,
 * as it did before groups existed, so no entry is ever larger than the largest single batch would have been.
 *
 * <p>Every caller gets its own batch's {@link ApplyResult} (the state machine checks and applies each batch of a
 * group on its own, as if it had been an entry of its own), or the failure of its entry: the entry is one Raft
 * request with one invocation id, which {@link Forwarders} carries to whichever member leads while it is in flight,
 * so it is applied once or not at all, and its callers learn which together. Nothing here ever drops a batch: a
 * closed member fails what waits.
 *
 * <p>Where it runs: on every manager, before forwarding ({@link RaftNode#propose}); a follower's concurrent writes
 * travel to the leader as one request. The leader does not regroup entries that followers forward.
 */
final class GroupCommit implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GroupCommit.class);
  /** Entries of this member in flight before later batches wait to be grouped (tunable for the benchmark). */
  static final int MAX_IN_FLIGHT = Integer.getInteger("jswarm.raft.groupInFlight", 1);
  /** The most batches in one entry. */
  static final int MAX_BATCHES = Integer.getInteger("jswarm.raft.groupBatches", 256);
  /** The most bytes of batches in one group entry (further bounded by what Ratis sends in one append; see RaftNode). */
  static final int MAX_BYTES = 1 << 20;

  /**
   * The most bytes of batches in one group entry for a member with these Ratis settings: {@link #MAX_BYTES}, or half
   * of the most one append-entries request carries ({@code raft.server.log.appender.buffer.byte-limit}, 4 MB by
   * default) if that is less, so a group entry with its headers and encryption always fits one request.
   */
  static int maxBytes(org.apache.ratis.conf.RaftProperties ratis) {
    long appendLimit = org.apache.ratis.server.RaftServerConfigKeys.Log.Appender.bufferByteLimit(ratis).getSize();
    return (int) Math.max(1, Math.min(MAX_BYTES, appendLimit / 2));
  }

  private final Function<List<byte[]>, CompletableFuture<List<ApplyResult>>> commitEntry;
  private final int maxInFlight;
  private final int maxBatches;
  private final int maxBytes;
  private final Object lock = new Object();
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private long waitingBytes;
  private int inFlight;
  private boolean closed;

  /** One proposed batch and its caller's future. */
  private record Waiting(byte[] batch, CompletableFuture<ApplyResult> result) {}

  /**
   * @param commitEntry proposes one entry of the given batches (in order) and completes, once it is committed and
   *     applied on this member, with one result per batch, in the same order; or fails
   */
  GroupCommit(Function<List<byte[]>, CompletableFuture<List<ApplyResult>>> commitEntry, int maxInFlight,
      int maxBatches, int maxBytes) {
    if (maxInFlight < 1 || maxBatches < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("group commit bounds must be positive: in flight " + maxInFlight
          + ", batches " + maxBatches + ", bytes " + maxBytes);
    }
    this.commitEntry = commitEntry;
    this.maxInFlight = maxInFlight;
    this.maxBatches = maxBatches;
    this.maxBytes = maxBytes;
  }

  /** Proposes {@code batch}, alone or with others; completes with its own result. */
  CompletableFuture<ApplyResult> propose(byte[] batch) {
    Waiting w = new Waiting(batch, new CompletableFuture<>());
    List<List<Waiting>> ready;
    synchronized (lock) {
      if (closed) {
        return CompletableFuture.failedFuture(new IOException("the Raft member is closed"));
      }
      waiting.add(w);
      waitingBytes += batch.length;
      ready = takeReady();
    }
    ready.forEach(this::send);
    return w.result;
  }

  /** Entries not completed yet (tests). */
  int inFlight() {
    synchronized (lock) {
      return inFlight;
    }
  }

  /** Batches waiting for an entry (tests). */
  int waiting() {
    synchronized (lock) {
      return waiting.size();
    }
  }

  /**
   * Under the lock: the entries to send now. Waiting batches go when an entry slot is free, and full entries go
   * regardless (so a burst never waits for more than one entry to be built).
   */
  private List<List<Waiting>> takeReady() {
    List<List<Waiting>> out = new ArrayList<>(1);
    while (!waiting.isEmpty() && (inFlight < maxInFlight || fullEntryWaiting())) {
      out.add(takeEntry());
      inFlight++;
    }
    return out;
  }

  private boolean fullEntryWaiting() {
    return waiting.size() >= maxBatches || waitingBytes >= maxBytes;
  }

  /** The oldest waiting batches that fit one entry: at least one, however large. */
  private List<Waiting> takeEntry() {
    List<Waiting> entry = new ArrayList<>(Math.min(waiting.size(), maxBatches));
    long bytes = 0;
    while (!waiting.isEmpty() && entry.size() < maxBatches) {
      int next = waiting.peek().batch.length;
      if (!entry.isEmpty() && bytes + next > maxBytes) {
        break;
      }
      Waiting w = waiting.poll();
      waitingBytes -= next;
      bytes += next;
      entry.add(w);
    }
    return entry;
  }

  private void send(List<Waiting> entry) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("an entry of {} batch(es) goes; {} batch(es) wait", entry.size(), waiting());
    }
    List<byte[]> batches = new ArrayList<>(entry.size());
    entry.forEach(w -> batches.add(w.batch));
    CompletableFuture<List<ApplyResult>> committed;
    try {
      committed = commitEntry.apply(batches);
    } catch (RuntimeException e) {
      committed = CompletableFuture.failedFuture(e);
    }
    committed.whenComplete((results, failure) -> {
      List<List<Waiting>> ready;
      synchronized (lock) {
        inFlight--;
        ready = closed ? List.of() : takeReady();
      }
      ready.forEach(this::send); // the next entry goes before this one's callers run their continuations
      Throwable problem = failure;
      if (problem == null && (results == null || results.size() != entry.size())) {
        problem = new IllegalStateException("an entry of " + entry.size() + " batches was answered with "
            + (results == null ? "no" : results.size()) + " results");
      }
      for (int i = 0; i < entry.size(); i++) {
        if (problem != null) {
          entry.get(i).result.completeExceptionally(problem);
        } else {
          entry.get(i).result.complete(results.get(i));
        }
      }
    });
  }

  /** Fails every batch still waiting for an entry; entries in flight end as their requests do. */
  @Override
  public void close() {
    List<Waiting> dropped;
    synchronized (lock) {
      closed = true;
      dropped = new ArrayList<>(waiting);
      waiting.clear();
      waitingBytes = 0;
    }
    IOException closing = new IOException("the Raft member is closing; the write was not proposed");
    dropped.forEach(w -> w.result.completeExceptionally(closing));
  }
}
