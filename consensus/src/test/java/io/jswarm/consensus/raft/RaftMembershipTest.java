package io.jswarm.consensus.raft;

import static io.jswarm.consensus.raft.RaftTestSupport.FAST;
import static io.jswarm.consensus.raft.RaftTestSupport.createSecret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.JswarmException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.api.types.Secret;
import io.jswarm.consensus.store.Tables;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftMembershipTest {
  @TempDir
  Path dir;

  @Test
  void writesOnAFollowerAreForwardedAndLinearizableReadsSeeThemEverywhere() throws Exception {
    try (MiniCluster c = MiniCluster.start(3, dir, FAST)) {
      MiniCluster.Manager follower = c.follower();
      for (int i = 0; i < 20; i++) {
        String id = createSecret(follower.store(), "f" + i);
        for (MiniCluster.Manager m : c.running()) { // read index: every manager sees an acknowledged write
          assertNotNull(m.store().view(tx -> tx.secrets().get(id)), m + " misses " + id);
        }
      }
    }
  }

  @Test
  void managersAreAddedAndRemovedAtRunTime() throws Exception {
    try (MiniCluster c = MiniCluster.start(3, dir, FAST.andThen(b -> b.snapshotEvery(30)))) {
      for (int i = 0; i < 100; i++) {
        createSecret(c.leader().store(), "s" + i);
      }
      MiniCluster.Manager added = c.addManager();
      c.awaitConverged(Duration.ofSeconds(60));
      assertEquals(4, c.leader().node().status().peers().size());
      assertEquals(100, added.store().count(Tables.SECRETS));
      String id = createSecret(added.store(), "via-new-manager");
      assertNotNull(c.get("m1").store().view(tx -> tx.secrets().get(id)));

      c.leader().node().removeManager(added.id);
      added.kill();
      assertEquals(3, c.leader().node().status().peers().size());
      createSecret(c.leader().store(), "after-remove");
      c.awaitConverged(Duration.ofSeconds(30));
      assertThrows(InvalidArgumentException.class, () -> c.leader().node().addManager("m1", "127.0.0.1:1"));
    }
  }

  @Test
  void aWriteWithoutQuorumFailsWithinBoundedTimeWithAClearError() throws Exception {
    try (MiniCluster c = MiniCluster.start(3, dir, FAST)) {
      createSecret(c.leader().store(), "before");
      MiniCluster.Manager survivor = c.leader();
      for (MiniCluster.Manager m : c.running()) {
        if (m != survivor) {
          m.kill();
        }
      }
      long start = System.nanoTime();
      UnavailableException e = assertThrows(UnavailableException.class, () -> createSecret(survivor.store(), "x"));
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms < 2 * survivor.node().config().writeTimeout().toMillis(), "failed after " + ms + " ms");
      assertTrue(e.getMessage().contains("no quorum"), e.getMessage());
      assertTrue(e.retryable());
      assertThrows(UnavailableException.class, () -> survivor.store().view(tx -> tx.secrets().count()));
      // The stale read still answers from local state.
      assertEquals(1, survivor.store().viewStale(tx -> tx.secrets().all().stream()
          .filter(s -> s.spec.name.equals("before")).count()).intValue());
    }
  }

  @Test
  void aBlockedFollowerFallsBehindThenCatchesUp() throws Exception {
    try (MiniCluster c = MiniCluster.start(3, dir, FAST)) {
      MiniCluster.Manager leader = c.leader();
      MiniCluster.Manager follower = c.follower();
      c.block(leader, follower);
      for (int i = 0; i < 50; i++) { // the third manager still makes a quorum
        createSecret(leader.store(), "s" + i);
      }
      assertTrue(follower.store().count(Tables.SECRETS) < 50, "blocked follower got everything");
      c.unblockAll();
      c.awaitConverged(Duration.ofSeconds(60));
      assertEquals(50, follower.store().count(Tables.SECRETS));
    }
  }

  @Test
  void concurrentCompareAndSetFromTwoManagersHasExactlyOneWinner() throws Exception {
    try (MiniCluster c = MiniCluster.start(3, dir, FAST)) {
      String id = createSecret(c.leader().store(), "shared");
      c.awaitConverged(Duration.ofSeconds(30));
      for (int round = 0; round < 20; round++) {
        List<Secret> reads = new ArrayList<>();
        for (MiniCluster.Manager m : c.running()) { // every manager reads the same version first
          Secret s = m.store().view(tx -> tx.secrets().get(id));
          s.spec.labels.put("writer", m.id);
          reads.add(s);
        }
        List<CompletableFuture<Secret>> writes = new ArrayList<>();
        for (int i = 0; i < reads.size(); i++) {
          Secret s = reads.get(i);
          writes.add(c.running().get(i).store().updateAsync(tx -> tx.secrets().update(s)));
        }
        int won = 0;
        for (CompletableFuture<Secret> w : writes) {
          try {
            w.join();
            won++;
          } catch (java.util.concurrent.CompletionException e) {
            assertTrue(e.getCause() instanceof ConflictException, "lost with " + e.getCause());
          }
        }
        assertEquals(1, won, "round " + round);
      }
      c.awaitConverged(Duration.ofSeconds(30));
    }
  }

  @Test
  void removingTheOnlyManagerIsRefused() throws Exception {
    try (MiniCluster c = MiniCluster.start(1, dir, FAST)) {
      JswarmException e = assertThrows(InvalidArgumentException.class, () -> c.leader().node().removeManager("m1"));
      assertTrue(e.getMessage().contains("last manager"));
    }
  }
}
