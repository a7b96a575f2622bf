package io.jswarm.worker.container;

import io.jswarm.api.types.Task;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * One container on this node as the Docker API shows it (read from its state directory by {@link LocalContainers}).
 *
 * @param id the container id (the task id)
 * @param task the task the container runs, as the agent gave it (null for a container made before jswarm kept it)
 * @param stateDir the container's persistent directory (logs, monitor files)
 * @param pid the container's init on the host while it runs, else null
 * @param created when the container was made
 * @param started when its init started (null before)
 * @param exit how it ended (null while it runs or before it started)
 * @param cgroupPath the container's cgroup under each v1 controller's root ({@code jswarm/<id>})
 * @param process the container's process from its bundle
 */
public record LocalContainer(String id, Task task, Path stateDir, Long pid, Instant created, Instant started,
    Exit exit, String cgroupPath, Process process) {

  /**
   * The container's process as its OCI bundle says it (what {@code docker exec} inherits): arguments,
   * environment, working directory, user ({@code uid:gid}), hostname. Empty lists and nulls when the bundle is gone.
   */
  public record Process(List<String> args, List<String> env, String cwd, String user, String hostname) {
    static final Process NONE = new Process(List.of(), List.of(), null, null, null);
  }

  /** The monitor's exit file: exit code, OOM kill, when. */
  public record Exit(long code, boolean oomKilled, String finishedAt) {}

  public boolean running() {
    return pid != null && exit == null;
  }

  /** Docker's {@code State.Status}: created, running or exited. */
  public String status() {
    return running() ? "running" : started == null ? "created" : "exited";
  }

  /**
   * Docker's container name (without the leading slash) for a swarm task: {@code <service>.<slot>.<task id>}, or
   * {@code <service>.<node id>.<task id>} for a global service's task.
   */
  public String name() {
    return task == null || task.name == null ? id : task.name + "." + id;
  }

  /** The container's directory in the v1 hierarchy of {@code controller} ({@code memory}, {@code cpuacct} ...). */
  public Path cgroup(String controller) {
    return Cgroups.ROOT.resolve(controller).resolve(cgroupPath);
  }
}
