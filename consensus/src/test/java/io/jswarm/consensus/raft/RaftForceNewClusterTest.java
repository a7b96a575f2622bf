package io.jswarm.consensus.raft;

import static io.jswarm.consensus.raft.RaftTestSupport.FAST;
import static io.jswarm.consensus.raft.RaftTestSupport.createSecret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.UnavailableException;
import io.jswarm.consensus.store.Tables;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quorum loss and {@code --force-new-cluster} at the Raft level. */
class RaftForceNewClusterTest {
  @TempDir
  java.nio.file.Path dir;

  @Test
  void survivorOfAQuorumLossBecomesASingleManagerClusterWithItsStateThenGrowsAndSurvivesALeaderKill()
      throws Exception {
    try (MiniCluster c = MiniCluster.start(3, dir, FAST.andThen(b -> b.snapshotEvery(40)))) {
      for (int i = 0; i < 60; i++) { // past a snapshot, with a log tail after it
        createSecret(c.leader().store(), "s" + i);
      }
      c.awaitConverged(Duration.ofSeconds(30));
      String before = c.get("m1").store().contentHash();
      MiniCluster.Manager survivor = c.get("m1");
      c.get("m2").kill();
      c.get("m3").kill();

      long t0 = System.nanoTime();
      UnavailableException e = assertThrows(UnavailableException.class,
          () -> createSecret(survivor.store(), "without-quorum"));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(e.getMessage().contains("no quorum"), e.getMessage());
      assertTrue(ms < 15_000, "failed fast: " + ms + " ms");

      survivor.forceNewCluster();
      c.awaitLeader(Duration.ofSeconds(30));
      assertEquals(survivor, c.leader());
      assertEquals(60, survivor.store().count(Tables.SECRETS));
      assertEquals(before, survivor.store().contentHash(), "the last applied state, nothing more or less");
      assertEquals(List.of("m1"), List.copyOf(survivor.node().status().peers().keySet()));
      assertTrue(Files.list(dir.resolve("m1")).anyMatch(p -> p.getFileName().toString()
          .startsWith("before-force-new-cluster-")), "the old log is kept aside");

      createSecret(survivor.store(), "after-recovery");
      MiniCluster.Manager m4 = c.addManager();
      MiniCluster.Manager m5 = c.addManager();
      c.awaitConverged(Duration.ofSeconds(60));
      assertEquals(61, m5.store().count(Tables.SECRETS));
      assertEquals(3, c.leader().node().status().peers().size());

      MiniCluster.Manager leader = c.leader();
      leader.kill();
      MiniCluster.Manager next = c.awaitLeader(Duration.ofSeconds(30));
      createSecret(next.store(), "after-leader-kill");
      leader.restart();
      c.awaitConverged(Duration.ofSeconds(60));
      assertEquals(62, leader.store().count(Tables.SECRETS));
      assertTrue(List.of(survivor, m4, m5).contains(next));
    }
  }
}
