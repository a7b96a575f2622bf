package io.jswarm.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;

/** The Ratis settings a manager runs with: what failover and throughput depend on (docs/scale.md). */
class RaftSettingsTest {
  private static RaftProperties settings(RaftConfig.Builder b) {
    return RaftSettings.serverProperties(b.peer("m1", "127.0.0.1:1").peer("m2", "127.0.0.1:2").build());
  }

  private static long ms(org.apache.ratis.util.TimeDuration d) {
    return d.toLong(TimeUnit.MILLISECONDS);
  }

  @Test
  void aFollowerElectsAfterHalfASecondToOneWithAPreVoteFirst() {
    RaftProperties p = settings(RaftConfig.builder("m1", "127.0.0.1:1", Path.of("/nonexistent")));
    assertEquals(500, ms(RaftServerConfigKeys.Rpc.timeoutMin(p)));
    assertEquals(1000, ms(RaftServerConfigKeys.Rpc.timeoutMax(p)));
    assertTrue(RaftServerConfigKeys.LeaderElection.preVote(p), "a slow follower asks before it deposes a live leader");
    // a late timer is taken for a JVM pause (no election) only when it overran by the minimum election timeout
    assertEquals(500, ms(RaftServerConfigKeys.sleepDeviationThreshold(p)));
  }

  @Test
  void theElectionSettingsFollowAConfiguredTimeout() {
    RaftProperties p = settings(RaftConfig.builder("m1", "127.0.0.1:1", Path.of("/nonexistent"))
        .electionTimeoutMin(Duration.ofMillis(300)));
    assertEquals(300, ms(RaftServerConfigKeys.Rpc.timeoutMin(p)));
    assertEquals(600, ms(RaftServerConfigKeys.Rpc.timeoutMax(p)));
    assertEquals(300, ms(RaftServerConfigKeys.sleepDeviationThreshold(p)));
  }

  @Test
  void rawRatisPropertiesWinOverJswarmsOwn() {
    RaftProperties p = settings(RaftConfig.builder("m1", "127.0.0.1:1", Path.of("/nonexistent"))
        .ratisProperty(RaftServerConfigKeys.LeaderElection.PRE_VOTE_KEY, "false"));
    assertEquals(false, RaftServerConfigKeys.LeaderElection.preVote(p));
  }

  @Test
  void theLogWriteBufferIsTheSmallestRatisAccepts() {
    RaftProperties p = settings(RaftConfig.builder("m1", "127.0.0.1:1", Path.of("/nonexistent")));
    long limit = RaftServerConfigKeys.Log.Appender.bufferByteLimit(p).getSize();
    assertEquals(4L << 20, limit);
    // one direct buffer, resident from the start: Ratis' default is 8 MB, its own check wants limit + 8
    assertEquals(limit + 8, RaftServerConfigKeys.Log.writeBufferSize(p).getSize());
    RaftProperties bigger = settings(RaftConfig.builder("m1", "127.0.0.1:1", Path.of("/nonexistent"))
        .ratisProperty(RaftServerConfigKeys.Log.WRITE_BUFFER_SIZE_KEY, "16MB"));
    assertEquals(16L << 20, RaftServerConfigKeys.Log.writeBufferSize(bigger).getSize());
  }
}
