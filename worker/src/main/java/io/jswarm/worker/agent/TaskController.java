package io.jswarm.worker.agent;

import io.jswarm.api.json.Json;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.Timestamps;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one assigned task through its {@link TaskRuntime} and reports what it observes, forward only:
 * accepted -> preparing -> ready -> starting -> running -> complete | failed, or shutdown once the manager's
 * desired state is shutdown or later, rejected when preparing fails. Messages are Docker's ("accepted",
 * "preparing", "prepared", "starting", "started", "finished", "shutdown"); failures carry the error in
 * {@code Err} (a non-zero exit is {@code task: non-zero exit (N)}).
 *
 * <p>All work runs on the given pool, one step at a time per task: {@link #update} and {@link #remove} only
 * record what changed and schedule a step. Statuses go to the {@link StatusListener} as they happen.
 */
public final class TaskController {
  private static final Logger log = LoggerFactory.getLogger(TaskController.class);
  /** Used when the task's spec sets no {@code StopGracePeriod}; Docker's default. */
  public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(10);
  /**
   * How long a running task that other containers reach through the network (it has overlay or ingress
   * attachments: a VIP, DNS or routing-mesh backend) keeps running after the manager asked for its shutdown,
   * before its stop signal. The manager's change reaches every node's balancing rules in that time, so no new
   * connection is sent to a process that is about to stop; the connections it has finish during the stop grace
   * period. Docker waits 2 s for its gossip to converge; jswarm's rules are pushed by the dispatcher.
   */
  public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(1);

  /** Receives each new status of a task. Called on a controller thread; must not block. */
  @FunctionalInterface
  public interface StatusListener {
    void statusChanged(String taskId, Task.TaskStatus status);
  }

  private final String taskId;
  private final Executor executor;
  private final java.util.concurrent.Executor pool;
  private final Clock clock;
  private final StatusListener listener;
  private final Duration drain;

  private final Object lock = new Object();
  private volatile Task task;
  private volatile Task.TaskStatus status;
  private volatile boolean removed;
  private volatile TaskRuntime.Exit exited;
  private TaskRuntime runtime;
  private boolean runtimeRemoved;
  private String reportedHealth;
  private boolean active;
  private boolean again;

  /**
   * @param task the task as assigned (its status is the starting point: a task seen again after an agent
   *     restart continues from what was reported)
   * @param pool runs the steps (blocking: prepare may pull an image)
   */
  public TaskController(Task task, Executor executor, java.util.concurrent.Executor pool, Clock clock,
      StatusListener listener) {
    this(task, executor, pool, clock, listener, DEFAULT_DRAIN);
  }

  /** @param drain see {@link #DEFAULT_DRAIN} */
  public TaskController(Task task, Executor executor, java.util.concurrent.Executor pool, Clock clock,
      StatusListener listener, Duration drain) {
    this.drain = drain;
    this.taskId = task.id;
    this.task = task;
    this.executor = executor;
    this.pool = pool;
    this.clock = clock;
    this.listener = listener;
    Task.TaskStatus s = task.status == null ? new Task.TaskStatus() : Json.copy(task.status);
    if (s.state == null) {
      s.state = TaskState.ASSIGNED;
    }
    this.status = s;
  }

  public String taskId() {
    return taskId;
  }

  /** The last status this controller reported (or the assigned one before the first report). */
  public Task.TaskStatus status() {
    return status;
  }

  /** The task as last assigned. */
  public Task task() {
    return task;
  }

  /** Begins driving the task. */
  public void start() {
    kick();
  }

  /** A newer copy of the task from the manager (desired state, spec); its status field is ignored. */
  public void update(Task newer) {
    task = newer;
    kick();
  }

  /** The task is no longer assigned here: stop it, remove its runtime, report nothing more. */
  public void remove() {
    removed = true;
    kick();
  }

  /** True once nothing remains to do: the task ended (and, if removed, its runtime is gone). */
  public boolean isDone() {
    synchronized (lock) {
      return status.state.isTerminal() && (!removed || runtime == null || runtimeRemoved) && !active;
    }
  }

  private void kick() {
    synchronized (lock) {
      if (active) {
        again = true;
        return;
      }
      active = true;
    }
    try {
      pool.execute(this::drive);
    } catch (RejectedExecutionException stopped) {
      synchronized (lock) {
        active = false;
      }
    }
  }

  private void drive() {
    while (true) {
      try {
        step();
      } catch (RuntimeException e) {
        log.warn("task {}: unexpected error: {}", taskId, e.toString());
      }
      synchronized (lock) {
        if (!again) {
          active = false;
          return;
        }
        again = false;
      }
    }
  }

  /** Moves the task as far as it can go now; returns when it must wait (for its exit, or for the manager). */
  private void step() {
    while (!Thread.currentThread().isInterrupted()) {
      Task t = task;
      TaskState state = status.state;
      TaskRuntime.Exit exit = exited;
      if (state == TaskState.RUNNING && exit != null && !removed && !wantsShutdown(t)) {
        reportExit(exit);
        continue;
      }
      if (state.isTerminal()) {
        if (removed) {
          removeRuntime();
        }
        return;
      }
      if (removed || wantsShutdown(t)) {
        if (!removed && state == TaskState.RUNNING && exit == null && isBackend(t)) {
          drain();
        }
        stopRuntime(t);
        if (removed) {
          removeRuntime();
        } else {
          report(TaskState.SHUTDOWN, "shutdown", null);
        }
        return;
      }
      TaskState desired = t.desiredState == null ? TaskState.RUNNING : t.desiredState;
      if (desired.number() < TaskState.RUNNING.number() && state.number() >= desired.number()) {
        return; // held before running (e.g. desired ready), until the manager asks for more
      }
      switch (state) {
        case NEW, PENDING, ASSIGNED -> report(TaskState.ACCEPTED, "accepted", null);
        case ACCEPTED -> report(TaskState.PREPARING, "preparing", null);
        case PREPARING -> {
          try {
            TaskRuntime r = executor.runtime(t);
            synchronized (lock) {
              runtime = r;
            }
            if (r.adopted()) {
              adopt(r);
              continue;
            }
            r.prepare();
            report(TaskState.READY, "prepared", null);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          } catch (Exception e) {
            report(TaskState.REJECTED, "preparing", errorText(e));
          }
        }
        case READY -> report(TaskState.STARTING, "starting", null);
        case STARTING -> {
          TaskRuntime r = runtime != null ? runtime : adoptable(t);
          if (r != null && r.adopted()) {
            adopt(r);
            continue;
          }
          if (r == null) {
            lost(t, "starting");
            continue;
          }
          try {
            r.start();
            report(TaskState.RUNNING, "started", null);
            watch(r);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          } catch (Exception e) {
            report(TaskState.FAILED, "starting", errorText(e));
          }
        }
        case RUNNING -> {
          if (runtime == null) {
            TaskRuntime r = adoptable(t);
            if (r != null && r.adopted()) {
              synchronized (lock) {
                runtime = r;
              }
              // Reported again (same state, new timestamp and pid): the manager sees the container was adopted.
              report(TaskState.RUNNING, "started", null);
              watch(r);
              continue;
            }
            lost(t, "started");
            continue;
          }
          String h = runtime.health();
          String limit = runtime.limitReached();
          if ((h != null && !h.equals(reportedHealth)) || (limit != null && !limit.equals(status.err))) {
            report(TaskState.RUNNING, "started", null);
          }
          return; // until it exits or the manager asks for a shutdown
        }
        default -> {
          return;
        }
      }
    }
  }

  /**
   * The task was starting or running under an earlier agent process and nothing adoptable is left of it: it
   * fails, and whatever the executor still holds of it goes first. An agent killed in the middle of a start can
   * leave a container running that it never recorded (no pid file); left alone, it would run on beside the
   * replacement the managers start for the failed task.
   */
  private void lost(Task t, String message) {
    try {
      executor.runtime(t).remove();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("task {}: removing what is left of its container failed: {}", taskId, errorText(e));
    }
    report(TaskState.FAILED, message, "the task's runtime was lost when the agent restarted");
  }

  /** A runtime whose process survived an earlier agent process, or null. */
  private TaskRuntime adoptable(Task t) {
    try {
      TaskRuntime r = executor.runtime(t);
      return r.adopted() ? r : null;
    } catch (RuntimeException e) {
      log.warn("task {}: cannot look for its container: {}", taskId, e.toString());
      return null;
    }
  }

  /** Continues with a process an earlier agent process started: it is running; its exit is watched. */
  private void adopt(TaskRuntime r) {
    synchronized (lock) {
      runtime = r;
    }
    if (status.state.canMoveTo(TaskState.RUNNING) && status.state != TaskState.RUNNING) {
      report(TaskState.RUNNING, "started", null);
    }
    watch(r);
  }

  private void watch(TaskRuntime r) {
    r.onChange(this::kick);
    r.exit().whenComplete((x, err) -> {
      exited = x != null ? x : new TaskRuntime.Exit(-1, false, errorText(err));
      kick();
    });
  }

  /** True when other containers may be sending it connections: it is attached to a network. */
  private static boolean isBackend(Task t) {
    return t.networksAttachments != null && !t.networksAttachments.isEmpty();
  }

  private void drain() {
    if (drain.isZero() || drain.isNegative()) {
      return;
    }
    log.debug("task {}: draining {} ms before its stop signal", taskId, drain.toMillis());
    try {
      Thread.sleep(drain.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean wantsShutdown(Task t) {
    return t.desiredState != null && t.desiredState.number() >= TaskState.SHUTDOWN.number();
  }

  private void reportExit(TaskRuntime.Exit exit) {
    if (exit.succeeded()) {
      report(TaskState.COMPLETE, "finished", null);
      return;
    }
    String err = exit.error() != null ? exit.error()
        : exit.oomKilled() ? "task: non-zero exit (" + exit.exitCode() + "): OOM killed"
        : "task: non-zero exit (" + exit.exitCode() + ")";
    TaskRuntime r = runtime;
    String limit = r == null ? null : r.limitReached();
    report(TaskState.FAILED, "started", limit == null ? err : err + "; " + limit);
  }

  private void stopRuntime(Task t) {
    TaskRuntime r = runtime;
    if (r == null) {
      return;
    }
    Long grace = t.spec == null || t.spec.containerSpec == null ? null : t.spec.containerSpec.stopGracePeriod;
    try {
      r.shutdown(grace == null ? DEFAULT_STOP_GRACE : Duration.ofNanos(grace));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.warn("task {}: shutdown failed: {}", taskId, errorText(e));
    }
  }

  private void removeRuntime() {
    TaskRuntime r;
    synchronized (lock) {
      if (runtimeRemoved) {
        return;
      }
      r = runtime;
    }
    if (r == null) {
      // Known only from an earlier agent process (e.g. it ended before this one started): whatever the executor
      // still holds of it (an ended container) goes too.
      try {
        r = executor.runtime(task);
      } catch (RuntimeException e) {
        log.warn("task {}: cannot look for its container: {}", taskId, e.toString());
        synchronized (lock) {
          runtimeRemoved = true;
        }
        return;
      }
    }
    try {
      r.remove();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (Exception e) {
      log.warn("task {}: remove failed: {}", taskId, errorText(e));
    }
    synchronized (lock) {
      runtimeRemoved = true;
    }
  }

  private void report(TaskState next, String message, String err) {
    Task.TaskStatus s = new Task.TaskStatus();
    s.state = status.state.moveTo(next);
    s.timestamp = Timestamps.format(clock.instant());
    TaskRuntime r = runtime;
    s.err = err == null && next == TaskState.RUNNING && r != null ? r.limitReached() : err;
    s.message = r == null || r.warnings().isEmpty() || next.number() < TaskState.READY.number() ? message
        : message + " (warning: " + String.join("; ", r.warnings()) + ")";
    if (r != null && r.publishedPorts() != null && !r.publishedPorts().isEmpty() && !next.isTerminal()) {
      s.portStatus = new Task.PortStatus();
      s.portStatus.ports = r.publishedPorts();
    }
    if (r != null && r.containerId() != null) {
      s.containerStatus = new Task.ContainerStatus();
      s.containerStatus.containerId = r.containerId();
      s.containerStatus.pid = next == TaskState.RUNNING ? r.pid() : null;
      TaskRuntime.Exit x = exited;
      if (x != null && next.isTerminal()) {
        s.containerStatus.exitCode = x.exitCode();
      }
      s.containerStatus.health = r.health();
      reportedHealth = s.containerStatus.health;
    }
    status = s;
    listener.statusChanged(taskId, s);
  }

  private static String errorText(Throwable e) {
    if (e == null) {
      return "unknown error";
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }
}
