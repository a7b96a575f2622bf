package io.jswarm.worker.container;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.worker.image.LocalImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds a task's OCI runtime config ({@code config.json}, OCI runtime spec 1.0) as plain maps: the process
 * from the image config overridden by the ContainerSpec, namespaces pid/net/mnt/uts/ipc, Docker's default
 * mounts, capabilities, masked paths and device rules, seccomp and no_new_privs, the task's mounts and its cgroup
 * limits.
 */
final class OciSpec {
  /** Docker's default capability set. */
  static final List<String> DEFAULT_CAPS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
      "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
  static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private OciSpec() {}

  /**
   * What confines the container's process beyond namespaces, cgroups and capabilities: the seccomp filter (OCI
   * {@code linux.seccomp}, null for none) and {@code no_new_privs}.
   */
  record Sandboxing(Map<String, Object> seccomp, boolean noNewPrivileges) {
    /** The spec's choices (default: jswarm's seccomp profile and no_new_privs) for a container holding {@code caps}. */
    static Sandboxing of(ContainerSpec spec, Set<String> caps) {
      return new Sandboxing(Seccomp.forContainer(spec, caps), ContainerSpec.Privileges.noNewPrivileges(spec.privileges));
    }
  }

  /** The process's argv: Docker's rules (an entrypoint override drops the image's Cmd). */
  static List<String> args(ContainerSpec spec, LocalImage.RunConfig image) {
    List<String> entrypoint;
    List<String> cmd;
    if (spec.command != null && !spec.command.isEmpty()) {
      entrypoint = spec.command;
      cmd = spec.args != null ? spec.args : List.of();
    } else {
      entrypoint = image == null || image.entrypoint() == null ? List.of() : image.entrypoint();
      cmd = spec.args != null && !spec.args.isEmpty() ? spec.args
          : image == null || image.cmd() == null ? List.of() : image.cmd();
    }
    List<String> args = new ArrayList<>(entrypoint);
    args.addAll(cmd);
    if (args.isEmpty()) {
      throw new IllegalArgumentException("no command: the image has no Entrypoint or Cmd and the service sets "
          + "none; pass a command after the image (or --entrypoint)");
    }
    return args;
  }

  /** The image's environment with the spec's entries replacing same-named ones, PATH and HOSTNAME ensured. */
  static List<String> env(ContainerSpec spec, LocalImage.RunConfig image, String hostname) {
    Map<String, String> env = new LinkedHashMap<>();
    List<String> base = image == null || image.env() == null ? List.of() : image.env();
    for (List<String> src : List.of(List.of(DEFAULT_PATH, "HOSTNAME=" + hostname), base,
        spec.env == null ? List.<String>of() : spec.env)) {
      for (String e : src) {
        int eq = e.indexOf('=');
        env.put(eq < 0 ? e : e.substring(0, eq), e);
      }
    }
    return new ArrayList<>(env.values());
  }

  static Set<String> capabilities(ContainerSpec spec) {
    Set<String> caps = new LinkedHashSet<>(DEFAULT_CAPS);
    if (spec.capabilityDrop != null) {
      for (String c : spec.capabilityDrop) {
        if (c.equalsIgnoreCase("ALL")) {
          caps.clear();
        } else {
          caps.remove(capName(c));
        }
      }
    }
    if (spec.capabilityAdd != null) {
      for (String c : spec.capabilityAdd) {
        caps.add(capName(c));
      }
    }
    return caps;
  }

  private static String capName(String c) {
    String u = c.toUpperCase(Locale.ROOT);
    return u.startsWith("CAP_") ? u : "CAP_" + u;
  }

  /**
   * @param mounts the task's mounts (and the /etc files), already resolved to OCI mount entries
   * @param netns the network namespace to join, or null for a fresh one (loopback only)
   * @param cgroupsPath the cgroup the runtime puts the container in, or null when jswarm placed it (crun)
   * @param userns the mapping of the container's user namespace, or null for none (the host's)
   */
  static Map<String, Object> config(List<String> args, List<String> env, String cwd, ContainerUser user,
      String hostname, boolean readOnlyRoot, Set<String> caps, List<Map<String, Object>> mounts, Path netns,
      Limits limits, String cgroupsPath, Map<String, String> sysctls, List<ContainerSpec.Ulimit> ulimits,
      Sandboxing sandboxing, UsernsRemap userns) {
    Map<String, Object> process = new LinkedHashMap<>();
    process.put("terminal", false);
    process.put("noNewPrivileges", sandboxing.noNewPrivileges());
    Map<String, Object> u = new LinkedHashMap<>();
    u.put("uid", user.uid());
    u.put("gid", user.gid());
    if (!user.additionalGids().isEmpty()) {
      u.put("additionalGids", user.additionalGids());
    }
    process.put("user", u);
    process.put("args", args);
    process.put("env", env);
    process.put("cwd", cwd);
    List<String> capList = new ArrayList<>(caps);
    process.put("capabilities", Map.of("bounding", capList, "effective", capList, "permitted", capList));
    if (ulimits != null && !ulimits.isEmpty()) {
      List<Map<String, Object>> rl = new ArrayList<>();
      for (ContainerSpec.Ulimit l : ulimits) {
        rl.add(Map.of("type", "RLIMIT_" + l.name.toUpperCase(Locale.ROOT), "soft", l.soft == null ? 0 : l.soft,
            "hard", l.hard == null ? 0 : l.hard));
      }
      process.put("rlimits", rl);
    }

    List<Map<String, Object>> allMounts = new ArrayList<>();
    allMounts.add(mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")));
    allMounts.add(mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
    allMounts.add(mount("/dev/pts", "devpts", "devpts",
        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")));
    allMounts.add(mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")));
    allMounts.add(mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")));
    if (userns != null && netns != null) {
      // sysfs cannot be mounted from a user namespace into a network namespace it does not own (the daemon made
      // the task's): EPERM. What runc 1.2 falls back to by itself (this machine has 1.1): the host's /sys, read-only.
      allMounts.add(mount("/sys", "bind", "/sys", List.of("rbind", "nosuid", "noexec", "nodev", "ro", "rslave")));
    } else {
      allMounts.add(mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")));
    }
    allMounts.add(mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro")));
    allMounts.addAll(mounts);

    List<Map<String, Object>> namespaces = new ArrayList<>();
    for (String ns : List.of("pid", "ipc", "uts", "mount")) {
      namespaces.add(Map.of("type", ns));
    }
    namespaces.add(netns == null ? Map.of("type", "network") : Map.of("type", "network", "path", netns.toString()));
    if (userns != null) {
      namespaces.add(Map.of("type", "user"));
    }

    Map<String, Object> resources = new LinkedHashMap<>();
    resources.put("devices", List.of(Map.of("allow", false, "access", "rwm")));
    if (limits.memoryBytes() > 0) {
      resources.put("memory", Map.of("limit", limits.memoryBytes()));
    }
    Map<String, Object> cpu = new LinkedHashMap<>();
    if (limits.cpuQuota() > 0) {
      cpu.put("quota", limits.cpuQuota());
      cpu.put("period", limits.cpuPeriod());
    }
    if (limits.cpuset() != null) {
      cpu.put("cpus", limits.cpuset());
    }
    if (!cpu.isEmpty()) {
      resources.put("cpu", cpu);
    }
    if (limits.pids() > 0) {
      resources.put("pids", Map.of("limit", limits.pids()));
    }
    if (limits.blkioWeight() > 0) {
      resources.put("blockIO", Map.of("weight", limits.blkioWeight()));
    }

    Map<String, Object> linux = new LinkedHashMap<>();
    if (cgroupsPath != null) {
      linux.put("cgroupsPath", cgroupsPath);
      linux.put("resources", resources);
    }
    linux.put("namespaces", namespaces);
    if (userns != null) {
      linux.put("uidMappings", UsernsSetup.ociMappings(userns.uids()));
      linux.put("gidMappings", UsernsSetup.ociMappings(userns.gids()));
    }
    if (sysctls != null && !sysctls.isEmpty()) {
      linux.put("sysctl", sysctls);
    }
    if (sandboxing.seccomp() != null) {
      linux.put("seccomp", sandboxing.seccomp());
    }
    linux.put("maskedPaths", List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
        "/proc/scsi"));
    linux.put("readonlyPaths", List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"));

    Map<String, Object> config = new LinkedHashMap<>();
    config.put("ociVersion", "1.0.2");
    config.put("process", process);
    config.put("root", Map.of("path", "rootfs", "readonly", readOnlyRoot));
    config.put("hostname", hostname);
    config.put("mounts", allMounts);
    config.put("linux", linux);
    return config;
  }

  static Map<String, Object> mount(String destination, String type, String source, List<String> options) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("destination", destination);
    m.put("type", type);
    m.put("source", source);
    m.put("options", options);
    return m;
  }
}
