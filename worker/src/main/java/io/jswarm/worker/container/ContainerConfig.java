package io.jswarm.worker.container;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the container executor keeps things and what runs containers.
 *
 * @param dataRoot persistent state: {@code <dataRoot>/containers/<task>/} holds the rootfs's overlay upper and
 *     work directories, the container's {@code json.log} files, its {@code /etc} files and the monitor's pid and
 *     exit files
 * @param execRoot runtime state, gone after a reboot: {@code <execRoot>/containers/<task>/} is the OCI bundle
 *     ({@code config.json}, {@code rootfs} mount point), {@code <execRoot>/runtime} the OCI runtime's state root,
 *     {@code <execRoot>/bin/jswarm-monitor} the monitor
 * @param cgroupParent cgroup of all containers, relative to each v1 controller's root ({@code jswarm}); a task's
 *     cgroup is {@code <cgroupParent>/<task id>}
 * @param runtime {@code runc} or {@code crun}
 * @param logMaxSize bytes of {@code json.log} before it is rotated
 * @param logMaxFiles log files kept in all, the current one included ({@code json.log}, {@code json.log.1} ...)
 * @param userns the user namespace mapping containers run with ({@code --userns-remap}), or null: containers run
 *     in the host's user namespace
 */
public record ContainerConfig(Path dataRoot, Path execRoot, String cgroupParent, String runtime, long logMaxSize,
    int logMaxFiles, UsernsRemap userns) {
  public static final long DEFAULT_LOG_MAX_SIZE = 10L * 1024 * 1024;
  public static final int DEFAULT_LOG_MAX_FILES = 3;

  public ContainerConfig {
    Objects.requireNonNull(dataRoot, "dataRoot");
    Objects.requireNonNull(execRoot, "execRoot");
    if (cgroupParent == null || cgroupParent.isBlank() || cgroupParent.contains("..")) {
      throw new IllegalArgumentException("cgroup parent: expected a relative cgroup path like \"jswarm\", got \""
          + cgroupParent + "\"");
    }
    cgroupParent = cgroupParent.replaceAll("^/+|/+$", "");
    if (!runtime.equals("runc") && !runtime.equals("crun")) {
      throw new IllegalArgumentException("runtime: \"" + runtime + "\" is not supported; allowed: runc, crun");
    }
    if (logMaxSize < 1024 || logMaxFiles < 1) {
      throw new IllegalArgumentException("log rotation: max size must be at least 1024 bytes and max files at "
          + "least 1, got " + logMaxSize + " bytes x " + logMaxFiles + " files");
    }
  }

  /** With Docker's json-file defaults for rotation (10 MiB x 3 files), no user namespace. */
  public ContainerConfig(Path dataRoot, Path execRoot, String cgroupParent, String runtime) {
    this(dataRoot, execRoot, cgroupParent, runtime, DEFAULT_LOG_MAX_SIZE, DEFAULT_LOG_MAX_FILES, null);
  }

  /** No user namespace. */
  public ContainerConfig(Path dataRoot, Path execRoot, String cgroupParent, String runtime, long logMaxSize,
      int logMaxFiles) {
    this(dataRoot, execRoot, cgroupParent, runtime, logMaxSize, logMaxFiles, null);
  }

  /** The same with containers in a user namespace mapped by {@code remap} (null: none). */
  public ContainerConfig withUserns(UsernsRemap remap) {
    return new ContainerConfig(dataRoot, execRoot, cgroupParent, runtime, logMaxSize, logMaxFiles, remap);
  }

  /** The task's persistent directory (logs, overlay upper, monitor files). */
  public Path stateDir(String taskId) {
    return dataRoot.resolve("containers").resolve(taskId);
  }

  /** The task's OCI bundle. */
  public Path bundleDir(String taskId) {
    return execRoot.resolve("containers").resolve(taskId);
  }

  /** The OCI runtime's state root ({@code --root}). */
  public Path runtimeRoot() {
    return execRoot.resolve("runtime");
  }
}
