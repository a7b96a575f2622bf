package io.jswarm.manager.events;

import io.jswarm.api.types.EventMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The node's event stream: every published event is kept in a ring of the last {@link #HISTORY} (what {@code since}
 * replays, as dockerd keeps 256) and offered to each subscriber's own bounded buffer. {@link #publish} never waits:
 * a subscriber whose buffer is full is dropped (its stream ends, {@link Subscription#overflowed()} says why), so a
 * slow client cannot slow down the store's watch or the agent that publish.
 */
public final class EventBus {
  /** Events kept for {@code since}: dockerd's {@code eventsLimit}. */
  public static final int HISTORY = 256;
  /** Events a subscriber may have unread before it is dropped. */
  public static final int SUBSCRIBER_BUFFER = 1024;

  private final int bufferSize;
  private final ArrayDeque<EventMessage> history = new ArrayDeque<>(HISTORY);
  private final Set<Subscription> subscribers = new CopyOnWriteArraySet<>();

  public EventBus() {
    this(SUBSCRIBER_BUFFER);
  }

  /** @param bufferSize events each subscriber may have unread (tests use a small one) */
  public EventBus(int bufferSize) {
    if (bufferSize < 1) {
      throw new IllegalArgumentException("bufferSize must be at least 1");
    }
    this.bufferSize = bufferSize;
  }

  /** Records {@code m} and hands it to every subscriber whose filter takes it. Never blocks. */
  public void publish(EventMessage m) {
    synchronized (history) {
      if (history.size() == HISTORY) {
        history.removeFirst();
      }
      history.addLast(m);
      for (Subscription s : subscribers) {
        s.offer(m);
      }
    }
  }

  /**
   * Subscribes to every later event {@code filter} takes. When {@code sinceNanos} or {@code untilNanos} is set
   * (Unix nanoseconds, 0 for unset), the kept events between them that the filter takes are in {@link
   * Subscription#past()}, with nothing missed or repeated between those and the live ones.
   */
  public Subscription subscribe(Predicate<EventMessage> filter, long sinceNanos, long untilNanos) {
    synchronized (history) {
      List<EventMessage> past = new ArrayList<>();
      if (sinceNanos != 0 || untilNanos != 0) {
        for (EventMessage m : history) {
          if (m.timeNano >= sinceNanos && (untilNanos == 0 || m.timeNano <= untilNanos) && filter.test(m)) {
            past.add(m);
          }
        }
      }
      Subscription s = new Subscription(filter, past, bufferSize);
      subscribers.add(s);
      return s;
    }
  }

  /** Subscribers now (for {@code /info}'s {@code NEventsListener}). */
  public int subscriberCount() {
    return subscribers.size();
  }

  /** One reader of the stream. Close it when done. */
  public final class Subscription implements AutoCloseable {
    private final Predicate<EventMessage> filter;
    private final List<EventMessage> past;
    private final BlockingQueue<EventMessage> queue;
    private volatile boolean overflowed;
    private volatile boolean closed;

    private Subscription(Predicate<EventMessage> filter, List<EventMessage> past, int size) {
      this.filter = filter;
      this.past = List.copyOf(past);
      this.queue = new ArrayBlockingQueue<>(size);
    }

    /** Kept events asked for by {@code since}/{@code until}, oldest first. */
    public List<EventMessage> past() {
      return past;
    }

    /** The next live event, waiting up to {@code timeout}; null on timeout or once dropped or closed. */
    public EventMessage poll(long timeout, TimeUnit unit) throws InterruptedException {
      if (closed) {
        return null;
      }
      return queue.poll(timeout, unit);
    }

    /** True once this subscriber fell {@link #SUBSCRIBER_BUFFER} events behind and was dropped. */
    public boolean overflowed() {
      return overflowed;
    }

    /** True once dropped or closed: no more events will come. */
    public boolean isClosed() {
      return closed;
    }

    private void offer(EventMessage m) {
      boolean take;
      try {
        take = filter.test(m);
      } catch (RuntimeException e) {
        take = false;
      }
      if (take && !closed && !queue.offer(m)) {
        overflowed = true;
        close();
      }
    }

    @Override
    public void close() {
      closed = true;
      subscribers.remove(this);
    }
  }
}
