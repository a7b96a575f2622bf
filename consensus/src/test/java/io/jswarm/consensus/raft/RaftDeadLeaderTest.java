package io.jswarm.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader whose process is gone is replaced long before the survivors' election timers would notice
 * ({@link DeadLeaderProbe}, docs/scale.md). Fails without it: with a 5-10 s election timeout no survivor starts an
 * election within 5 s of its last heartbeat.
 */
class RaftDeadLeaderTest {
  private static final java.util.function.Consumer<RaftConfig.Builder> SLOW_TIMERS =
      b -> b.electionTimeoutMin(Duration.ofSeconds(5)).writeTimeout(Duration.ofSeconds(20));

  @TempDir
  Path dir;

  @Test
  void aKilledLeaderIsReplacedBeforeAnyElectionTimeoutAndTheNextWriteIsAccepted() throws Exception {
    try (MiniCluster c = MiniCluster.start(3, dir, SLOW_TIMERS)) {
      killAndReplace(c);
    }
  }

  /** As a swarm grows: one manager bootstraps alone and leads its first term, the others join it. */
  @Test
  void theBootstrapLeaderOfAGroupGrownByJoinsIsReplacedToo() throws Exception {
    try (MiniCluster c = MiniCluster.start(1, dir, SLOW_TIMERS)) {
      c.addManager();
      c.addManager();
      killAndReplace(c);
    }
  }

  private static void killAndReplace(MiniCluster c) throws Exception {
    MiniCluster.Manager old = c.leader();
    MiniCluster.Manager survivor = c.follower();
    RaftTestSupport.createSecret(survivor.store(), "before");
    long killed = System.nanoTime();
    old.kill();
    MiniCluster.Manager next = c.awaitLeader(Duration.ofSeconds(20));
    long elected = System.nanoTime();
    RaftTestSupport.createSecret(survivor.store(), "after");
    long written = System.nanoTime();
    assertNotEquals(old, next);
    assertTrue(elected - killed < Duration.ofMillis(4500).toNanos(), "a new leader "
        + (elected - killed) / 1_000_000 + " ms after the kill; the election timeout is 5-10 s");
    assertTrue(written - killed < Duration.ofMillis(4900).toNanos(), "the first write "
        + (written - killed) / 1_000_000 + " ms after the kill");
  }
}
