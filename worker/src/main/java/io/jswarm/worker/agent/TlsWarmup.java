package io.jswarm.worker.agent;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a resumable TLS session with every known manager, not only with the leader of the open session.
 *
 * <p>Why: when the leader dies, every agent opens a session with a manager it has never talked to (a follower that
 * redirects, then the new leader), and each of these is a full mutual-TLS handshake (signatures and certificate
 * checks on both sides, about 12 ms of CPU for the pair on this machine). At 1,000 nodes that was what the
 * sessions waited for after a leader kill (docs/scale.md). A handshake that resumes a session (a TLS 1.3 ticket the
 * manager handed out earlier) costs about 40 % of a full one. So once a session is open, after a random delay within
 * {@link #SPREAD} (a thousand agents do this together), the agent makes one short call ({@link
 * DispatcherTransport#warm}) to each known manager it holds no fresh ticket for, and again every {@link #REFRESH}
 * (half the tickets' lifetime, {@code TlsContexts.SESSION_LIFETIME}). A call that found no free handshake slot or
 * failed is retried after a new draw within {@link #SPREAD}.
 *
 * <p>What it costs: one full handshake per manager per node and hour, spread out, on a manager that may never serve
 * the node. What a ticket lets through is in docs/security.md ("TLS session resumption").
 */
final class TlsWarmup implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TlsWarmup.class);
  /** The window the first round after a session opened is drawn in. */
  static final Duration SPREAD = Duration.ofSeconds(60);
  /** How long a warmed manager counts as warm: half of {@code TlsContexts.SESSION_LIFETIME} (1 h). */
  static final Duration REFRESH = Duration.ofMinutes(30);

  private final DispatcherTransport transport;
  private final ScheduledExecutorService timer;
  private final java.util.concurrent.Executor runner;
  private final DoubleSupplier random;
  private final LongSupplier nanoTime;
  /** When each manager was last warmed (nanoTime); guarded by {@code this}. */
  private final Map<String, Long> warmedAt = new HashMap<>();
  private ScheduledFuture<?> next;
  private boolean closed;

  /** @param runner runs a round (it blocks for its calls): not a timer whose threads heartbeats need */
  TlsWarmup(DispatcherTransport transport, ScheduledExecutorService timer, java.util.concurrent.Executor runner) {
    this(transport, timer, runner, () -> ThreadLocalRandom.current().nextDouble(), System::nanoTime);
  }

  /**
   * @param random values in [0, 1): where in {@link #SPREAD} the first round goes
   * @param nanoTime the clock warm-ups are timed with
   */
  TlsWarmup(DispatcherTransport transport, ScheduledExecutorService timer, java.util.concurrent.Executor runner,
      DoubleSupplier random, LongSupplier nanoTime) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.timer = Objects.requireNonNull(timer, "timer");
    this.runner = Objects.requireNonNull(runner, "runner");
    this.random = Objects.requireNonNull(random, "random");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /**
   * A session opened with {@code connected}: plans a round within {@link #SPREAD} over {@code managers} (replacing
   * a round planned before).
   */
  synchronized void sessionOpened(String connected, List<String> managers) {
    if (closed) {
      return;
    }
    warmedAt.put(connected, nanoTime.getAsLong()); // the session's own handshake left a ticket there
    schedule(drawn(), connected, List.copyOf(managers));
  }

  private Duration drawn() {
    return Duration.ofMillis((long) (SPREAD.toMillis() * random.getAsDouble()));
  }

  private void schedule(Duration delay, String connected, List<String> managers) {
    if (next != null) {
      next.cancel(false);
    }
    try {
      next = timer.schedule(() -> runner.execute(() -> {
        boolean allWarm = round(connected, managers) == 0;
        synchronized (this) {
          if (!closed) {
            schedule(allWarm ? REFRESH : drawn(), connected, managers);
          }
        }
      }), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopped) {
      next = null; // the agent is closing
    }
  }

  /**
   * Warms each of {@code managers} other than {@code connected} not warmed within {@link #REFRESH}.
   *
   * @return how many are still cold (no free handshake slot, or the call failed): the next round then comes after
   *     a new draw within {@link #SPREAD}, not after {@link #REFRESH}
   */
  int round(String connected, List<String> managers) {
    int cold = 0;
    for (String m : managers) {
      if (m.equals(connected) || fresh(m)) {
        continue;
      }
      synchronized (this) {
        if (closed) {
          return 0;
        }
      }
      try {
        if (transport.warm(m)) {
          synchronized (this) {
            warmedAt.put(m, nanoTime.getAsLong());
          }
          continue;
        }
      } catch (IOException | RuntimeException e) {
        log.debug("warming the TLS session with manager {} failed: {}", m, e.toString());
      }
      cold++;
    }
    return cold;
  }

  private synchronized boolean fresh(String manager) {
    Long at = warmedAt.get(manager);
    return at != null && nanoTime.getAsLong() - at < REFRESH.toNanos();
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (next != null) {
      next.cancel(false);
      next = null;
    }
  }
}
