package io.jswarm.worker.container;

import io.jswarm.linux.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One container's health check, Docker's semantics: the first check one interval after start, each run inside the
 * container with the runtime's {@code exec} (killed past its timeout); failures during the start period do not
 * count until a check has passed; {@code starting} until the first success, then {@code healthy}; after
 * {@code retries} consecutive failures {@code unhealthy}, and the container is stopped.
 */
final class ContainerHealth {
  private static final Logger log = LoggerFactory.getLogger(ContainerHealth.class);

  private final String id;
  private final ContainerExecutor ex;
  private final Path pidFile;
  private final BooleanSupplier ended;
  private final Runnable changed;
  private final Runnable stopContainer;
  private volatile HealthConfig config;
  private volatile String status;
  private volatile boolean unhealthy;
  private volatile ScheduledFuture<?> timer;
  private volatile long startedNanos = System.nanoTime();
  private int failures;
  /** How the last failed check failed, e.g. {@code exit code 1} or {@code timed out after 3s}. */
  private volatile String lastFailure;

  /**
   * @param ended whether the container has ended (no more checks)
   * @param changed called after each change of {@link #status}
   * @param stopContainer stops the container once it is unhealthy
   */
  ContainerHealth(String id, ContainerExecutor ex, Path stateDir, BooleanSupplier ended, Runnable changed,
      Runnable stopContainer) {
    this.id = id;
    this.ex = ex;
    this.pidFile = stateDir.resolve("health.pid");
    this.ended = ended;
    this.changed = changed;
    this.stopContainer = stopContainer;
  }

  /** The check to run, or null for none. */
  void configure(HealthConfig c) {
    this.config = c;
  }

  HealthConfig config() {
    return config;
  }

  /** {@code starting}, {@code healthy}, {@code unhealthy}, or null without a check. */
  String status() {
    return status;
  }

  /** Whether the check ended the container. */
  boolean madeItUnhealthy() {
    return unhealthy;
  }

  /** Why the check ended the container, for the task's {@code Status.Err}. */
  String unhealthyReason() {
    HealthConfig h = config;
    return "container unhealthy: health check failed " + (h == null ? "" : h.retries() + " times in a row ")
        + "(last: " + (lastFailure == null ? "failed" : lastFailure) + ")";
  }

  /** The container's process started now: the start period counts from here. */
  void containerStarted() {
    startedNanos = System.nanoTime();
  }

  void start() {
    HealthConfig h = config;
    if (h == null || timer != null) {
      return;
    }
    set("starting");
    timer = ex.timer.schedule(this::probe, h.interval().toNanos(), TimeUnit.NANOSECONDS);
  }

  void stop() {
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
    }
  }

  private void probe() {
    HealthConfig h = config;
    if (ended.getAsBoolean() || h == null) {
      return;
    }
    ex.work.execute(() -> {
      boolean ok = runProbe(h);
      synchronized (this) {
        if (ended.getAsBoolean()) {
          return;
        }
        boolean inStartPeriod = System.nanoTime() - startedNanos < h.startPeriod().toNanos();
        if (ok) {
          failures = 0;
          set("healthy");
        } else if (!inStartPeriod || "healthy".equals(status)) {
          failures++;
          if (failures >= h.retries()) {
            set("unhealthy");
            unhealthy = true;
            log.info("container {}: unhealthy after {} failed checks; stopping it", id, failures);
            stopContainer.run();
            return;
          }
        }
      }
      if (!ended.getAsBoolean() && !ex.timer.isShutdown()) {
        timer = ex.timer.schedule(this::probe, h.interval().toNanos(), TimeUnit.NANOSECONDS);
      }
    });
  }

  private boolean runProbe(HealthConfig h) {
    List<String> args = new ArrayList<>(List.of("exec", "--pid-file", pidFile.toString(), id));
    args.addAll(h.command());
    List<String> cmd = ex.runtimeCommand(args);
    try {
      Files.deleteIfExists(pidFile);
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      if (!p.waitFor(h.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        Long probe = ContainerExecutor.readPid(pidFile);
        if (probe != null && ContainerExecutor.alive(probe)) {
          Processes.kill(probe.intValue(), Processes.SIGKILL);
        }
        p.destroyForcibly();
        lastFailure = "timed out after " + h.timeout().toMillis() / 1000.0 + "s";
        return false;
      }
      if (p.exitValue() != 0) {
        lastFailure = "exit code " + p.exitValue();
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      lastFailure = "could not run: " + e.getMessage();
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void set(String h) {
    if (h.equals(status)) {
      return;
    }
    status = h;
    changed.run();
  }
}
