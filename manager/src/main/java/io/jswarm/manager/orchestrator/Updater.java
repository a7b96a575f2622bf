package io.jswarm.manager.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.types.Healthcheck;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.Timestamps;
import io.jswarm.api.types.UpdateConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolling updates and rollbacks with Docker's semantics: a slot whose task has a spec other than the
 * service's current {@code TaskTemplate} (a spec change, a {@code ForceUpdate} bump, or a rollback) is
 * replaced, {@code Parallelism} slots at a time (0 = all), stop-first (old task desired SHUTDOWN, then the new
 * one) or start-first (the old task is shut down once the new one is ready). A new task is <em>ready</em> when
 * it is RUNNING and, if it has a health check, healthy. The next replacement starts once a running one is
 * ready, and not before {@code Delay} after the last task became ready.
 *
 * <p>A new task that ends on its own (COMPLETE, FAILED — an unhealthy container ends FAILED — or REJECTED)
 * before it has been ready for {@code Monitor} is a failure; when failures exceed {@code MaxFailureRatio} of
 * the service's slots, {@code FailureAction} applies: {@code pause} (state paused / rollback_paused),
 * {@code rollback} (the previous spec becomes the spec, state rollback_started, rolled out with
 * {@code RollbackConfig}) or {@code continue}. The update completes {@code Monitor} after the last new task
 * became ready.
 *
 * <p>The update's state lives in the store: {@code Service.UpdateStatus} (state, start time, jswarm's canary
 * count) and the tasks themselves (which slots have the new spec, which new tasks failed since the start).
 * Only two things are in memory, both only refinements: when this manager first saw a new task ready (for
 * Delay, Monitor and the failure window) and the wake-up times. A new leader therefore resumes an update where
 * the store says it is, restarting the Delay/Monitor windows of tasks that are ready and counting every
 * failure of a new task since the update started (it cannot know whether it was within Monitor).
 *
 * <p>Canary (jswarm extension): with {@code UpdateStatus.Canary = N} (set by {@code ?canary=N} on the update
 * call) at most N slots are replaced, start-first, and once they are ready the update pauses with a message
 * saying so; promote (state back to updating, Canary cleared) continues it, rollback replaces the canaries.
 */
public final class Updater {
  private static final Logger LOG = LoggerFactory.getLogger(Updater.class);

  public static final String UPDATING = "updating";
  public static final String PAUSED = "paused";
  public static final String COMPLETED = "completed";
  public static final String ROLLBACK_STARTED = "rollback_started";
  public static final String ROLLBACK_PAUSED = "rollback_paused";
  public static final String ROLLBACK_COMPLETED = "rollback_completed";

  /** Docker's default: one task at a time. */
  public static final long DEFAULT_PARALLELISM = 1;
  /** Docker's default monitor period. */
  public static final Duration DEFAULT_MONITOR = Duration.ofSeconds(5);

  /** Bound of the in-memory maps (they are refinements only; past this they are dropped). */
  private static final int MAX_REMEMBERED = 100_000;

  /** When this manager first saw a new task ready (on the orchestrator's clock), by task id. */
  private final Map<String, Instant> readySince = new ConcurrentHashMap<>();
  /** Whether a stopped new task counted as a failure, decided once when first seen stopped. */
  private final Map<String, Boolean> failureVerdict = new ConcurrentHashMap<>();
  /** When a service's update must be looked at again (end of a Delay or Monitor window). */
  private final Map<String, Instant> wake = new ConcurrentHashMap<>();
  /** Which tasks run their service's current template (pass thread only). */
  private final CurrentTemplate current = new CurrentTemplate();

  /** The effective settings of an UpdateConfig or RollbackConfig, with Docker's defaults. */
  record Settings(long parallelism, Duration delay, String failureAction, Duration monitor,
      double maxFailureRatio, boolean startFirst) {
    static Settings of(UpdateConfig u) {
      if (u == null) {
        u = new UpdateConfig();
      }
      return new Settings(u.parallelism == null ? DEFAULT_PARALLELISM : Math.max(0, u.parallelism),
          Duration.ofNanos(u.delay == null ? 0 : Math.max(0, u.delay)),
          u.failureAction == null || u.failureAction.isEmpty() ? "pause" : u.failureAction,
          u.monitor == null ? DEFAULT_MONITOR : Duration.ofNanos(Math.max(0, u.monitor)),
          u.maxFailureRatio == null ? 0 : u.maxFailureRatio,
          "start-first".equals(u.order));
    }
  }

  /** The earliest wake-up time over all services, or null. */
  Instant nextWake() {
    Instant min = null;
    for (Instant i : wake.values()) {
      if (min == null || i.isBefore(min)) {
        min = i;
      }
    }
    return min;
  }

  /** Services whose wake-up time is due at {@code now} (and forgets those times). */
  List<String> dueServices(Instant now) {
    List<String> out = new ArrayList<>();
    wake.forEach((id, at) -> {
      if (!now.isBefore(at)) {
        out.add(id);
      }
    });
    out.forEach(wake::remove);
    return out;
  }

  /** Drops the in-memory refinements (leadership lost). */
  void clear() {
    readySince.clear();
    failureVerdict.clear();
    wake.clear();
    current.clear();
  }

  /**
   * One pass of the update of {@code service}: {@code slots} are all its occupied slots (for failures and
   * ratios), {@code candidates} those that may be replaced now (not waiting for a delayed restart).
   */
  void run(Pass p, Service service, List<SlotGroup> slots, List<SlotGroup> candidates, ServiceOrchestrator o) {
    wake.remove(service.id);
    JsonNode template = current.of(service);
    Service.UpdateStatus st = service.updateStatus;
    String state = st == null ? null : st.state;
    boolean rollback = state != null && state.startsWith("rollback");
    Settings cfg = Settings.of(rollback ? service.spec.rollbackConfig : service.spec.updateConfig);
    Instant started = st == null ? null : instant(st.startedAt);

    List<SlotGroup> outdated = new ArrayList<>();
    int fresh = 0;
    int inFlight = 0;
    for (SlotGroup g : candidates) {
      Task cur = current(g);
      if (cur == null) {
        continue;
      }
      if (!matches(cur, template) || TaskFacts.moving(cur)) {
        outdated.add(g);
        continue;
      }
      fresh++;
      if (ready(cur)) {
        readySince.putIfAbsent(cur.id, p.now);
        retireOlder(p, g, cur, template);
      } else if (TaskFacts.runnable(cur) && !TaskFacts.stopped(cur) && createdSince(cur, started)) {
        inFlight++;
      }
    }

    // only tasks a rebalance moves: start-first whatever the order, so that the service never has fewer ready tasks
    boolean rebalance = !outdated.isEmpty() && outdated.stream().allMatch(g -> matches(current(g), template));
    boolean active = isActive(service);
    if (!active) {
      forget(slots);
    }
    if (active && started != null && failed(p, service, slots, template, started, cfg, rollback)) {
      return;
    }
    if (!active) {
      if (outdated.isEmpty() || PAUSED.equals(state) || ROLLBACK_PAUSED.equals(state)) {
        return;
      }
      // Nothing in progress (never updated, or the last update or rollback completed): a new update starts.
      st = new Service.UpdateStatus();
      st.state = UPDATING;
      st.startedAt = Timestamps.format(p.now);
      st.message = rebalance ? "rebalance in progress" : "update in progress";
      service.updateStatus = st;
      save(p, service);
      state = UPDATING;
      started = p.now;
    }

    if (outdated.isEmpty() && inFlight == 0) {
      Instant last = lastReady(slots, template, started);
      if (last != null && p.now.isBefore(last.plus(cfg.monitor))) {
        wake.put(service.id, last.plus(cfg.monitor));
        return;
      }
      st.state = rollback ? ROLLBACK_COMPLETED : COMPLETED;
      // An automatic rollback keeps its reason: a client polling now and then may never have seen it.
      String reason = rollback && st.message != null && st.message.startsWith("update rolled back")
          ? " (" + st.message + ")" : "";
      st.message = rollback ? "rollback completed" + reason : "update completed";
      st.completedAt = Timestamps.format(p.now);
      st.canary = null;
      save(p, service);
      forget(slots);
      LOG.info("service {}: {}", service.spec.name, st.message);
      return;
    }

    long canary = UPDATING.equals(state) && st.canary != null ? st.canary : 0;
    long allowed = Long.MAX_VALUE;
    if (canary > 0) {
      if (fresh >= canary) {
        if (inFlight == 0) {
          st.state = PAUSED;
          st.message = "canary: " + fresh + " of " + slots.size() + " tasks run the new spec; `jswarm service promote "
              + service.spec.name + "` to continue or `jswarm service rollback " + service.spec.name + "`";
          save(p, service);
        }
        return;
      }
      allowed = canary - fresh;
    }

    if (!cfg.delay.isZero()) {
      Instant last = lastReady(slots, template, started);
      if (last != null && p.now.isBefore(last.plus(cfg.delay))) {
        wake.put(service.id, last.plus(cfg.delay));
        return;
      }
    }

    long budget = cfg.parallelism == 0 ? outdated.size() : Math.max(0, cfg.parallelism - inFlight);
    budget = Math.min(budget, allowed);
    boolean startFirst = cfg.startFirst || canary > 0 || rebalance;
    for (int i = 0; i < Math.min(budget, outdated.size()); i++) {
      if (p.full()) {
        return;
      }
      SlotGroup g = outdated.get(i);
      Task old = g.running();
      if (old != null && !startFirst) {
        p.desire(old, TaskState.SHUTDOWN);
      }
      o.create(p, service, g);
      o.updated(p, g);
    }
  }

  /**
   * Counts the failures of new tasks since the update started and applies the failure action when they are
   * too many. True when the action stopped this pass (paused, or rolled back).
   */
  private boolean failed(Pass p, Service service, List<SlotGroup> slots, JsonNode template, Instant started,
      Settings cfg, boolean rollback) {
    int failures = 0;
    Task last = null;
    for (SlotGroup g : slots) {
      for (Task t : g.tasks) {
        if (!isFailure(t) || !createdSince(t, started) || !matches(t, template)) {
          continue;
        }
        Instant ready = readySince.get(t.id);
        Instant now = p.now;
        boolean counts = failureVerdict.computeIfAbsent(t.id,
            id -> ready == null || !now.isAfter(ready.plus(cfg.monitor)));
        if (counts) {
          failures++;
          if (last == null || TaskFacts.OLDEST_FIRST.compare(last, t) < 0) {
            last = t;
          }
        }
      }
    }
    if (failures == 0 || (double) failures / Math.max(1, slots.size()) <= cfg.maxFailureRatio) {
      return false;
    }
    String action = cfg.failureAction;
    if ("continue".equals(action)) {
      return false;
    }
    Service.UpdateStatus st = service.updateStatus;
    String why = "due to failure or early termination of task " + last.id;
    if ("rollback".equals(action) && !rollback && service.previousSpec != null) {
      service.spec = service.previousSpec;
      service.previousSpec = null;
      st.state = ROLLBACK_STARTED;
      st.startedAt = Timestamps.format(p.now);
      st.completedAt = null;
      st.canary = null;
      st.message = "update rolled back " + why;
    } else {
      st.state = rollback ? ROLLBACK_PAUSED : PAUSED;
      st.message = (rollback ? "rollback paused " : "update paused ") + why;
    }
    save(p, service);
    LOG.info("service {}: {}", service.spec.name, st.message);
    return true;
  }

  /** Drops what memory holds about these slots' tasks once no update runs (and everything past a bound). */
  private void forget(List<SlotGroup> slots) {
    if (readySince.size() > MAX_REMEMBERED || failureVerdict.size() > MAX_REMEMBERED) {
      readySince.clear();
      failureVerdict.clear();
      return;
    }
    for (SlotGroup g : slots) {
      for (Task t : g.tasks) {
        readySince.remove(t.id);
        failureVerdict.remove(t.id);
      }
    }
  }

  /** A start-first slot whose new task is ready: its older tasks with another spec are shut down. */
  private void retireOlder(Pass p, SlotGroup g, Task cur, JsonNode template) {
    for (Task t : g.tasks) {
      if (t != cur && TaskFacts.runnable(t) && (!matches(t, template) || TaskFacts.moving(t))) {
        p.desire(t, TaskState.SHUTDOWN);
      }
    }
  }

  /** The latest time a new task (created since the update started) was first seen ready, or null. */
  private Instant lastReady(List<SlotGroup> slots, JsonNode template, Instant started) {
    Instant last = null;
    for (SlotGroup g : slots) {
      for (Task t : g.tasks) {
        Instant r = readySince.get(t.id);
        if (r != null && createdSince(t, started) && matches(t, template) && (last == null || r.isAfter(last))) {
          last = r;
        }
      }
    }
    return last;
  }

  private static void save(Pass p, Service service) {
    Service stored = p.saveService(service);
    service.version = stored.version;
  }

  /** Whether the service's update or rollback is running (not paused, completed or never started). */
  static boolean isActive(Service s) {
    String state = s.updateStatus == null ? null : s.updateStatus.state;
    return UPDATING.equals(state) || ROLLBACK_STARTED.equals(state);
  }

  /** A task that ended on its own: not shut down, removed or orphaned by the manager. */
  static boolean isFailure(Task t) {
    TaskState s = TaskFacts.observed(t);
    return s == TaskState.FAILED || s == TaskState.COMPLETE || s == TaskState.REJECTED;
  }

  /**
   * RUNNING and, with a health check, healthy. The worker reports {@code Health} for a container with a health
   * check (the spec's or the image's); a spec health check without a report yet is not ready.
   */
  static boolean ready(Task t) {
    if (TaskFacts.observed(t) != TaskState.RUNNING) {
      return false;
    }
    String health = t.status.containerStatus == null ? null : t.status.containerStatus.health;
    if (health != null) {
      return "healthy".equals(health);
    }
    return !hasHealthcheck(t.spec);
  }

  static boolean hasHealthcheck(TaskSpec spec) {
    Healthcheck h = spec == null || spec.containerSpec == null ? null : spec.containerSpec.healthcheck;
    return h != null && h.test != null && !h.test.isEmpty() && !"NONE".equals(h.test.get(0));
  }

  private boolean matches(Task t, JsonNode template) {
    return current.matches(t, template);
  }

  private static boolean createdSince(Task t, Instant started) {
    if (started == null) {
      return false;
    }
    Instant c = instant(t.createdAt);
    return c != null && !c.isBefore(started);
  }

  private static Instant instant(String ts) {
    if (ts == null || ts.isEmpty()) {
      return null;
    }
    try {
      return Timestamps.parse(ts);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Task current(SlotGroup g) {
    Task r = g.running();
    return r != null ? r : g.stoppedNewest();
  }
}
