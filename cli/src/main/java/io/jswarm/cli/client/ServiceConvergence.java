package io.jswarm.cli.client;

import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code service create/update/scale} do without {@code --detach}: poll the service and its tasks until as
 * many tasks run as are desired (and no rolling update is still going), printing {@code overall progress: N out of
 * M tasks} whenever it changes and each task failure once, then {@code verify: Service converged}. Like Docker it
 * waits until then (interrupt to stop waiting; the service keeps converging in the background).
 */
public final class ServiceConvergence {
  private static final Duration POLL = Duration.ofMillis(500);

  /** Waits between polls; tests pass one that does not sleep. */
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private ServiceConvergence() {}

  /** The progress of one poll. */
  record Progress(long running, long desired, boolean updating, String updateFailure) {
    boolean converged() {
      return !updating && updateFailure == null && running == desired;
    }
  }

  /** Counts running tasks against desired ones (replicated: the replica count; global: tasks meant to run). */
  static Progress progress(Service s, List<Task> tasks) {
    Set<String> runningSlots = new HashSet<>();
    long desiredRunning = 0;
    for (Task t : tasks) {
      if (t.desiredState != TaskState.RUNNING) {
        continue;
      }
      desiredRunning++;
      if (t.status != null && t.status.state == TaskState.RUNNING) {
        runningSlots.add(t.slot != null && t.slot != 0 ? "slot " + t.slot : "node " + t.nodeId);
      }
    }
    long desired = desiredRunning;
    if (s.spec != null && s.spec.mode != null && s.spec.mode.replicated != null) {
      desired = s.spec.mode.replicated.replicas == null ? 1 : s.spec.mode.replicated.replicas;
    } else if (s.spec != null && s.spec.mode == null) {
      desired = 1;
    }
    String state = s.updateStatus == null ? null : s.updateStatus.state;
    boolean updating = "updating".equals(state) || "rollback_started".equals(state);
    String failure = "paused".equals(state) || "rollback_paused".equals(state)
        ? "update " + state + ": " + (s.updateStatus.message == null ? "" : s.updateStatus.message) : null;
    return new Progress(runningSlots.size(), desired, updating, failure);
  }

  /**
   * Polls until the service converges.
   *
   * @throws UsageException when the service's update is paused (Docker's "update paused" error)
   */
  public static void await(ApiClient api, String serviceId, PrintWriter out, Sleeper sleeper)
      throws InterruptedException {
    String path = "/services/" + ClientCommand.seg(serviceId);
    String tasksPath = new Filters().add("service", serviceId).appendTo("/tasks");
    Progress last = null;
    Set<String> reported = new HashSet<>();
    while (true) {
      Service s = api.get(path, Service.class);
      List<Task> tasks = Arrays.asList(api.get(tasksPath, Task[].class));
      for (Task t : tasks) {
        if (t.status != null && t.status.err != null && !t.status.err.isEmpty() && reported.add(t.id)) {
          out.println((t.slot != null && t.slot != 0 ? t.slot : t.nodeId) + ": " + t.status.err);
        }
      }
      Progress p = progress(s, tasks);
      if (last == null || p.running() != last.running() || p.desired() != last.desired()) {
        out.println("overall progress: " + p.running() + " out of " + p.desired() + " tasks");
        out.flush();
      }
      last = p;
      if (p.updateFailure() != null) {
        throw new UsageException(p.updateFailure());
      }
      if (p.converged()) {
        out.println("verify: Service converged");
        return;
      }
      sleeper.sleep(POLL);
    }
  }
}
