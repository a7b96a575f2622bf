package io.jswarm.manager.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.Timestamps;
import java.time.Instant;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Reading a task the way the orchestrators need: observed state, runnability, age and spec equality. */
final class TaskFacts {
  /** Sort key of a task's age: creation time, then last status time, then id (stable for equal times). */
  private record Age(Instant created, Instant status, String id) implements Comparable<Age> {
    private static final Comparator<Age> ORDER = Comparator.comparing(Age::created)
        .thenComparing(Age::status).thenComparing(Age::id);

    static Age of(Task t) {
      return new Age(instant(t.createdAt), instant(t.status == null ? null : t.status.timestamp),
          t.id == null ? "" : t.id);
    }

    @Override
    public int compareTo(Age o) {
      return ORDER.compare(this, o);
    }
  }

  /** Oldest first (see {@link Age}); for one-off comparisons, {@link #sortOldestFirst} for lists. */
  static final Comparator<Task> OLDEST_FIRST = Comparator.comparing(Age::of);

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

  /** Sorts tasks oldest first, parsing each task's timestamps once. */
  static void sortOldestFirst(List<Task> tasks) {
    if (tasks.size() < 2) {
      return;
    }
    Map<Task, Age> ages = new IdentityHashMap<>();
    for (Task t : tasks) {
      ages.put(t, Age.of(t));
    }
    tasks.sort(Comparator.comparing(ages::get));
  }

  /**
   * What a current task of {@code service} is made of, as a JSON tree: the task template and the endpoint spec
   * (ports, endpoint mode). As swarmkit's {@code IsTaskDirty}, a task whose endpoint spec differs is out of date
   * too, so publishing a first port or changing one rolls the tasks (they need their ingress attachment).
   */
  static JsonNode template(Service service) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.set("Spec", tree(service.spec.taskTemplate));
    n.set("Endpoint", Json.mapper().valueToTree(service.spec.endpointSpec));
    return n;
  }

  /** The task in the shape of {@link #template}: its spec and the endpoint spec it was made with. */
  static JsonNode current(Task t) {
    ObjectNode n = Json.mapper().createObjectNode();
    n.set("Spec", tree(t.spec));
    n.set("Endpoint", Json.mapper().valueToTree(t.endpoint == null ? null : t.endpoint.spec));
    return n;
  }

  /** A task a rebalance moves ({@link Task#rebalance}): the updater replaces it, start-first. */
  static boolean moving(Task t) {
    return Boolean.TRUE.equals(t.rebalance);
  }

  /** True when both are JSON-equal (null only equals null). */
  static boolean sameTree(Object a, Object b) {
    return Objects.equals(Json.mapper().valueToTree(a), Json.mapper().valueToTree(b));
  }

  /**
   * The spec as a JSON tree, for repeated {@link #specMatches} comparisons. {@code Placement.RebalanceOnJoin} is
   * left out: it says when the leader rebalances, not how a task runs, so turning it on replaces no task. A
   * {@code ForceUpdate} of 0 is no {@code ForceUpdate} (swarmkit's is a number whose zero is "unset"): the docker
   * client sends {@code "ForceUpdate":0} with every spec it writes back, and {@code docker service scale} of a
   * service created without it replaced every task (with 100 runc containers a rolling update of minutes, under the
   * next {@code service scale}: {@code bench footprint --verbs all}).
   */
  static JsonNode tree(TaskSpec spec) {
    JsonNode n = Json.mapper().valueToTree(spec);
    if (n.path("Placement").has("RebalanceOnJoin")) {
      ((ObjectNode) n.get("Placement")).remove("RebalanceOnJoin");
    }
    if (n.path("ForceUpdate").isNumber() && n.path("ForceUpdate").longValue() == 0) {
      ((ObjectNode) n).remove("ForceUpdate");
    }
    return n;
  }

  /** True when the task's spec is the template (JSON-equal, so map order and copies do not matter). */
  static boolean specMatches(TaskSpec spec, TaskSpec template) {
    return tree(spec).equals(tree(template));
  }

  private static Instant instant(String ts) {
    if (ts == null || ts.isEmpty()) {
      return Instant.EPOCH;
    }
    try {
      return Instant.parse(ts); // the common UTC form, much cheaper than the general RFC 3339 parser
    } catch (RuntimeException e) {
      // offsets other than Z
    }
    try {
      return Timestamps.parse(ts);
    } catch (RuntimeException e) {
      return Instant.EPOCH;
    }
  }
}
