package io.jswarm.manager.orchestrator;

import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Watch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader-only reconciliation loop: a {@code viewAndWatch} on the store, a full reconciliation at start (and
 * whenever the watch had to be reopened), then passes over whatever the events made dirty. Events of one
 * burst are debounced into one pass; timers (delayed restarts) wake the loop on the injected clock.
 *
 * <p>The reconciliations are also public synchronous methods of the subclasses, for tests and tools; a lock
 * keeps them from running at the same time as the loop's own passes.
 */
abstract class EventLoop {
  /** Quiet time after the last event before a pass runs, so that a burst of events becomes one pass. */
  static final Duration DEBOUNCE = Duration.ofMillis(50);
  /** Longest a steady stream of events can postpone a pass. */
  static final Duration MAX_BATCH_DELAY = Duration.ofMillis(500);
  /** Longest the loop sleeps without events, so timers on any clock are seen. */
  static final Duration IDLE_WAKE = Duration.ofSeconds(1);
  /** Wait after a failed pass before the next try. */
  static final Duration RETRY_BACKOFF = Duration.ofMillis(250);
  /** Writes per transaction: one Raft entry stays small; more work continues in the next transaction. */
  static final int MAX_WRITES_PER_PASS = 500;
  /** Immediate retries of a pass that lost a compare-and-set race before leaving it to the next pass. */
  static final int MAX_CONFLICT_RETRIES = 3;

  private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);

  protected final MemoryStore store;
  protected final Clock clock;
  /** Serializes passes: the loop thread and synchronous callers. */
  protected final Object passLock = new Object();
  private final String name;
  private Thread thread;
  private volatile boolean running;

  EventLoop(String name, MemoryStore store, Clock clock) {
    this.name = name;
    this.store = store;
    this.clock = clock;
  }

  /** Starts the loop thread; a full reconciliation runs first. Idempotent. */
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    running = true;
    thread = new Thread(this::run, "orchestrator-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops the loop and waits for its thread to end. Idempotent. */
  public synchronized void stop() {
    Thread t = thread;
    if (t == null) {
      return;
    }
    running = false;
    t.interrupt();
    try {
      t.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread = null;
  }

  public boolean isRunning() {
    return thread != null;
  }

  /** Reconciles everything this loop owns. */
  public abstract void reconcileAll();

  /** Whether an event may matter. Runs on the store's apply thread: cheap, no store access. */
  protected abstract boolean interested(Event e);

  /** Notes what the event makes dirty (loop thread). */
  protected abstract void noteEvent(Event e);

  /** Whether a pass left something for a retry. */
  protected abstract boolean hasDirty();

  /** Reconciles what is dirty; false when something is left for a retry. */
  protected abstract boolean reconcileDirty();

  /** The next timer this loop must wake for, on {@link #clock}, or null. */
  protected Instant nextTimer() {
    return null;
  }

  /** Marks dirty what the timers due at {@code now} concern. */
  protected void timersDue(Instant now) {}

  private void run() {
    while (running) {
      Watch w = store.viewAndWatch(tx -> null, this::safeInterested).watch();
      try {
        loop(w);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        LOG.warn("{} loop failed, restarting it: {}", name, e.toString(), e);
        if (!pause(RETRY_BACKOFF)) {
          return;
        }
      } finally {
        w.close();
      }
    }
  }

  private void loop(Watch w) throws InterruptedException {
    boolean needAll = runPass(true) != Outcome.DONE;
    boolean dirty = needAll;
    long firstEvent = 0;
    long lastEvent = 0;
    long retryAt = System.nanoTime() + RETRY_BACKOFF.toNanos();
    while (running && !w.isClosed()) {
      long nowNanos = System.nanoTime();
      long wait;
      if (firstEvent != 0) {
        wait = Math.min(lastEvent + DEBOUNCE.toNanos(), firstEvent + MAX_BATCH_DELAY.toNanos()) - nowNanos;
      } else if (dirty) {
        wait = retryAt - nowNanos;
      } else {
        wait = IDLE_WAKE.toNanos();
        Instant timer = nextTimer();
        if (timer != null) {
          // At least DEBOUNCE, so that a timer a pass could not clear never makes the loop spin.
          long untilTimer = Duration.between(clock.instant(), timer).toNanos();
          wait = Math.min(wait, Math.max(untilTimer, DEBOUNCE.toNanos()));
        }
      }
      Event e = wait > 0 ? w.poll(wait, TimeUnit.NANOSECONDS) : w.poll();
      if (e != null) {
        if (!e.isCommit()) {
          noteEvent(e);
          lastEvent = System.nanoTime();
          if (firstEvent == 0) {
            firstEvent = lastEvent;
          }
        }
        continue;
      }
      nowNanos = System.nanoTime();
      if (!dirty) {
        Instant timer = nextTimer();
        Instant now = clock.instant();
        if (timer != null && !now.isBefore(timer)) {
          timersDue(now);
          dirty = true;
          retryAt = nowNanos;
        }
      }
      boolean batchReady = firstEvent != 0 && (nowNanos - lastEvent >= DEBOUNCE.toNanos()
          || nowNanos - firstEvent >= MAX_BATCH_DELAY.toNanos());
      if (batchReady || (dirty && nowNanos >= retryAt)) {
        firstEvent = 0;
        Outcome o = runPass(needAll);
        // After an error, what was dirty may be lost with the failed pass: the retry reconciles everything.
        needAll = o == Outcome.ERROR || (needAll && o != Outcome.DONE);
        dirty = o != Outcome.DONE;
        retryAt = System.nanoTime() + RETRY_BACKOFF.toNanos();
      }
    }
  }

  private enum Outcome { DONE, RETRY, ERROR }

  private Outcome runPass(boolean all) {
    try {
      if (all) {
        reconcileAll();
        return hasDirty() ? Outcome.RETRY : Outcome.DONE;
      }
      return reconcileDirty() ? Outcome.DONE : Outcome.RETRY;
    } catch (RuntimeException e) {
      if (running) {
        LOG.warn("{} pass failed, will retry: {}", name, e.toString());
      }
      return Outcome.ERROR;
    }
  }

  private boolean safeInterested(Event e) {
    try {
      return interested(e);
    } catch (RuntimeException ex) {
      return false;
    }
  }

  private boolean pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return running;
    } catch (InterruptedException e) {
      return false;
    }
  }
}
