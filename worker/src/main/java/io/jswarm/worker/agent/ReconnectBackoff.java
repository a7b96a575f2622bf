package io.jswarm.worker.agent;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How long an agent waits before its next session attempt: "full jitter", a uniformly random delay in {@code [0,
 * window)}, where the window is {@link #FIRST_WINDOW} after a session that was open ended and doubles with each
 * attempt that failed in a row, up to {@link #MAX_WINDOW}.
 *
 * <p>Why random: when a leader dies or a blip breaks every session at once, a thousand agents that all retried
 * after the same fixed delay reconnected in lockstep, and the managers (and a hollow-node process) spent seconds
 * in nothing but TLS handshakes, long enough for heartbeats of connected nodes to come late and for those nodes to
 * be marked down and reconnect too: a storm that fed itself (seen at 1,000 hollow nodes, issue 16). Spread over the
 * window, the same thousand reconnects arrive at a rate the managers can answer. swarmkit's agent does the same
 * ({@code rand(backoff)}, backoff doubling to 8 s). A redirect to the leader is not delayed: it is the answer of a
 * manager that works.
 */
public final class ReconnectBackoff {
  /** Window of the first attempt after an open session ended: a thousand nodes reconnect over one second. */
  public static final Duration FIRST_WINDOW = Duration.ofSeconds(1);
  /**
   * Largest window: well within the 15 s a manager waits for a heartbeat (3 periods of 5 s), so a node that could
   * not reach a manager for a while still tries often enough to get its session back before it is marked down.
   */
  public static final Duration MAX_WINDOW = Duration.ofSeconds(5);

  private final Duration first;
  private final Duration max;
  private final DoubleSupplier random;
  private final java.util.function.IntUnaryOperator pick;

  /** Windows {@link #FIRST_WINDOW} to {@link #MAX_WINDOW}, random delays from {@link ThreadLocalRandom}. */
  public ReconnectBackoff() {
    this(FIRST_WINDOW, MAX_WINDOW, () -> ThreadLocalRandom.current().nextDouble());
  }

  /**
   * @param first window after an open session ended
   * @param max largest window
   * @param random values in [0, 1): the fraction of the window to wait
   */
  public ReconnectBackoff(Duration first, Duration max, DoubleSupplier random) {
    this(first, max, random, bound -> (int) (random.getAsDouble() * bound));
  }

  /**
   * @param pick an index in [0, bound): which of the other managers the agent tries after an open session ended
   *     ({@link ManagerRotation}); from {@code random} unless given
   */
  public ReconnectBackoff(Duration first, Duration max, DoubleSupplier random,
      java.util.function.IntUnaryOperator pick) {
    if (first.isNegative() || max.compareTo(first) < 0) {
      throw new IllegalArgumentException("reconnect backoff: need 0 <= first (" + first + ") <= max (" + max + ")");
    }
    this.first = first;
    this.max = max;
    this.random = random;
    this.pick = pick;
  }

  /** A random index in [0, bound) (bound >= 1). */
  public int pick(int bound) {
    int k = pick.applyAsInt(bound);
    if (k < 0 || k >= bound) {
      throw new IllegalStateException("reconnect backoff: picked " + k + ", not in [0, " + bound + ")");
    }
    return k;
  }

  /** The window after {@code failedInARow} attempts failed since the last open session (0: a session just ended). */
  public Duration window(int failedInARow) {
    long ms = first.toMillis();
    for (int i = 0; i < failedInARow && ms < max.toMillis(); i++) {
      ms *= 2;
    }
    return Duration.ofMillis(Math.min(ms, max.toMillis()));
  }

  /** A random delay in [0, {@link #window}). */
  public Duration delay(int failedInARow) {
    double r = random.getAsDouble();
    if (r < 0 || r >= 1) {
      throw new IllegalStateException("reconnect backoff: random value " + r + " is not in [0, 1)");
    }
    return Duration.ofMillis((long) (window(failedInARow).toMillis() * r));
  }
}
