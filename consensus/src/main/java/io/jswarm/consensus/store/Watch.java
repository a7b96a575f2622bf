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
  private volatile String closedReason;

  Watch(Predicate<Event> filter, Runnable onClose) {
    this.filter = filter;
    this.onClose = onClose;
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

  void offer(Event e) {
    queue.add(e);
  }

  /** Next event, waiting up to {@code timeout}; null on timeout or when the watch is closed and drained. */
  public Event poll(long timeout, TimeUnit unit) throws InterruptedException {
    if (closedReason != null) {
      return queue.poll();
    }
    return queue.poll(timeout, unit);
  }

  /** Next event without waiting, or null. */
  public Event poll() {
    return queue.poll();
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
