package io.jswarm.manager.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.UpdateConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal stop-first rolling update: a slot whose task has a spec other than the service's current
 * {@code TaskTemplate} (a spec change or a {@code ForceUpdate} bump) is replaced — old task desired SHUTDOWN,
 * new task in the same slot — at most {@code UpdateConfig.Parallelism} slots at a time (default 1, 0 = all),
 * and the next batch only once the replacements run.
 *
 * <p>Stateless, so it survives a leader change: a slot is "in flight" while its runnable task has the current
 * spec but has not reached RUNNING and the slot still holds a stopped-or-stopping task with an older spec.
 * The full updater (issue 7: delay, monitor, failure action, rollback, start-first) grows from here.
 */
public final class Updater {
  /** Docker's default: one task at a time. */
  public static final long DEFAULT_PARALLELISM = 1;

  /**
   * Slots (among {@code slots}, in order) to replace now. A slot's current task is its runnable task, or its
   * newest stopped task when the restart policy left the slot settled; slots with neither are skipped.
   */
  List<SlotGroup> toReplace(Service service, List<SlotGroup> slots) {
    JsonNode template = TaskFacts.tree(service.spec.taskTemplate);
    List<SlotGroup> outdated = new ArrayList<>();
    int inFlight = 0;
    for (SlotGroup g : slots) {
      Task current = current(g);
      if (current == null) {
        continue;
      }
      if (!TaskFacts.tree(current.spec).equals(template)) {
        outdated.add(g);
      } else if (inFlight(g, current, template)) {
        inFlight++;
      }
    }
    long parallelism = parallelism(service);
    if (outdated.isEmpty() || parallelism == 0) {
      return outdated;
    }
    long budget = Math.max(0, parallelism - inFlight);
    return outdated.subList(0, (int) Math.min(budget, outdated.size()));
  }

  static long parallelism(Service service) {
    UpdateConfig u = service.spec.updateConfig;
    if (u == null || u.parallelism == null) {
      return DEFAULT_PARALLELISM;
    }
    return Math.max(0, u.parallelism);
  }

  private static Task current(SlotGroup g) {
    Task r = g.running();
    return r != null ? r : g.stoppedNewest();
  }

  private static boolean inFlight(SlotGroup g, Task current, JsonNode template) {
    if (!TaskFacts.runnable(current) || TaskFacts.observed(current).number() >= TaskState.RUNNING.number()) {
      return false;
    }
    for (Task t : g.tasks) {
      if (t != current && !TaskFacts.runnable(t) && !TaskFacts.tree(t.spec).equals(template)) {
        return true;
      }
    }
    return false;
  }
}
