package io.jswarm.consensus.store;

import io.jswarm.api.json.Json;
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
  private final BlockingQueue<Encoded> queue = new LinkedBlockingQueue<>();
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

  /**
   * An event as queued: its rows encoded once (shared by every watch that takes it) and decoded into the polling
   * watch's own copies by {@link #decode}.
   */
  record Encoded(Event shape, byte[] object, byte[] old) {
    static Encoded of(Event e) {
      if (e.isCommit()) {
        return new Encoded(e, null, null);
      }
      return new Encoded(e, e.object() == null ? null : Json.toBytes(e.object()),
          e.old() == null ? null : Json.toBytes(e.old()));
    }

    /** The polling watch's own event; its rows are decoded when it first reads them. */
    Event decode() {
      if (shape.isCommit()) {
        return shape;
      }
      return Event.encoded(shape.kind(), shape.index(), shape.table(), object, old);
    }
  }

  void offer(Encoded e) {
    queue.add(e);
  }

  /** Next event, waiting up to {@code timeout}; null on timeout or when the watch is closed and drained. */
  public Event poll(long timeout, TimeUnit unit) throws InterruptedException {
    Encoded e = closedReason != null ? queue.poll() : queue.poll(timeout, unit);
    return e == null ? null : e.decode();
  }

  /** Next event without waiting, or null. */
  public Event poll() {
    Encoded e = queue.poll();
    return e == null ? null : e.decode();
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
