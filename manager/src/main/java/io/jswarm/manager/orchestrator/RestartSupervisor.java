package io.jswarm.manager.orchestrator;

import io.jswarm.api.types.RestartPolicy;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Restart policy of tasks that stopped while their desired state was RUNNING (Docker {@code RestartPolicy}).
 *
 * <p>Decisions are per restart key: a replicated slot ({@code serviceId/slot}) or a global service's node
 * ({@code serviceId/node/nodeId}). The supervisor keeps, in memory and only while this manager leads:
 * <ul>
 *   <li>restart history per key, to count {@code MaxAttempts} within {@code Window};
 *   <li>keys whose attempts are used up, so that their slot stays empty instead of being refilled;
 *   <li>a timer list of delayed restarts: the replacement task is created only once {@code Delay} has
 *       passed on the injected clock. Until then the slot counts as occupied.
 * </ul>
 * A new leader starts with none of this: a slot whose restart was pending is refilled at once.
 *
 * <p>Thread-safe: the replicated and global orchestrators share one supervisor, each owning its own keys.
 */
public final class RestartSupervisor {
  /** Docker's default restart delay. */
  public static final Duration DEFAULT_DELAY = Duration.ofSeconds(5);

  static final String ANY = "any";
  static final String ON_FAILURE = "on-failure";
  static final String NONE = "none";

  private record Pending(String serviceId, Instant due, Object owner) {}

  private final Map<String, Pending> pending = new HashMap<>();
  private final Map<String, Deque<Instant>> history = new HashMap<>();
  private final Set<String> exhausted = new HashSet<>();
  /** The orchestrators' counters; the supervisor is what they share. */
  private final OrchestratorMetrics metrics;

  public RestartSupervisor() {
    this(new OrchestratorMetrics(new io.jswarm.transport.metrics.Metrics()));
  }

  public RestartSupervisor(OrchestratorMetrics metrics) {
    this.metrics = metrics;
  }

  OrchestratorMetrics metrics() {
    return metrics;
  }

  /** Restart key of a replicated slot. */
  static String slotKey(String serviceId, long slot) {
    return serviceId + "/" + slot;
  }

  /** Restart key of a global service's task on a node. */
  static String nodeKey(String serviceId, String nodeId) {
    return serviceId + "/node/" + nodeId;
  }

  /**
   * Whether the policy's condition asks for a restart of this stopped task: {@code any} (default) always,
   * {@code none} never, {@code on-failure} unless the task completed cleanly (state COMPLETE and exit code 0 or
   * unknown) — a task that failed, was rejected, or was shut down or orphaned without being asked counts as
   * a failure, as in swarmkit.
   */
  static boolean conditionAllows(Task t) {
    String c = condition(policy(t));
    if (c.equals(NONE)) {
      return false;
    }
    if (c.equals(ON_FAILURE)) {
      Long exit = TaskFacts.exitCode(t);
      boolean clean = TaskFacts.observed(t) == TaskState.COMPLETE && (exit == null || exit == 0);
      return !clean;
    }
    return true;
  }

  /** The restart delay of a task's policy; unset means {@link #DEFAULT_DELAY}, negative means none. */
  static Duration delay(Task t) {
    RestartPolicy p = policy(t);
    if (p == null || p.delay == null) {
      return DEFAULT_DELAY;
    }
    return p.delay <= 0 ? Duration.ZERO : Duration.ofNanos(p.delay);
  }

  /** Whether another restart under {@code key} stays within MaxAttempts (0 = unlimited) in Window (0 = ever). */
  synchronized boolean attemptsLeft(String key, Task t, Instant now) {
    long max = maxAttempts(t);
    if (max <= 0) {
      return true;
    }
    RestartPolicy p = policy(t);
    long window = p.window == null ? 0 : p.window;
    Deque<Instant> h = history.get(key);
    if (h == null) {
      return true;
    }
    long count = 0;
    Instant since = window > 0 ? now.minusNanos(window) : null;
    for (Instant at : h) {
      if (since == null || at.isAfter(since)) {
        count++;
      }
    }
    return count < max;
  }

  /**
   * Records a restart of {@code t}'s slot at {@code at}. Only the last MaxAttempts restarts can matter, so no
   * more are kept; unlimited policies keep none.
   */
  synchronized void recordRestart(String key, Task t, Instant at) {
    long max = maxAttempts(t);
    if (max <= 0) {
      return;
    }
    Deque<Instant> h = history.computeIfAbsent(key, k -> new ArrayDeque<>());
    h.addLast(at);
    while (h.size() > max) {
      h.pollFirst();
    }
    exhausted.remove(key);
  }

  synchronized void markExhausted(String key) {
    exhausted.add(key);
  }

  synchronized boolean isExhausted(String key) {
    return exhausted.contains(key);
  }

  /** Forgets the history of a key, e.g. when an update gives the slot a new spec. */
  synchronized void resetHistory(String key) {
    history.remove(key);
    exhausted.remove(key);
  }

  /** Schedules the replacement under {@code key} for {@code due}; {@code owner} is the loop that will create it. */
  synchronized void schedule(String key, String serviceId, Instant due, Object owner) {
    pending.put(key, new Pending(serviceId, due, owner));
  }

  /** When the delayed restart under {@code key} is due, or null when none is pending. */
  synchronized Instant due(String key) {
    Pending p = pending.get(key);
    return p == null ? null : p.due;
  }

  synchronized void cancel(String key) {
    pending.remove(key);
  }

  /** Forgets everything about a key: pending restart and history. */
  synchronized void forget(String key) {
    pending.remove(key);
    resetHistory(key);
  }

  /** Forgets everything about a service's keys. */
  synchronized void forgetService(String serviceId) {
    String prefix = serviceId + "/";
    pending.keySet().removeIf(k -> k.startsWith(prefix));
    history.keySet().removeIf(k -> k.startsWith(prefix));
    exhausted.removeIf(k -> k.startsWith(prefix));
  }

  /** Cancels the pending restarts of a service that {@code owner} was to create (the service changed mode). */
  synchronized void cancelOwned(String serviceId, Object owner) {
    pending.values().removeIf(p -> p.serviceId.equals(serviceId) && p.owner == owner);
  }

  /** The earliest due time of the restarts {@code owner} will create, or null. */
  synchronized Instant nextDue(Object owner) {
    Instant next = null;
    for (Pending p : pending.values()) {
      if (p.owner == owner && (next == null || p.due.isBefore(next))) {
        next = p.due;
      }
    }
    return next;
  }

  /** Services with a restart owned by {@code owner} due at {@code now}. */
  synchronized Set<String> dueServices(Object owner, Instant now) {
    Set<String> out = new HashSet<>();
    for (Pending p : pending.values()) {
      if (p.owner == owner && !p.due.isAfter(now)) {
        out.add(p.serviceId);
      }
    }
    return out;
  }

  /** Number of pending delayed restarts (for tests and status). */
  public synchronized int pendingCount() {
    return pending.size();
  }

  /** Drops all in-memory state: this manager stopped leading. */
  public synchronized void clear() {
    pending.clear();
    history.clear();
    exhausted.clear();
  }

  private static RestartPolicy policy(Task t) {
    return t.spec == null ? null : t.spec.restartPolicy;
  }

  private static long maxAttempts(Task t) {
    RestartPolicy p = policy(t);
    return p == null || p.maxAttempts == null ? 0 : p.maxAttempts;
  }

  private static String condition(RestartPolicy p) {
    if (p == null || p.condition == null || p.condition.isEmpty()) {
      return ANY;
    }
    return p.condition.toLowerCase(Locale.ROOT);
  }
}
