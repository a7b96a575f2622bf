package io.jswarm.worker.container;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cgroup v1 hierarchies of this host (this machine is hybrid: v1 controllers plus an empty cgroup2 tree at
 * {@code unified}) and what jswarm does in them itself: remove a task's cgroup from every hierarchy, and, for
 * crun (whose cgroup manager must be disabled here), create a task's cgroups with its limits.
 */
final class Cgroups {
  static final Path ROOT = Path.of("/sys/fs/cgroup");
  /** Controllers a crun container joins (jswarm makes these cgroups). */
  static final List<String> JOINED =
      List.of("memory", "cpu", "cpuacct", "cpuset", "pids", "blkio", "freezer", "devices");

  /**
   * The devices a container may use, as runc allows them by default: any node may be created (mknod), but only
   * these may be read or written — null, zero, full, random, urandom, tty, console, ptmx and the pty slaves.
   * Everything else (the host's disks, /dev/mem, ...) is refused even to root with CAP_MKNOD.
   */
  static final List<String> ALLOWED_DEVICES = List.of("c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm",
      "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm");

  private Cgroups() {}

  /** Every hierarchy mounted under /sys/fs/cgroup (controllers, name=systemd, unified). */
  static List<Path> hierarchies() {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(ROOT)) {
      for (Path p : ds) {
        if (Files.isDirectory(p) && !Files.isSymbolicLink(p)) {
          out.add(p);
        }
      }
    } catch (IOException e) {
      // no cgroup filesystem: nothing to clean
    }
    return out;
  }

  static Path memory(String parent, String taskId) {
    return ROOT.resolve("memory").resolve(parent).resolve(taskId);
  }

  static Path pids(String parent, String taskId) {
    return ROOT.resolve("pids").resolve(parent).resolve(taskId);
  }

  /** Task ids that have a cgroup under {@code parent} in any hierarchy. */
  static List<String> taskIds(String parent) {
    List<String> out = new ArrayList<>();
    for (Path h : hierarchies()) {
      Path p = h.resolve(parent);
      if (!Files.isDirectory(p)) {
        continue;
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(p, Files::isDirectory)) {
        for (Path d : ds) {
          String id = d.getFileName().toString();
          if (!out.contains(id)) {
            out.add(id);
          }
        }
      } catch (IOException e) {
        // raced with a removal
      }
    }
    return out;
  }

  /** The processes in the task's cgroup (the pids hierarchy: every container joins it); empty when there is none. */
  static List<Long> processes(String parent, String taskId) {
    List<Long> out = new ArrayList<>();
    try {
      for (String l : Files.readAllLines(pids(parent, taskId).resolve("cgroup.procs"))) {
        if (!l.isBlank()) {
          out.add(Long.parseLong(l.trim()));
        }
      }
    } catch (NoSuchFileException gone) {
      // no cgroup: no process
    } catch (IOException e) {
      // raced with a removal
    }
    return out;
  }

  /**
   * Removes {@code <parent>/<taskId>} from every hierarchy (rmdir; the kernel refuses while processes are in
   * it, so callers kill them first). Returns the directories that could not be removed.
   */
  static List<Path> remove(String parent, String taskId) {
    List<Path> left = new ArrayList<>();
    for (Path h : hierarchies()) {
      Path d = h.resolve(parent).resolve(taskId);
      for (int attempt = 0; attempt < 50 && Files.isDirectory(d); attempt++) {
        try {
          Files.delete(d);
        } catch (NoSuchFileException gone) {
          break;
        } catch (IOException busy) {
          sleep(20); // processes still leaving (a killed container's last exits)
        }
      }
      if (Files.isDirectory(d)) {
        left.add(d);
      }
    }
    return left;
  }

  /**
   * Removes the {@code parent} directory itself from every hierarchy when no task cgroup is left in it (a node
   * leaving the swarm). Only its last component goes: the directories above may be someone else's.
   */
  static void removeParent(String parent) {
    for (Path h : hierarchies()) {
      try {
        Files.deleteIfExists(h.resolve(parent));
      } catch (IOException notEmpty) {
        // a task cgroup or another user's cgroup is still in it: leave it
      }
    }
  }

  /**
   * Creates the task's cgroups in the {@link #JOINED} controllers with its limits written, for a runtime that
   * does not manage cgroups; returns the directories, which the monitor makes the runtime join.
   */
  static List<Path> create(String parent, String taskId, Limits limits) throws IOException {
    List<Path> dirs = new ArrayList<>();
    for (String c : JOINED) {
      Path h = ROOT.resolve(c);
      if (!Files.isDirectory(h)) {
        continue;
      }
      Path cur = h;
      for (String part : (parent + "/" + taskId).split("/")) {
        Path next = cur.resolve(part);
        if (!Files.isDirectory(next)) {
          Files.createDirectory(next);
          if (c.equals("cpuset")) { // a new cpuset is empty; it must have CPUs and memory nodes before use
            Files.writeString(next.resolve("cpuset.cpus"), Files.readString(cur.resolve("cpuset.cpus")).trim());
            Files.writeString(next.resolve("cpuset.mems"), Files.readString(cur.resolve("cpuset.mems")).trim());
          }
        }
        cur = next;
      }
      dirs.add(cur);
      switch (c) {
        case "memory" -> {
          if (limits.memoryBytes() > 0) {
            Files.writeString(cur.resolve("memory.limit_in_bytes"), Long.toString(limits.memoryBytes()));
          }
        }
        case "cpu" -> {
          if (limits.cpuQuota() > 0) {
            Files.writeString(cur.resolve("cpu.cfs_period_us"), Long.toString(limits.cpuPeriod()));
            Files.writeString(cur.resolve("cpu.cfs_quota_us"), Long.toString(limits.cpuQuota()));
          }
        }
        case "pids" -> {
          if (limits.pids() > 0) {
            Files.writeString(cur.resolve("pids.max"), Long.toString(limits.pids()));
          }
        }
        case "cpuset" -> {
          if (limits.cpuset() != null) {
            Files.writeString(cur.resolve("cpuset.cpus"), limits.cpuset());
          }
        }
        case "devices" -> {
          Files.writeString(cur.resolve("devices.deny"), "a");
          for (String rule : ALLOWED_DEVICES) {
            Files.writeString(cur.resolve("devices.allow"), rule);
          }
        }
        case "blkio" -> {
          if (limits.blkioWeight() > 0) {
            Files.writeString(blkioWeightFile(cur), Long.toString(limits.blkioWeight()));
          }
        }
        default -> {}
      }
    }
    return dirs;
  }

  /**
   * The weight file of a blkio cgroup: {@code blkio.weight} (CFQ, kernels before 5.0) or {@code blkio.bfq.weight}
   * (BFQ, the only weight-based scheduler of newer kernels), as runc chooses it.
   *
   * @throws IOException naming both files when the kernel has neither (no BFQ scheduler built or loaded)
   */
  static Path blkioWeightFile(Path cgroup) throws IOException {
    for (String f : List.of("blkio.weight", "blkio.bfq.weight")) {
      if (Files.exists(cgroup.resolve(f))) {
        return cgroup.resolve(f);
      }
    }
    throw new IOException("Resources.Limits.BlkioWeight: this kernel has no blkio.weight or blkio.bfq.weight in "
        + cgroup + " (load the bfq I/O scheduler module, or leave the weight unset)");
  }

  /**
   * Why this kernel cannot weight block I/O, or null when it can. The weight files exist only where a
   * weight-based I/O scheduler is built in or loaded (BFQ; CFQ before 5.0), and BFQ shows its file only below
   * the root, so the probe looks at the root and then in a throw-away child cgroup (made and removed here).
   * Docker's daemon makes the same check at start and discards the weight where it fails.
   */
  static String blkioWeightUnsupported() {
    Path h = ROOT.resolve("blkio");
    if (!Files.isDirectory(h)) {
      return "there is no blkio cgroup hierarchy at " + h;
    }
    if (hasBlkioWeight(h)) {
      return null;
    }
    Path probe = h.resolve("jswarm-probe-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    try {
      Files.createDirectory(probe);
      if (hasBlkioWeight(probe)) {
        return null;
      }
    } catch (IOException e) {
      return "the blkio cgroup hierarchy refuses a new cgroup (" + e.getMessage() + ")";
    } finally {
      try {
        Files.deleteIfExists(probe);
      } catch (IOException e) {
        // an empty cgroup is always removable; nothing to do if it is not
      }
    }
    return "this kernel has no blkio.weight or blkio.bfq.weight (I/O schedulers: " + ioSchedulers()
        + "; the weight needs bfq)";
  }

  private static boolean hasBlkioWeight(Path cgroup) {
    return Files.exists(cgroup.resolve("blkio.weight")) || Files.exists(cgroup.resolve("blkio.bfq.weight"));
  }

  /** The I/O schedulers the block devices offer, e.g. {@code none mq-deadline kyber}. */
  private static String ioSchedulers() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/sys/block"))) {
      for (Path dev : ds) {
        try {
          for (String n : Files.readString(dev.resolve("queue/scheduler")).trim().split("\\s+")) {
            names.add(n.replace("[", "").replace("]", ""));
          }
        } catch (IOException e) {
          // a device without a scheduler file
        }
      }
    } catch (IOException e) {
      return "unknown";
    }
    names.remove("");
    return names.isEmpty() ? "unknown" : String.join(" ", names);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
