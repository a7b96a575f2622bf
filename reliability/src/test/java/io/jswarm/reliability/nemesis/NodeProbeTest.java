package io.jswarm.reliability.nemesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.cli.cluster.MultiHostCluster;
import io.jswarm.cli.cluster.MultiHostCluster.Host;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The node side of checkers (d) and (e) reads the machine: a link, an address, an nftables rule, a mount and a cgroup
 * made on a host after the baseline are each reported, and a process in a task's cgroup counts as that task running.
 */
class NodeProbeTest {
  @Test
  void everyKindOfLeftoverAndARunningContainerAreSeen() throws Exception {
    try (MultiHostCluster cluster = MultiHostCluster.create()) {
      Host h = cluster.addHost("p1");
      Path dir = cluster.baseDir().resolve("p1");
      Files.createDirectories(dir.resolve("mnt"));
      Set<String> before = NodeProbe.residue(h, dir);
      assertTrue(before.stream().anyMatch(r -> r.startsWith("link:eth0")), before.toString());

      h.exec("ip link add jsprobe0 type bridge && ip addr add 10.123.0.1/24 dev jsprobe0"
          + " && nft add table ip jsprobe && nft add chain ip jsprobe c && nft add rule ip jsprobe c counter accept");
      Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "none", dir.resolve("mnt").toString()).start();
      assertEquals(0, mount.waitFor());
      Path pids = Path.of("/sys/fs/cgroup/pids", h.cgroupParent, "task1");
      Files.createDirectories(pids);
      Process sleeper = new ProcessBuilder("sleep", "60").start();
      try {
        Files.writeString(pids.resolve("cgroup.procs"), Long.toString(sleeper.pid()));
        assertEquals(Set.of("task1"), NodeProbe.runningTasks(h));

        Set<String> left = new TreeSet<>(NodeProbe.residue(h, dir));
        left.removeAll(before);
        assertTrue(left.contains("link:jsprobe0"), left.toString());
        assertTrue(left.contains("addr:jsprobe0 10.123.0.1/24"), left.toString());
        assertTrue(left.stream().anyMatch(r -> r.startsWith("nft:") && r.contains("jsprobe")), left.toString());
        assertTrue(left.contains("mount:mnt"), left.toString());
        assertTrue(left.contains("cgroup:pids/task1"), left.toString());
      } finally {
        sleeper.destroyForcibly().waitFor();
        new ProcessBuilder("umount", dir.resolve("mnt").toString()).start().waitFor();
        for (int i = 0; i < 50 && Files.exists(pids); i++) {
          try {
            Files.delete(pids);
          } catch (java.io.IOException busy) {
            Thread.sleep(100); // the killed process leaves the cgroup a moment later
          }
        }
      }
    }
  }
}
