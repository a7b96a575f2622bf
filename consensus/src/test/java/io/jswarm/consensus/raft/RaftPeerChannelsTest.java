package io.jswarm.consensus.raft;

import static io.jswarm.consensus.raft.RaftTestSupport.FAST;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every member keeps a connection open to every other member, followers to each other included, so that the votes
 * after a leader dies need no new connection ({@link PeerChannels}, docs/scale.md). Fails without it: in a group grown by
 * joins a follower has never talked to the other follower, so it has no open channel to it.
 */
class RaftPeerChannelsTest {
  @TempDir
  Path dir;

  @Test
  void followersKeepAConnectionToEachOtherOpen() throws Exception {
    // grown by joins, as a cluster is (swarm init, then join): the two joined followers never voted with each other
    try (MiniCluster c = MiniCluster.start(1, dir, FAST)) {
      c.addManager();
      c.addManager();
      MiniCluster.Manager leader = c.leader();
      RaftTestSupport.createSecret(leader.store(), "x");
      for (MiniCluster.Manager m : c.running()) {
        if (m == leader) {
          continue;
        }
        Map<String, String> states = MiniCluster.await(Duration.ofSeconds(20), m + "'s channels all READY",
            () -> m.node().peerChannelStates().toString(), () -> {
              Map<String, String> s = m.node().peerChannelStates();
              return s.size() == 2 && s.values().stream().allMatch("READY"::equals) ? s : null;
            });
        assertEquals(2, states.size(), states.toString());
      }
    }
  }
}
