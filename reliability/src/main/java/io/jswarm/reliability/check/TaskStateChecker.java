package io.jswarm.reliability.check;

import io.jswarm.api.types.TaskState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checker (c): task states only move forward. Every listing of tasks a client made is an observation with the
 * time span of its request; a task seen in state {@code s} by a listing that completed before another listing was
 * invoked must not be seen by that later listing in a state before {@code s} (reads are linearizable, so real-time
 * order across managers counts). Listings marked stale (a manager without quorum) are not passed in.
 */
public final class TaskStateChecker {
  public static final String NAME = "task-state";

  /** One task as one listing saw it. */
  public record Observation(String taskId, TaskState state, long invoke, long complete, String listing) {}

  public List<Anomaly> check(List<Observation> observations) {
    Map<String, List<Observation>> byTask = new HashMap<>();
    observations.forEach(o -> byTask.computeIfAbsent(o.taskId(), k -> new ArrayList<>()).add(o));
    List<Anomaly> out = new ArrayList<>();
    byTask.forEach((task, obs) -> {
      obs.sort((a, b) -> Long.compare(a.complete(), b.complete()));
      // the furthest state seen by a listing that completed before each later listing began
      for (Observation later : obs) {
        Observation furthest = null;
        for (Observation earlier : obs) {
          if (earlier.complete() < later.invoke()
              && (furthest == null || earlier.state().number() > furthest.state().number())) {
            furthest = earlier;
          }
        }
        if (furthest != null && later.state().number() < furthest.state().number()) {
          out.add(new Anomaly(NAME, task, "state went back from " + furthest.state() + " (" + furthest.listing()
              + ") to " + later.state() + " (" + later.listing() + ")"));
          return;
        }
      }
    });
    return out;
  }
}
