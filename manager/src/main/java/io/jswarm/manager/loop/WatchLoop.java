package io.jswarm.manager.loop;

import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Watch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small leader-side loop on its own thread: runs {@code pass} at start, then again after each burst of store
 * events that {@code filter} accepts, and at least every {@code retryMs} (a failed pass is retried then). A pass
 * that throws is logged and retried, never ends the loop. Lighter than {@link LeaderLoop}: no batching, no
 * commit-driven wake-up, for loops whose pass is cheap and idempotent.
 */
public final class WatchLoop {
  private static final Logger LOG = LoggerFactory.getLogger(WatchLoop.class);

  private final String name;
  private final MemoryStore store;
  private final Predicate<Event> filter;
  private final long retryMs;
  private final Runnable pass;
  private Thread thread;
  private volatile boolean running;

  public WatchLoop(String name, MemoryStore store, Predicate<Event> filter, long retryMs, Runnable pass) {
    this.name = name;
    this.store = store;
    this.filter = filter;
    this.retryMs = retryMs;
    this.pass = pass;
  }

  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try (Watch w = store.watch(filter::test)) {
      while (running) {
        try {
          pass.run();
        } catch (RuntimeException e) {
          LOG.warn("{}: pass failed (will retry): {}", name, e.toString());
        }
        Event e = w.poll(retryMs, TimeUnit.MILLISECONDS);
        while (e != null && running) {
          e = w.poll();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public synchronized void stop() {
    running = false;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      thread = null;
    }
  }
}
