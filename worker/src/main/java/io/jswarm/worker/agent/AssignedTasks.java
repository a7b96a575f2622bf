package io.jswarm.worker.agent;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.types.Task;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent's assigned tasks, one {@link TaskController} each: a full assignment set replaces the whole set, increments
 * add, change or remove tasks; removed tasks are shut down and forgotten. {@link #apply} runs on the session thread;
 * the other methods may be called from any thread.
 */
final class AssignedTasks {
  private static final Logger log = LoggerFactory.getLogger(AssignedTasks.class);

  private final Map<String, TaskController> controllers = new ConcurrentHashMap<>();
  private final Executor executor;
  private final java.util.concurrent.Executor taskPool;
  private final Clock clock;
  private final TaskController.StatusListener statusChanged;
  private final Consumer<String> forgotten;
  /** Set once the executor was reconciled with a complete assignment set (session thread only). */
  private boolean reconciled;

  /**
   * @param statusChanged each controller's status reports
   * @param forgotten told the id of each task forgotten (no longer assigned)
   */
  AssignedTasks(Executor executor, java.util.concurrent.Executor taskPool, Clock clock,
      TaskController.StatusListener statusChanged, Consumer<String> forgotten) {
    this.executor = executor;
    this.taskPool = taskPool;
    this.clock = clock;
    this.statusChanged = statusChanged;
    this.forgotten = forgotten;
  }

  /** The controller of task {@code taskId}, or null. */
  TaskController get(String taskId) {
    return controllers.get(taskId);
  }

  /** Calls {@code each} with every task's id and controller. */
  void forEach(BiConsumer<String, TaskController> each) {
    controllers.forEach(each);
  }

  /** Applies an assignments message (session thread). */
  void apply(DispatcherMessage m) {
    List<Task> tasks = m.tasks == null ? List.of() : m.tasks;
    if (m.isFull()) {
      Set<String> keep = new HashSet<>();
      tasks.forEach(t -> keep.add(t.id));
      for (String id : new ArrayList<>(controllers.keySet())) {
        if (!keep.contains(id)) {
          forget(id);
        }
      }
      if (!reconciled) {
        // The first complete set since this agent started: whatever the executor holds for other tasks (left
        // by an earlier agent process) goes; the kept tasks' containers are adopted by their controllers.
        reconciled = true;
        try {
          executor.retainOnly(keep);
        } catch (RuntimeException e) {
          log.warn("reconciling the executor with the assigned tasks failed: {}", e.toString());
        }
      }
    }
    for (Task t : tasks) {
      TaskController c = controllers.get(t.id);
      if (c != null) {
        c.update(t);
      } else {
        // Tasks that ended before this agent knew them have nothing left to run, but their controller still
        // removes what the executor kept of them (an ended container) once they are no longer assigned.
        TaskController nc = new TaskController(t, executor, taskPool, clock, statusChanged);
        controllers.put(t.id, nc);
        nc.start();
      }
    }
    if (m.removed != null) {
      m.removed.forEach(this::forget);
    }
  }

  private void forget(String taskId) {
    TaskController c = controllers.remove(taskId);
    forgotten.accept(taskId);
    if (c != null) {
      c.remove();
    }
  }
}
