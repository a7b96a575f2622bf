package io.jswarm.manager.loop;

import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.ReadTx;
import io.jswarm.consensus.store.Watch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery every leader-only control loop shares (orchestrators, network allocator, scheduler): a store
 * {@code viewAndWatch} that loads the loop's model and then feeds it every later change, a thread that runs
 * <em>passes</em> over what changed, retries after failures, timers on the injected clock, and start/stop
 * while this manager leads. Subclasses supply the model and the pass; this class decides <em>when</em> a pass
 * runs.
 *
 * <p>When a pass runs (the {@link Timing} of the loop):
 * <ul>
 *   <li><b>Leading edge.</b> The commit of a store batch that brought a relevant change runs a pass at once
 *       when no pass (that wrote something, see {@link #lastPassWrote}) ran during the last {@code debounce}: a
 *       lone write (a service created, a task reported running) is acted on without waiting. The batch is complete by then (events of one batch are
 *       delivered before its commit event), so a pass never sees half a write.</li>
 *   <li><b>Trailing debounce.</b> Changes that come while passes are frequent wait until {@code debounce} has
 *       passed without a change, but at most {@code maxDelay} after the first of them, so that a burst of writes
 *       is handled in one pass (and one Raft commit) instead of one each.</li>
 *   <li><b>Retry.</b> A pass that left something undone (it returned false) runs again after
 *       {@code retryDelay}; one that threw runs again after {@code retryDelay} as a full pass.</li>
 *   <li><b>Timers.</b> {@link #nextTimer()} (on the loop's clock) wakes the loop; {@link #timersDue} marks
 *       what is due and a pass runs.</li>
 *   <li><b>Full passes.</b> The first pass after start, after the store replaced its state (snapshot install:
 *       the watch ends and is reopened with a fresh {@link #load}) and after a failed pass is full
 *       ({@code pass(true)}).</li>
 * </ul>
 *
 * <p>Threads: {@link #interested} runs on the store's apply thread; {@link #load}, {@link #onEvent} and
 * {@link #pass} run under {@link #lock}, on the loop thread or on a caller of {@link #catchUp} (synchronous
 * passes for tests and tools, meant for a loop that is not started).
 */
public abstract class LeaderLoop {
  /** How a loop batches its passes; see the class comment. */
  public record Timing(Duration debounce, Duration maxDelay, Duration retryDelay) {
    public Timing {
      Objects.requireNonNull(debounce, "debounce");
      Objects.requireNonNull(maxDelay, "maxDelay");
      Objects.requireNonNull(retryDelay, "retryDelay");
    }
  }

  /** Longest the loop sleeps with nothing to do, so that timers on any clock are seen. */
  public static final Duration IDLE_WAKE = Duration.ofSeconds(1);
  /** How long {@link #stop} waits for a pass in flight before it gives up on the thread. */
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(LeaderLoop.class);

  protected final MemoryStore store;
  protected final Clock clock;
  /** Guards the subclass's model and serializes passes. */
  protected final Object lock = new Object();
  private final String name;
  private final Timing timing;

  private final Object lifecycle = new Object();
  private Thread thread;
  private volatile boolean stopping;
  /** The open watch (under {@link #lock}); null before the first use and after {@link #stop}. */
  private Watch watch;
  /** A watch was (re)opened with a fresh load since the last pass (under {@link #lock}). */
  private boolean reloaded;

  protected LeaderLoop(String name, MemoryStore store, Clock clock, Timing timing) {
    this.name = Objects.requireNonNull(name, "name");
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.timing = Objects.requireNonNull(timing, "timing");
  }

  // ---- what a subclass supplies ----

  /**
   * Whether a row event may matter to this loop (commit events always pass). Runs on the store's apply thread:
   * cheap, no store access; an exception counts as "no".
   */
  protected abstract boolean interested(Event e);

  /** Rebuilds the model from a store snapshot (under {@link #lock} and the store's read lock). */
  protected void load(ReadTx tx) {}

  /**
   * Takes in one row event (under {@link #lock}); true when it may need a pass. The event's rows are the store's
   * own (shared, read-only): a loop may keep them but must copy one before changing it.
   */
  protected abstract boolean onEvent(Event e);

  /**
   * One pass (under {@link #lock}); {@code full} after a start, a reload or a failed pass. Returns false when
   * something is left for a retry after {@link Timing#retryDelay()}. May throw: the pass is retried, full.
   */
  protected abstract boolean pass(boolean full);

  /**
   * Whether the last pass wrote to the store (called right after it). A pass that wrote nothing does not hold
   * the next change back: that change counts as coming after a quiet spell. Default true; a loop whose passes
   * are cheap when there is nothing to do (the scheduler) says false then, so that a commit it had no work in
   * (e.g. the service write just before the orchestrator's task write) does not delay the one it has.
   */
  protected boolean lastPassWrote() {
    return true;
  }

  /** The next time (on {@link #clock}) the loop must wake for, or null. */
  protected Instant nextTimer() {
    return null;
  }

  /** Marks what the timers due at {@code now} concern (loop thread, under {@link #lock}). */
  protected void timersDue(Instant now) {}

  // ---- lifecycle ----

  /** Opens the watch (loading the model) and starts the loop thread; a full pass runs first. Idempotent. */
  public void start() {
    synchronized (lifecycle) {
      if (thread != null) {
        return;
      }
      stopping = false;
      synchronized (lock) {
        ensureWatching();
      }
      thread = new Thread(this::run, name);
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** Stops the loop thread, waits for it (a pass in flight ends first) and closes the watch. Idempotent. */
  public void stop() {
    Thread t;
    synchronized (lifecycle) {
      t = thread;
      thread = null;
      stopping = true;
    }
    if (t != null) {
      t.interrupt();
      boolean interrupted = false;
      long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
      while (t.isAlive() && System.nanoTime() < deadline) {
        try {
          t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (t.isAlive()) {
        log.warn("{} did not stop within {}", name, STOP_TIMEOUT);
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (lock) {
      if (watch != null) {
        watch.close();
        watch = null;
      }
    }
  }

  public boolean isRunning() {
    synchronized (lifecycle) {
      return thread != null;
    }
  }

  /**
   * Takes in every change seen so far, opening the watch (and loading the model) on first use; for synchronous
   * passes. Call under {@link #lock}. Returns true when the model was (re)loaded since the last pass, i.e. the
   * next pass should be full; clears that mark.
   */
  protected final boolean catchUp() {
    ensureWatching();
    drain();
    boolean r = reloaded;
    reloaded = false;
    return r;
  }

  // ---- the watch ----

  private void ensureWatching() {
    if (watch != null && !watch.isClosed()) {
      return;
    }
    // Shared rows: the loops read events and keep rows in their models but never change one (onEvent's contract),
    // so no copy is made per event and per loop, and the models hold the store's own rows.
    watch = store.viewAndWatch(tx -> {
      load(tx);
      return null;
    }, this::safeInterested, true).watch();
    reloaded = true;
  }

  private boolean safeInterested(Event e) {
    try {
      return interested(e);
    } catch (RuntimeException ex) {
      return false;
    }
  }

  /** Applies every queued event (under lock); reopens the watch if the store ended it. Returns what was seen. */
  private Seen drain() {
    Seen seen = new Seen();
    Event e;
    while ((e = watch.poll()) != null) {
      take(e, seen);
    }
    if (watch.isClosed()) {
      log.info("{}: store watch ended ({}); reloading", name, watch.closedReason());
      watch = null;
      ensureWatching();
    }
    return seen;
  }

  private void take(Event e, Seen seen) {
    if (e.isCommit()) {
      seen.commit = true;
    } else if (onEvent(e)) {
      seen.change = true;
    }
  }

  /** What one wake-up of the loop found in the watch. */
  private static final class Seen {
    boolean change;
    boolean commit;
  }

  private Watch currentWatch() {
    synchronized (lock) {
      ensureWatching();
      return watch;
    }
  }

  // ---- the thread ----

  private void run() {
    final long debounce = timing.debounce().toNanos();
    final long maxDelay = timing.maxDelay().toNanos();
    boolean passNow = true; // a full pass at start
    boolean full = true;
    long retryAt = 0; // when a pass that left work runs again; 0: none
    long firstChange = 0; // first and last change not yet handled by a pass; 0: none
    long lastChange = 0;
    long lastPassEnd = System.nanoTime() - debounce;
    while (!stopping) {
      try {
        long now = System.nanoTime();
        long due = passNow ? now : 0;
        if (firstChange != 0) {
          due = earliest(due, Math.min(lastChange + debounce, firstChange + maxDelay));
        }
        due = earliest(due, retryAt);
        long wait;
        if (due != 0) {
          wait = due - now;
        } else {
          wait = IDLE_WAKE.toNanos();
          Instant timer = nextTimer();
          if (timer != null) {
            // At least a millisecond, so that a timer a pass could not clear never makes the loop spin.
            wait = Math.min(wait, Math.max(Duration.between(clock.instant(), timer).toNanos(), 1_000_000L));
          }
        }
        Event first = wait > 0 ? currentWatch().poll(wait, TimeUnit.NANOSECONDS) : null;
        Seen seen = new Seen();
        synchronized (lock) {
          if (first != null) {
            take(first, seen);
          }
          Seen rest = drain();
          seen.change |= rest.change;
          seen.commit |= rest.commit;
          if (reloaded) {
            reloaded = false;
            full = true;
            passNow = true;
          }
        }
        now = System.nanoTime();
        if (seen.change) {
          lastChange = now;
          if (firstChange == 0) {
            firstChange = now;
          }
        }
        if (seen.commit && firstChange != 0 && now - lastPassEnd >= debounce) {
          passNow = true; // leading edge: a lone write is handled at once
        }
        if (!passNow && retryAt == 0 && firstChange == 0) {
          Instant timer = nextTimer();
          Instant at = clock.instant();
          if (timer != null && !at.isBefore(timer)) {
            synchronized (lock) {
              timersDue(at);
            }
            passNow = true;
          }
        }
        boolean ready = passNow || (retryAt != 0 && now >= retryAt) || (firstChange != 0
            && (now - lastChange >= debounce || now - firstChange >= maxDelay));
        if (!ready) {
          continue;
        }
        passNow = false;
        retryAt = 0;
        firstChange = 0;
        boolean done;
        try {
          synchronized (lock) {
            done = pass(full);
          }
          full = false;
        } catch (RuntimeException ex) {
          if (stopping) {
            return;
          }
          log.warn("{}: pass failed, retrying in {}: {}", name, timing.retryDelay(), ex.toString());
          full = true;
          done = false;
        }
        long end = System.nanoTime();
        lastPassEnd = done && !lastPassWrote() ? end - debounce : end;
        if (!done) {
          retryAt = end + timing.retryDelay().toNanos();
        }
      } catch (InterruptedException e) {
        return; // stop() interrupts us
      } catch (RuntimeException e) {
        if (stopping) {
          return;
        }
        log.warn("{}: loop failed, reloading in {}: {}", name, timing.retryDelay(), e.toString(), e);
        synchronized (lock) {
          if (watch != null) {
            watch.close(); // the next round reopens it with a fresh load and a full pass
          }
        }
        try {
          Thread.sleep(timing.retryDelay().toMillis());
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /** The earlier of two nanoTime instants where 0 means none. */
  private static long earliest(long a, long b) {
    return a == 0 ? b : b == 0 ? a : Math.min(a, b);
  }
}
