package io.jswarm.manager.events;

import io.jswarm.api.types.EventMessage;
import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Watch;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes this manager's store changes as swarm events ({@link ClusterEvents}) into an {@link EventBus}, on one
 * thread of its own. Every manager applies every change, so every manager's {@code /events} has them. The store
 * comes and goes with the node's role (init, join, promote, leave, a restart after autolock): the thread asks
 * {@code store} for the current one every {@link #RECHECK_MS} and watches whichever it gets, opening a new watch
 * when the store changes or the old watch ends (a snapshot install).
 */
public final class ClusterEventSource implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterEventSource.class);
  /** How often the thread looks for a new store, and how long it waits for an event at most. */
  static final long RECHECK_MS = 500;

  private final Supplier<MemoryStore> store;
  private final EventBus bus;
  private final Clock clock;
  private final Thread thread;
  private volatile boolean closed;

  /**
   * @param store the manager's store now, or null when this node is no manager
   * @param clock the time of remove events
   */
  public ClusterEventSource(Supplier<MemoryStore> store, EventBus bus, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.bus = Objects.requireNonNull(bus, "bus");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.thread = new Thread(this::run, "cluster-events");
    this.thread.setDaemon(true);
  }

  public ClusterEventSource start() {
    thread.start();
    return this;
  }

  private void run() {
    MemoryStore current = null;
    Watch watch = null;
    try {
      while (!closed) {
        MemoryStore s = currentStore();
        if (s != current || (watch != null && watch.isClosed())) {
          if (watch != null) {
            watch.close();
          }
          current = s;
          watch = s == null ? null : s.watch(ClusterEvents::reported);
        }
        if (watch == null) {
          Thread.sleep(RECHECK_MS);
          continue;
        }
        Event e = watch.poll(RECHECK_MS, TimeUnit.MILLISECONDS);
        while (e != null) {
          EventMessage m = ClusterEvents.of(e, clock.instant());
          if (m != null) {
            bus.publish(m);
          }
          e = watch.poll();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (watch != null) {
        watch.close();
      }
    }
  }

  private MemoryStore currentStore() {
    try {
      return store.get();
    } catch (RuntimeException e) {
      LOG.debug("no store to watch for events: {}", e.toString());
      return null;
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
