package io.jswarm.consensus.store;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A subscription to store events, in apply order, with nothing missed after the snapshot it was opened with
 * ({@link MemoryStore#viewAndWatch}). The queue is unbounded: a consumer must keep up or close it.
 * A watch ends ({@link #isClosed()}) when closed by its owner, or by the store when the whole state was
 * replaced by a snapshot install — the owner then opens a new one from a fresh snapshot.
 */
public final class Watch implements AutoCloseable {
  private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
  private final Predicate<Event> filter;
  private final Runnable onClose;
  /** Events carry the stored rows themselves (read-only) instead of this watch's own copies. */
  private final boolean sharedRows;
  private volatile String closedReason;

  Watch(Predicate<Event> filter, Runnable onClose, boolean sharedRows) {
    this.filter = filter;
    this.onClose = onClose;
    this.sharedRows = sharedRows;
  }

  /** A filter that throws is treated as "no": it must never break the apply that runs it. */
  boolean accepts(Event e) {
    if (e.isCommit()) {
      return true;
    }
    try {
      return filter.test(e);
    } catch (RuntimeException ex) {
      return false;
    }
  }

  /** Queues a published event: the stored rows, which never change once stored, are copied when polled. */
  void offer(Event e) {
    queue.add(e);
  }

  /** Next event, waiting up to {@code timeout}; null on timeout or when the watch is closed and drained. */
  public Event poll(long timeout, TimeUnit unit) throws InterruptedException {
    Event e = closedReason != null ? queue.poll() : queue.poll(timeout, unit);
    return e == null ? null : e.forWatcher(sharedRows);
  }

  /** Next event without waiting, or null. */
  public Event poll() {
    Event e = queue.poll();
    return e == null ? null : e.forWatcher(sharedRows);
  }

  public boolean isClosed() {
    return closedReason != null;
  }

  /** Why the watch ended, or null while it is open. */
  public String closedReason() {
    return closedReason;
  }

  void closeWith(String reason) {
    if (closedReason == null) {
      closedReason = reason;
      onClose.run();
    }
  }

  @Override
  public void close() {
    closeWith("closed by its owner");
  }
}
