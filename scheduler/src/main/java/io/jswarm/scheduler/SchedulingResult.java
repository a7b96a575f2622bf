package io.jswarm.scheduler;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The outcome of one {@link Scheduler#schedule} pass: the node chosen for each placed task and, for each task
 * that fits nowhere, the message it should show (e.g. {@code no suitable node (insufficient resources on
 * 2 nodes)}). Every task given to the pass is in exactly one of the two maps.
 */
public final class SchedulingResult {
  private final Map<String, String> placements;
  private final Map<String, String> unplaced = new HashMap<>();

  SchedulingResult(int expected) {
    placements = new HashMap<>(Math.max(16, (int) (expected / 0.75f) + 1));
  }

  void place(String taskId, String nodeId) {
    placements.put(taskId, nodeId);
  }

  void refuse(String taskId, String message) {
    unplaced.put(taskId, message);
  }

  /** Task id -> node id of every placed task. */
  public Map<String, String> placements() {
    return Collections.unmodifiableMap(placements);
  }

  /** Task id -> why it fits no node, for every task left unplaced. */
  public Map<String, String> unplaced() {
    return Collections.unmodifiableMap(unplaced);
  }

  @Override
  public String toString() {
    return "SchedulingResult{placed=" + placements.size() + ", unplaced=" + unplaced.size() + "}";
  }
}
