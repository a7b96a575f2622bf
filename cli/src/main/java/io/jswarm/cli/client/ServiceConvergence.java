package io.jswarm.cli.client;

import io.jswarm.api.listing.NaturalOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What {@code service create/update/rollback/scale} do while waiting: poll the service and its tasks until the
 * tasks of the current spec run (healthy, when they have a health check) in every slot and no update or rollback
 * is going on, drawing the progress as the Docker CLI does:
 *
 * <pre>
 * overall progress: 2 out of 3 tasks
 * 1/3: running   [==================================================&gt;]
 * 2/3: running   [==================================================&gt;]
 * 3/3: preparing [=================================&gt;                 ]
 * verify: Service converged
 * </pre>
 *
 * On a terminal the block is redrawn in place; otherwise each changed line is printed once. An update that
 * pauses or rolls back ends the wait with an error ({@code service update paused: ...}, {@code service rolled
 * back: ...}); a jswarm canary pause is the expected end of a canary update and prints its message.
 */
public final class ServiceConvergence {
  private static final Duration POLL = Duration.ofMillis(500);
  /** Width of Docker's progress bar. */
  private static final int BAR = 50;
  private static final String[] STATES = {"new", "allocated", "pending", "assigned", "accepted", "preparing",
      "ready", "starting", "running"};
  private static final int STATE_WIDTH = 9; // "preparing", the longest

  /** Waits between polls; tests pass one that does not sleep. */
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private ServiceConvergence() {}

  /** One slot's (or global node's) line. */
  record Line(String id, String state, boolean done) {}

  /** The progress of one poll. */
  record Progress(long running, long desired, List<Line> lines, String updateState, String message) {
    boolean updating() {
      return "updating".equals(updateState) || "rollback_started".equals(updateState);
    }

    boolean converged() {
      return !updating() && !"paused".equals(updateState) && !"rollback_paused".equals(updateState)
          && running == desired && (desired > 0 || !"job".equals(message));
    }
  }

  /**
   * Counts the slots (replicated) or nodes (global) whose task of the current spec runs, against the desired
   * count, and describes each.
   */
  static Progress progress(Service s, List<Task> tasks) {
    if (s.spec != null && s.spec.mode != null && s.spec.mode.isJob()) {
      return jobProgress(s, tasks);
    }
    JsonNode template = s.spec == null || s.spec.taskTemplate == null ? null
        : Json.mapper().valueToTree(s.spec.taskTemplate);
    boolean replicated = s.spec == null || s.spec.mode == null || s.spec.mode.replicated != null;
    Map<String, Task> bySlot = new TreeMap<>(NaturalOrder.INSTANCE);
    for (Task t : tasks) {
      if (t.desiredState == null || t.desiredState.number() > TaskState.RUNNING.number()) {
        continue;
      }
      String key = t.slot != null && t.slot != 0 ? Long.toString(t.slot) : t.nodeId;
      if (key == null) {
        continue;
      }
      Task have = bySlot.get(key);
      if (have == null || (!current(have, template) && current(t, template))) {
        bySlot.put(key, t);
      }
    }
    long desired;
    if (replicated) {
      desired = s.spec == null || s.spec.mode == null || s.spec.mode.replicated.replicas == null ? 1
          : s.spec.mode.replicated.replicas;
    } else {
      desired = bySlot.size();
    }
    List<Line> lines = new ArrayList<>();
    long running = 0;
    if (replicated) {
      for (long slot = 1; slot <= desired; slot++) {
        Task t = bySlot.get(Long.toString(slot));
        Line l = line(slot + "/" + desired, t, template);
        lines.add(l);
        running += l.done() ? 1 : 0;
      }
    } else {
      for (Map.Entry<String, Task> e : bySlot.entrySet()) {
        String id = e.getKey().length() > 12 ? e.getKey().substring(0, 12) : e.getKey();
        Line l = line(id, e.getValue(), template);
        lines.add(l);
        running += l.done() ? 1 : 0;
      }
    }
    String state = s.updateStatus == null ? null : s.updateStatus.state;
    String message = s.updateStatus == null ? null : s.updateStatus.message;
    return new Progress(running, desired, lines, state, message);
  }

  /**
   * A job's progress: the slots (replicated job, 1..TotalCompletions) or nodes (global job) of its current run whose
   * task completed, against all of them; a slot's line shows its newest task's state.
   */
  private static Progress jobProgress(Service s, List<Task> tasks) {
    long iteration = s.jobStatus == null || s.jobStatus.jobIteration == null ? 0 : s.jobStatus.jobIteration.index;
    boolean replicated = s.spec.mode.replicatedJob != null;
    long total = replicated ? s.spec.mode.replicatedJob.completions() : 0;
    Map<String, Line> bySlot = new TreeMap<>(NaturalOrder.INSTANCE);
    for (Task t : tasks) {
      // a replicated job's slots are 0-based, as in swarmkit
      String key = replicated ? (t.slot == null ? null : (t.slot + 1) + "/" + total) : t.nodeId;
      if (key == null || t.jobIteration == null || t.jobIteration.index != iteration) {
        continue;
      }
      TaskState st = t.status == null || t.status.state == null ? TaskState.NEW : t.status.state;
      Line have = bySlot.get(key);
      if (have == null || !have.done()) {
        bySlot.put(key, new Line(key, st.json(), st == TaskState.COMPLETE));
      }
    }
    long desired = replicated ? total : bySlot.size();
    long done = bySlot.values().stream().filter(Line::done).count();
    return new Progress(done, desired, new ArrayList<>(bySlot.values()), null, "job");
  }

  private static Line line(String id, Task t, JsonNode template) {
    if (t == null) {
      return new Line(id, "new", false);
    }
    TaskState st = t.status == null || t.status.state == null ? TaskState.NEW : t.status.state;
    String health = t.status == null || t.status.containerStatus == null ? null : t.status.containerStatus.health;
    String state = st.json();
    boolean ready = st == TaskState.RUNNING && (health == null || "healthy".equals(health));
    if (st == TaskState.RUNNING && !ready) {
      state = "starting"; // running, not yet healthy: Docker's task stays "starting" until then
    }
    boolean current = current(t, template);
    if (!current && st.number() <= TaskState.RUNNING.number()) {
      state = "new"; // the slot still runs the old spec
    }
    return new Line(id, state, ready && current);
  }

  private static boolean current(Task t, JsonNode template) {
    return template == null || t.spec == null || Json.mapper().valueToTree(t.spec).equals(template);
  }

  /** {@code 1/3: running   [=====>     ]}: the state padded as Docker pads it, then the bar. */
  static String render(Line l) {
    int n = 0;
    for (int i = 0; i < STATES.length; i++) {
      if (STATES[i].equals(l.state())) {
        n = i + 1;
      }
    }
    if (n == 0) {
      return l.id() + ": " + l.state();
    }
    int filled = Math.min(BAR, (int) (n * 100L / STATES.length) / 2);
    return l.id() + ": " + String.format("%-" + STATE_WIDTH + "s", l.state()) + " [" + "=".repeat(filled) + ">"
        + " ".repeat(BAR - filled) + "]";
  }

  /** Waits as for {@code service create} and {@code update} in plain-line mode (no rollback expected). */
  public static void await(ApiClient api, String serviceId, PrintWriter out, Sleeper sleeper)
      throws InterruptedException {
    await(api, serviceId, out, sleeper, false, false);
  }

  /**
   * Polls until the service converges.
   *
   * @param terminal redraw the progress block in place (stdout is a terminal)
   * @param rollback a rollback is what the caller asked for (rollback states are then expected, not errors)
   * @throws UsageException when the update pauses or is rolled back (Docker's errors)
   */
  public static void await(ApiClient api, String serviceId, PrintWriter out, Sleeper sleeper, boolean terminal,
      boolean rollback) throws InterruptedException {
    String path = "/services/" + ClientCommand.seg(serviceId);
    String tasksPath = new Filters().add("service", serviceId).appendTo("/tasks");
    Set<String> reported = new HashSet<>();
    Map<String, String> printed = new HashMap<>();
    String lastHeader = null;
    int drawn = 0;
    String rollbackMessage = null;
    while (true) {
      Service s = api.get(path, Service.class);
      List<Task> tasks = Arrays.asList(api.get(tasksPath, Task[].class));
      Progress p = progress(s, tasks);
      List<String> errors = new ArrayList<>();
      for (Task t : tasks) {
        if (t.status != null && t.status.err != null && !t.status.err.isEmpty() && reported.add(t.id)) {
          errors.add((t.slot != null && t.slot != 0 ? t.slot : t.nodeId) + ": " + t.status.err);
        }
      }
      if ("rollback_started".equals(p.updateState()) && !rollback && rollbackMessage == null) {
        rollbackMessage = p.message() == null ? "rollback started" : p.message();
        errors.add("rollback: " + rollbackMessage);
      }
      String header = "overall progress: " + ("rollback_started".equals(p.updateState()) ? "rolling back update: " : "")
          + p.running() + " out of " + p.desired() + " tasks";
      Map<String, String> lines = new LinkedHashMap<>();
      p.lines().forEach(l -> lines.put(l.id(), render(l)));
      if (terminal) {
        if (drawn > 0) {
          out.print("\u001b[" + drawn + "A"); // back to the top of the block
        }
        for (String e : errors) {
          out.print("\u001b[2K" + e + "\n");
        }
        out.print("\u001b[2K" + header + "\n");
        for (String l : lines.values()) {
          out.print("\u001b[2K" + l + "\n");
        }
        drawn = 1 + lines.size();
      } else {
        errors.forEach(out::println);
        if (!header.equals(lastHeader)) {
          out.println(header);
        }
        lines.forEach((id, l) -> {
          if (!l.equals(printed.get(id))) {
            out.println(l);
          }
        });
        printed.clear();
        printed.putAll(lines);
      }
      lastHeader = header;
      out.flush();

      String msg = p.message() == null ? "" : p.message();
      switch (p.updateState() == null ? "" : p.updateState()) {
        case "paused" -> {
          if (msg.startsWith("canary:")) {
            out.println(msg);
            out.flush();
            return;
          }
          throw new UsageException("service update paused: " + msg);
        }
        case "rollback_paused" -> throw new UsageException("service rollback paused: " + msg);
        case "rollback_completed" -> {
          if (!rollback) {
            throw new UsageException("service rolled back: " + (rollbackMessage != null ? rollbackMessage : msg));
          }
        }
        default -> { }
      }
      if (p.converged()) {
        out.println("verify: Service converged");
        out.flush();
        return;
      }
      sleeper.sleep(POLL);
    }
  }
}
