package io.jswarm.api.types;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Task states with Swarm's numbering. A task's observed state only moves forward: {@link #canMoveTo} is the
 * transition check every writer of a task status goes through.
 */
public enum TaskState {
  NEW(0),
  PENDING(64),
  ASSIGNED(192),
  ACCEPTED(256),
  PREPARING(320),
  READY(384),
  STARTING(448),
  RUNNING(512),
  COMPLETE(576),
  SHUTDOWN(640),
  FAILED(704),
  REJECTED(768),
  REMOVE(800),
  ORPHANED(832);

  /** Every state by its JSON name: decoding a task reads two states, and 100,000 tasks are many decodes. */
  private static final java.util.Map<String, TaskState> BY_JSON = new java.util.HashMap<>();

  static {
    for (TaskState t : values()) {
      BY_JSON.put(t.json, t);
    }
  }

  private final int number;
  /** The JSON name, made once (it is also a store index key: the apply thread asks for it per task). */
  private final String json;

  TaskState(int number) {
    this.number = number;
    this.json = name().toLowerCase(Locale.ROOT);
  }

  /** Swarm's numeric value of this state. */
  public int number() {
    return number;
  }

  /** True once the task can no longer run: complete, shutdown, failed, rejected, remove or orphaned. */
  public boolean isTerminal() {
    return number >= COMPLETE.number;
  }

  /** Forward-only rule: a state may move to itself or to any later state, never back. */
  public boolean canMoveTo(TaskState next) {
    return next.number >= number;
  }

  /**
   * Checks a transition and returns the new state.
   *
   * @throws IllegalStateException when {@code next} is earlier than this state
   */
  public TaskState moveTo(TaskState next) {
    if (!canMoveTo(next)) {
      throw new IllegalStateException(
          "task state cannot move backwards from " + json() + " to " + next.json());
    }
    return next;
  }

  @JsonValue
  public String json() {
    return json;
  }

  @JsonCreator
  public static TaskState fromJson(String s) {
    TaskState t = s == null ? null : BY_JSON.get(s);
    if (t == null && s != null) {
      t = BY_JSON.get(s.toLowerCase(Locale.ROOT));
    }
    if (t != null) {
      return t;
    }
    throw new IllegalArgumentException("unknown task state \"" + s + "\"; allowed: new, pending, assigned, "
        + "accepted, preparing, ready, starting, running, complete, shutdown, failed, rejected, remove, orphaned");
  }
}
