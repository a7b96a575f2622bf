package io.jswarm.manager.orchestrator;

import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The tasks of one replicated slot or of one global service's node, as a reconciliation pass sees them: the
 * stored tasks not marked for removal plus what the pass itself created or changed. Mutable and pass-local.
 */
final class SlotGroup {
  /** Restart key, see {@link RestartSupervisor#slotKey} and {@link RestartSupervisor#nodeKey}. */
  final String key;
  /** Slot number (replicated) or null (global). */
  final Long slot;
  /** Node id (global) or null (replicated). */
  final String nodeId;
  /** Tasks oldest first; tasks whose desired state is REMOVE are not part of a slot. */
  final List<Task> tasks = new ArrayList<>();
  /** A delayed restart scheduled by this pass (not yet in the supervisor). */
  Instant scheduledNow;
  /** This pass found the restart attempts used up. */
  boolean exhaustedNow;

  SlotGroup(String key, Long slot, String nodeId) {
    this.key = key;
    this.slot = slot;
    this.nodeId = nodeId;
  }

  List<Task> runnable() {
    List<Task> out = new ArrayList<>(1);
    for (Task t : tasks) {
      if (TaskFacts.runnable(t)) {
        out.add(t);
      }
    }
    return out;
  }

  /** The one runnable task, or null (callers first reduce a slot to at most one). */
  Task running() {
    for (int i = tasks.size() - 1; i >= 0; i--) {
      if (TaskFacts.runnable(tasks.get(i))) {
        return tasks.get(i);
      }
    }
    return null;
  }

  Task newest() {
    return tasks.isEmpty() ? null : tasks.get(tasks.size() - 1);
  }

  /** The newest task, if it is stopped and its desired state is SHUTDOWN (it stopped and was not replaced). */
  Task stoppedNewest() {
    Task n = newest();
    if (n == null || TaskFacts.desired(n) != TaskState.SHUTDOWN || !TaskFacts.stopped(n)) {
      return null;
    }
    return n;
  }
}
