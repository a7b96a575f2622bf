package io.jswarm.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The cluster benchmark's harness at CI size ({@code jswarm bench cluster} at 3 managers, 200 hollow nodes, 5,000
 * replicas), asserting correctness rather than speed: every slot runs exactly once, a leader kill with every node
 * connected marks no node down, and every session comes back. Each step may take up to 10 minutes: on this shared
 * 2-core machine under other builds (load 30+) the joins alone took 3 minutes; on a quiet machine the whole test is
 * meant to stay near 3.
 */
class HollowClusterTest {
  static final int NODES = 200;
  static final int REPLICAS = 5_000;

  @Test
  void everySlotRunsOnceAndALeaderKillMarksNoNodeDown() throws Exception {
    ClusterScenario.Shape shape = new ClusterScenario.Shape(3, NODES,
        List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
        List.of("-Xmx384m", "-Xss256k", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), Duration.ofSeconds(600));
    try (ClusterScenario sc = new ClusterScenario(shape, System.out, Path.of("target", "cluster-logs"))) {
      sc.startManagers();
      sc.startHollow();
      sc.awaitNodesReady();
      String id = sc.createService("ci-scale", REPLICAS);
      sc.awaitRunning(REPLICAS);
      assertEquals(Map.of(), sc.slotsNotRunningOnce(id, REPLICAS), "slots without exactly one running task");

      ClusterScenario.Failover f = sc.failover(id);
      assertEquals(0, f.nodesDown(), "nodes marked down by the leader kill");
      assertTrue(f.sessionsBackSeconds() >= 0, "every hollow node has a session again");
      assertTrue(f.firstWriteSeconds() >= 0, "a surviving manager accepted a write");
      assertEquals(NODES, sc.sessions());
      sc.awaitRunning(REPLICAS);
      assertEquals(Map.of(), sc.slotsNotRunningOnce(id, REPLICAS), "slots without exactly one running task after "
          + "the leader kill");
    }
  }
}
