package io.jswarm.reliability.nemesis;

import io.jswarm.cli.cluster.MultiHostCluster.Host;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a nemesis host holds on its own, read from the machine rather than asked of a daemon: the tasks whose
 * containers run there (checker (d)'s node side) and the resources a task can leave behind (checker (e)): links and
 * nftables rules in the host's network namespace (veths, macvlans, overlay bridges and VXLAN devices, addresses,
 * service NAT), mounts under the host's data and exec roots (rootfs overlays, secret tmpfs, netns bind mounts) and
 * cgroups under its cgroup parent. The disk-full fault's own tmpfs is not counted.
 */
final class NodeProbe {
  private NodeProbe() {}

  /** Ids of the tasks with a live container on {@code h}: cgroups under its parent that hold a process. */
  static Set<String> runningTasks(Host h) throws IOException {
    Set<String> out = new TreeSet<>();
    for (Path parent : h.cgroupDirs()) {
      if (!parent.getParent().getFileName().toString().equals("pids")) {
        continue; // one hierarchy is enough; the executor puts every container in pids
      }
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, Files::isDirectory)) {
        for (Path c : ds) {
          Path procs = c.resolve("cgroup.procs");
          if (Files.exists(procs) && !Files.readString(procs).isBlank()) {
            out.add(c.getFileName().toString()); // a container's cgroup is named by its task id
          }
        }
      }
    }
    return out;
  }

  /**
   * Every resource of {@code h} a task or network could leave behind, one "kind:name" per entry; compare a
   * snapshot taken before the workload with one taken after every service and network is removed.
   */
  static Set<String> residue(Host h, Path hostDir) throws IOException {
    Set<String> out = new TreeSet<>();
    for (String l : h.exec("ip -o link show").split("\n")) {
      String[] f = l.split(": ");
      if (f.length > 1) {
        out.add("link:" + f[1].split("@")[0]);
      }
    }
    for (String l : h.exec("ip -o addr show").split("\n")) {
      String[] f = l.trim().split("\\s+");
      if (f.length > 3) {
        out.add("addr:" + f[1] + " " + f[3]);
      }
    }
    for (String l : h.exec("nft list ruleset 2>/dev/null; true").split("\n")) {
      String rule = l.replaceAll("# handle \\d+", "").trim();
      if (!rule.isEmpty() && !rule.equals("}")) {
        out.add("nft:" + rule);
      }
    }
    String prefix = hostDir.toAbsolutePath() + "/";
    for (String l : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] f = l.split(" ");
      boolean diskFault = l.contains(" - tmpfs " + Faults.DISK_SOURCE + " ");
      if (f.length > 4 && f[4].startsWith(prefix) && !diskFault) {
        out.add("mount:" + f[4].substring(prefix.length()));
      }
    }
    for (Path parent : h.cgroupDirs()) {
      try (var walk = Files.walk(parent)) {
        walk.filter(Files::isDirectory).filter(d -> !d.equals(parent))
            .forEach(d -> out.add("cgroup:" + parent.getParent().getFileName() + "/" + parent.relativize(d)));
      }
    }
    return out;
  }
}
