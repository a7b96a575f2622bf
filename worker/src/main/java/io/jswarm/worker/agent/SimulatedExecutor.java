package io.jswarm.worker.agent;

import io.jswarm.api.types.Task;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A test and benchmark executor: tasks are reported running without running anything, so that one machine can
 * play many nodes (the daemon's {@code --executor simulated}). Nothing is pulled, started or isolated.
 *
 * <p>To test restart policies a task can end by itself: container environment {@value #EXIT_ENV}{@code =<code>}
 * makes the simulated process exit with that code {@value #RUN_MS_ENV}{@code =<ms>} milliseconds after it
 * started (0 when unset). Without {@value #EXIT_ENV} a task runs until it is shut down.
 */
public final class SimulatedExecutor implements Executor {
  public static final String EXIT_ENV = "JSWARM_SIMULATED_EXIT";
  public static final String RUN_MS_ENV = "JSWARM_SIMULATED_RUN_MS";

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "simulated-exits");
    t.setDaemon(true);
    return t;
  });

  @Override
  public TaskRuntime runtime(Task task) {
    List<String> env = task.spec == null || task.spec.containerSpec == null ? null : task.spec.containerSpec.env;
    String exit = envValue(env, EXIT_ENV);
    String runMs = envValue(env, RUN_MS_ENV);
    Long exitCode = exit == null ? null : parse(EXIT_ENV, exit);
    long delay = runMs == null ? 0 : parse(RUN_MS_ENV, runMs);
    return new Simulated(task.id, exitCode, delay);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  private static String envValue(List<String> env, String name) {
    if (env == null) {
      return null;
    }
    String value = null;
    for (String e : env) {
      if (e != null && e.startsWith(name + "=")) {
        value = e.substring(name.length() + 1); // the last one wins, as in a process environment
      }
    }
    return value;
  }

  private static long parse(String name, String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("container env " + name + "=" + value + ": expected an integer");
    }
  }

  private final class Simulated implements TaskRuntime {
    private final String taskId;
    private final Long exitCode;
    private final long runMs;
    private final CompletableFuture<Exit> exit = new CompletableFuture<>();
    private volatile boolean started;

    Simulated(String taskId, Long exitCode, long runMs) {
      this.taskId = taskId;
      this.exitCode = exitCode;
      this.runMs = runMs;
    }

    @Override
    public void prepare() {}

    @Override
    public void start() {
      started = true;
      if (exitCode != null) {
        try {
          timer.schedule(() -> exit.complete(new Exit(exitCode, false, null)), Math.max(0, runMs),
              TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closed) {
          exit.complete(new Exit(-1, false, "the simulated executor was closed"));
        }
      }
    }

    @Override
    public CompletableFuture<Exit> exit() {
      return exit;
    }

    @Override
    public void shutdown(Duration grace) {
      if (started) {
        exit.complete(new Exit(0, false, null));
      }
    }

    @Override
    public void remove() {}

    @Override
    public String containerId() {
      return started ? "simulated-" + taskId : null;
    }
  }
}
