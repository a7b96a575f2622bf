package io.jswarm.worker.agent;

import io.jswarm.api.types.EventMessage;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The node's container events, as dockerd reports them for a task's container, made from the statuses the task's
 * controller reports ({@link Agent#addStatusListener}): {@code create} and {@code start} when it runs (both then,
 * so that both name the container's id), {@code health_status: healthy|unhealthy} when its health changes, and when it ends {@code oom} (killed for
 * memory), {@code kill} (the manager stopped it; {@code signal=15}) and {@code die} with {@code exitCode}; and
 * (a jswarm extension) {@code limit_reached} with {@code reason} (e.g. {@code pids limit 32 reached (3 forks
 * refused)}) once each time the limits a task ran into change, running or at its end. Type
 * {@code container}, scope {@code local}, Actor = the container id (the task's, when no container exists, as with
 * the simulated executor) with {@code image}, {@code name} and the container's labels as attributes.
 */
public final class ContainerEvents implements BiConsumer<Task, Task.TaskStatus> {
  private final Consumer<EventMessage> sink;
  private final Clock clock;
  /** What was last announced of each task, so that a status reported twice is one event. */
  private final Map<String, String> announced = new ConcurrentHashMap<>();
  /** The last {@code limit_reached} reason announced of each task. */
  private final Map<String, String> limits = new ConcurrentHashMap<>();

  public ContainerEvents(Consumer<EventMessage> sink, Clock clock) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void accept(Task task, Task.TaskStatus s) {
    if (task == null || s == null || s.state == null) {
      return;
    }
    String id = task.id;
    if (s.state == TaskState.RUNNING) {
      String health = s.containerStatus == null ? null : s.containerStatus.health;
      String last = announced.get(id);
      if (last == null) {
        send("create", task, s, Map.of());
        emit(id, "start", task, s, Map.of());
      } else if (health != null && !health.equals("starting") && !last.equals(health)) {
        announced.put(id, health);
        send("health_status: " + health, task, s, Map.of());
      }
      limitReached(task, s, s.err);
    } else if (s.state.isTerminal()) {
      if (announced.remove(id) == null) {
        return; // never started here (rejected, or ended before this agent knew it)
      }
      if (s.err != null && s.err.contains("OOM killed")) {
        send("oom", task, s, Map.of());
      }
      limitReached(task, s, limitPart(s.err));
      limits.remove(id);
      if (s.state == TaskState.SHUTDOWN) {
        send("kill", task, s, Map.of("signal", "15"));
      }
      Long code = s.containerStatus == null ? null : s.containerStatus.exitCode;
      send("die", task, s, Map.of("exitCode", String.valueOf(code == null ? (s.state == TaskState.COMPLETE ? 0 : 137)
          : code)));
    }
  }

  /** The limits part of an exit's error ({@code task: non-zero exit (1); pids limit 32 reached ...}), or null. */
  static String limitPart(String err) {
    if (err == null) {
      return null;
    }
    int from = -1;
    for (String marker : new String[] {"; pids limit ", "; volume "}) {
      int i = err.indexOf(marker);
      if (i >= 0 && (from < 0 || i < from)) {
        from = i;
      }
    }
    return from < 0 ? null : err.substring(from + 2);
  }

  /** Sends {@code limit_reached} when {@code reason} (a running task's Err, or the limit part of an exit's) is new. */
  private void limitReached(Task task, Task.TaskStatus s, String reason) {
    if (reason != null && !reason.equals(limits.get(task.id))) {
      limits.put(task.id, reason);
      send("limit_reached", task, s, Map.of("reason", reason));
    }
  }

  private void emit(String id, String action, Task task, Task.TaskStatus s, Map<String, String> extra) {
    announced.put(id, action);
    send(action, task, s, extra);
  }

  private void send(String action, Task task, Task.TaskStatus s, Map<String, String> extra) {
    String image = task.spec == null || task.spec.containerSpec == null ? "" : task.spec.containerSpec.image;
    String container = s.containerStatus != null && s.containerStatus.containerId != null
        ? s.containerStatus.containerId : task.id;
    Map<String, String> a = new LinkedHashMap<>(task.containerLabels());
    a.put("image", image == null ? "" : image);
    a.put("name", task.containerName());
    a.putAll(extra);
    EventMessage m = EventMessage.of("container", action, container, a, EventMessage.SCOPE_LOCAL, clock.instant());
    m.status = action;
    m.id = container;
    m.from = image;
    sink.accept(m);
  }
}
