package io.jswarm.manager.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.Timestamps;
import java.time.Instant;
import java.util.Comparator;

/** Reading a task the way the orchestrators need: observed state, runnability, age and spec equality. */
final class TaskFacts {
  /** Oldest first: by creation time, then last status time, then id (stable for equal times). */
  static final Comparator<Task> OLDEST_FIRST = Comparator
      .comparing((Task t) -> instant(t.createdAt))
      .thenComparing(t -> instant(t.status == null ? null : t.status.timestamp))
      .thenComparing(t -> t.id == null ? "" : t.id);

  private TaskFacts() {}

  /** The observed state; a task without a status is NEW. */
  static TaskState observed(Task t) {
    return t.status == null || t.status.state == null ? TaskState.NEW : t.status.state;
  }

  static TaskState desired(Task t) {
    return t.desiredState == null ? TaskState.NEW : t.desiredState;
  }

  /** Desired state at most RUNNING: the manager still wants this task to run. */
  static boolean runnable(Task t) {
    return desired(t).number() <= TaskState.RUNNING.number();
  }

  static boolean stopped(Task t) {
    return observed(t).isTerminal();
  }

  /** Exit code the worker reported, or null. */
  static Long exitCode(Task t) {
    return t.status == null || t.status.containerStatus == null ? null : t.status.containerStatus.exitCode;
  }

  /** True when the task's spec is the template (JSON-equal, so map order and copies do not matter). */
  static boolean specMatches(TaskSpec spec, TaskSpec template) {
    JsonNode a = Json.mapper().valueToTree(spec);
    JsonNode b = Json.mapper().valueToTree(template);
    return a.equals(b);
  }

  private static Instant instant(String ts) {
    if (ts == null || ts.isEmpty()) {
      return Instant.EPOCH;
    }
    try {
      return Timestamps.parse(ts);
    } catch (RuntimeException e) {
      return Instant.EPOCH;
    }
  }
}
