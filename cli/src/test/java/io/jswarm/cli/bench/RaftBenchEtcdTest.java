package io.jswarm.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.cli.bench.etcd.EtcdCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bench raft --compare-etcd} end to end, small and not timed: both sides give numbers, etcd leaves nothing. */
class RaftBenchEtcdTest {
  @TempDir
  Path tmp;

  @Test
  void comparesWithEtcdAndCleansUp() throws Exception {
    Path dir = tmp.resolve("bench");
    Files.createDirectories(dir);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = System.out;
    int rc;
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      rc = new CommandLine(new RaftBench()).execute("--compare-etcd", "--no-etcd-calibration", "--managers", "1",
          "--writers", "2", "--seconds", "1", "--warmup", "0", "--dir", dir.toString());
    } finally {
      System.setOut(out);
    }
    String text = buf.toString(StandardCharsets.UTF_8);
    System.out.println(text);
    assertEquals(0, rc, text);
    Matcher row = Pattern.compile("(?m)^1\\s+2\\s+\\|\\s+(\\d+)\\s.*\\|\\s+(\\d+)\\s+\\S+\\s+\\S+\\s+\\|").matcher(text);
    assertTrue(row.find(), "no 1-manager, 2-client row in:\n" + text);
    assertTrue(Integer.parseInt(row.group(1)) > 0, "jswarm gave no updates: " + row.group());
    assertTrue(Integer.parseInt(row.group(2)) > 0, "etcd gave no updates: " + row.group());
    assertFalse(Files.exists(dir.resolve("etcd-1")), "etcd's data directory was left behind");
    assertEquals(List.of(), etcdProcessesUnder(dir), "etcd processes left running");
  }

  @Test
  void etcdClusterKillsItsMembersAndRemovesItsDirectory() throws Exception {
    Path dir = tmp.resolve("etcd");
    List<Long> pids;
    try (EtcdCluster etcd = EtcdCluster.start(3, dir)) {
      pids = etcd.pids();
      assertEquals(3, pids.size());
      assertEquals(3, etcdProcessesUnder(dir).size(), "3 etcd members should run under " + dir);
      assertTrue(etcd.leaderClientPort() > 0);
    }
    for (long pid : pids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "etcd " + pid + " still runs");
    }
    assertFalse(Files.exists(dir), "etcd's directory was left behind");
  }

  /** PIDs of processes whose command line names {@code dir} (each member's --data-dir is under it). */
  private static List<Long> etcdProcessesUnder(Path dir) throws IOException {
    String needle = dir.toString();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          return cmd.startsWith(EtcdCluster.ETCD.toString()) && cmd.contains(needle);
        } catch (IOException e) {
          return false; // gone meanwhile
        }
      }).map(p -> Long.parseLong(p.getFileName().toString())).toList();
    }
  }
}
