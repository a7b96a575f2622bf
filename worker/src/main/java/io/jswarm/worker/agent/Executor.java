package io.jswarm.worker.agent;

import io.jswarm.api.types.Task;

/**
 * Runs tasks on this node. The agent asks for one {@link TaskRuntime} per assigned task and drives it through
 * prepare -> start -> exit -> shutdown -> remove from its {@link TaskController}; the executor does the work
 * (pull the image, build the rootfs, attach networks, run the process).
 *
 * <p>Implementations: {@link SimulatedExecutor} (nothing runs; for tests and scale benchmarks) and, from issue 4,
 * the container runtime (OCI bundles run by runc/crun).
 */
public interface Executor extends AutoCloseable {
  /**
   * The runtime of {@code task}. Cheap: nothing happens until {@link TaskRuntime#prepare}. A runtime whose task
   * was already started by an earlier agent process (a container that survived an agent restart) should
   * report that process through {@link TaskRuntime#exit}.
   */
  TaskRuntime runtime(Task task);

  /**
   * Reconcile once the agent knows its whole assignment set (the first complete one after it started): removes
   * everything this executor holds for tasks not in {@code taskIds} (containers left behind by an earlier agent
   * process, their mounts, cgroups, sandboxes and volume uses). Tasks in the set are adopted later through
   * {@link #runtime}.
   */
  default void retainOnly(java.util.Set<String> taskIds) {}

  /**
   * Called once by the agent that drives this executor: where the secrets and configs the tasks reference are held
   * (in memory). A runtime reads its task's secrets and configs from it when it starts.
   */
  default void useDependencies(TaskDependencies dependencies) {}

  /**
   * Features of a task spec this executor cannot honour on this node, each with the reason (the node reports
   * them in {@code Description.Engine.MissingFeatures}); tasks asking for them run without them.
   */
  default java.util.Map<String, String> missingFeatures() {
    return java.util.Map.of();
  }

  /** The containers this executor holds on the node, running and ended (Docker's {@code /info} counts). */
  default ContainerCount containerCount() {
    return new ContainerCount(0, 0);
  }

  /** Containers by state: running, and stopped (ended, not yet removed). */
  record ContainerCount(int running, int stopped) {}

  /** Releases the executor's own resources (threads, connections); tasks it started are not stopped. */
  @Override
  void close();
}
