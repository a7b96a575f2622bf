package io.jswarm.worker.agent;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One task's life in an {@link Executor}, in the order its {@link TaskController} calls it: {@link #prepare},
 * {@link #start}, then {@link #exit} completes when the process ends; {@link #shutdown} stops it early;
 * {@link #remove} releases everything once the task is no longer assigned. Calls for one task never overlap.
 * Blocking methods may take long (an image pull) and are interrupted when the agent stops.
 */
public interface TaskRuntime {
  /** Pulls the image, prepares the root filesystem and network attachments. A failure rejects the task. */
  void prepare() throws Exception;

  /** Starts the task's process; returns once it runs. A failure fails the task. */
  void start() throws Exception;

  /** Completes once the started process has ended (also after {@link #shutdown}); never completes before start. */
  CompletableFuture<Exit> exit();

  /**
   * Stops the process: its stop signal, then a kill once {@code grace} has passed; returns when it has ended.
   * Does nothing when it never started or already ended.
   */
  void shutdown(Duration grace) throws Exception;

  /** Removes what {@link #prepare} and {@link #start} made (container, rootfs, endpoints). Idempotent. */
  void remove() throws Exception;

  /** The container's id, once there is one (for {@code Status.ContainerStatus}); null otherwise. */
  default String containerId() {
    return null;
  }

  /** Ports published in host mode on this node for the task (Docker's {@code PortStatus}), or null. */
  default java.util.List<io.jswarm.api.types.PortConfig> publishedPorts() {
    return null;
  }

  /** The process id while it runs, or null. */
  default Long pid() {
    return null;
  }

  /**
   * True when the task's process was started by an earlier agent process and survived its restart: the
   * controller then skips {@link #prepare} and {@link #start} and waits for {@link #exit}.
   */
  default boolean adopted() {
    return false;
  }

  /**
   * The process's health when it has a health check ({@code starting}, {@code healthy}, {@code unhealthy}),
   * null otherwise. Reported in {@code ContainerStatus.Health}; changes are announced to {@link #onChange}.
   */
  default String health() {
    return null;
  }

  /**
   * Settings of the task this node discarded, each saying which and why (e.g. a block I/O weight on a kernel
   * without one); appended to the task's status message once it is prepared. Empty when none.
   */
  default java.util.List<String> warnings() {
    return java.util.List.of();
  }

  /**
   * The limits the task's processes ran into, in words for {@code Status.Err} (e.g. {@code pids limit 32 reached
   * (3 forks refused)}), or null. A running task reports it as its error; an ended one adds it to its exit's.
   * Changes are announced to {@link #onChange}.
   */
  default String limitReached() {
    return null;
  }

  /** Registers {@code listener}, run (on any thread, must not block) when {@link #health} or {@link #limitReached} change. */
  default void onChange(Runnable listener) {}

  /**
   * How a process ended: its exit code, whether the kernel killed it for memory, and an error when the runtime
   * itself failed (null otherwise).
   */
  record Exit(long exitCode, boolean oomKilled, String error) {
    public boolean succeeded() {
      return exitCode == 0 && error == null && !oomKilled;
    }
  }
}
