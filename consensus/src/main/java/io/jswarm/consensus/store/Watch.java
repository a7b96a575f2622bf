package io.jswarm.consensus.store;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A subscription to store events, in apply order, with nothing missed after the snapshot it was opened with
 * ({@link MemoryStore#viewAndWatch}). The queue is unbounded: a consumer must keep up or close it.
 * A watch ends ({@link #isClosed()}) when closed by its owner, or by the store when the whole state was
 * replaced by a snapshot install — the owner then opens a new one from a fresh snapshot.
 *
 * <p>The apply thread hands a watch all the events of one applied entry at once ({@link #offerAll}): one lock and at
 * most one wake-up of the consumer per entry, not one per event (with 200-row entries and ten watches, per-event
 * queueing was 2,000 lock round trips and consumer wake-ups per entry, the largest part of the apply thread's time
 * while a 100,000-replica service was created, and every linearizable read waits for that thread).
 */
public final class Watch implements AutoCloseable {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final ArrayDeque<Event> queue = new ArrayDeque<>();
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

  /**
   * Queues the events of one apply that this watch {@link #accepts}, in order, without waking the consumer: the
   * store calls {@link #wake} after the apply, from another thread (waking a thread can cost the waker its CPU on a
   * loaded machine, and the apply thread is the one every read waits for). The stored rows, which never change once
   * stored, are copied when polled.
   */
  void offerAll(List<Event> events) {
    lock.lock();
    try {
      queue.addAll(events);
    } finally {
      lock.unlock();
    }
  }

  /** Wakes a consumer waiting in {@link #poll(long, TimeUnit)}, if any. */
  void wake() {
    lock.lock();
    try {
      notEmpty.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Next event, waiting up to {@code timeout}; null on timeout or when the watch is closed and drained. */
  public Event poll(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    Event e;
    lock.lockInterruptibly();
    try {
      while ((e = queue.poll()) == null && closedReason == null && nanos > 0) {
        nanos = notEmpty.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
    return e == null ? null : e.forWatcher(sharedRows);
  }

  /** Next event without waiting, or null. */
  public Event poll() {
    Event e;
    lock.lock();
    try {
      e = queue.poll();
    } finally {
      lock.unlock();
    }
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
      lock.lock();
      try {
        notEmpty.signalAll(); // a consumer waiting in poll sees the end at once
      } finally {
        lock.unlock();
      }
    }
  }

  @Override
  public void close() {
    closeWith("closed by its owner");
  }
}
