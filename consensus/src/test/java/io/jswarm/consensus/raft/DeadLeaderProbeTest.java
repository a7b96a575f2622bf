package io.jswarm.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A follower starts an election at once only when its leader's Raft port refuses connections, one survivor first
 * ({@link DeadLeaderProbe}).
 */
class DeadLeaderProbeTest {
  private static final long MS = 1_000_000L;
  private final AtomicLong now = new AtomicLong();
  private final AtomicBoolean refuses = new AtomicBoolean();
  private final List<String> probed = new ArrayList<>();
  private final AtomicReference<DeadLeaderProbe.Follower> follower = new AtomicReference<>();
  private final List<DeadLeaderProbe.Follower> started = new ArrayList<>();
  private final DeadLeaderProbe probe = probe(Duration.ZERO);

  private void follow(long term, long sinceLeaderMs, boolean channelUp, int rank) {
    follower.set(new DeadLeaderProbe.Follower("m1", "127.0.0.1:7001", term, sinceLeaderMs, channelUp, rank));
  }

  private void checkAt(long ms) {
    now.set(ms * MS);
    probe.check();
  }

  @Test
  void aLeaderHeardRecentlyOverAnOpenChannelIsNotProbed() {
    refuses.set(true);
    for (long t = 0; t < 2000; t += 50) {
      follow(3, 120, true, 0);
      checkAt(t);
    }
    assertEquals(List.of(), probed);
    assertEquals(0, probe.elections());
  }

  @Test
  void aDroppedChannelToALeaderThatRefusesConnectionsStartsAnElectionAtOnce() {
    follow(3, 20, false, 0);
    refuses.set(true);
    checkAt(0);
    assertEquals(1, started.size());
    assertEquals(3, started.get(0).term());
    checkAt(50);
    checkAt(1000);
    assertEquals(1, started.size(), "one election per leader and term");
  }

  @Test
  void aSilentLeaderThatStillAcceptsConnectionsIsLeftToTheTimerAndProbedAtMostEvery100Ms() {
    follow(3, 400, true, 0); // slow, paused or cut off: it does not refuse a connect
    for (long t = 0; t < 1000; t += 25) {
      checkAt(t);
    }
    assertEquals(0, started.size());
    assertEquals(10, probed.size(), probed.toString());
  }

  @Test
  void theSecondSurvivorWaitsItsTurn() {
    follow(3, 0, false, 1);
    refuses.set(true);
    checkAt(0);
    checkAt(499);
    assertEquals(0, started.size());
    checkAt(500);
    assertEquals(1, started.size());
  }

  @Test
  void theSecondSurvivorDoesNotStartWhenTheFirstWasFaster() {
    follow(3, 0, false, 1);
    refuses.set(true);
    checkAt(0);
    follower.set(null); // the first survivor's vote request: a new term, no leader known
    checkAt(300);
    follow(4, 0, true, 1); // and it leads
    checkAt(600);
    assertEquals(0, started.size());
  }

  @Test
  void aLeaderThatCameBackBeforeTheSecondSurvivorsTurnIsLeftAlone() {
    follow(3, 0, false, 1);
    refuses.set(true);
    checkAt(0);
    refuses.set(false); // restarted on its port
    checkAt(600);
    assertEquals(0, started.size());
  }

  @Test
  void aNewLeaderOrTermIsWatchedAgain() {
    follow(3, 0, false, 0);
    refuses.set(true);
    checkAt(0);
    assertEquals(1, started.size());
    follower.set(new DeadLeaderProbe.Follower("m3", "127.0.0.1:7003", 5, 0, false, 0));
    checkAt(50);
    assertEquals(2, started.size());
    assertEquals("m3", started.get(1).leader());
  }

  /**
   * A probe of member m2 (silence 300 ms, a probe every 100 ms, 500 ms per rank) that records each address it probes
   * and waits {@code hold} since the leader was last heard before it starts an election.
   */
  private DeadLeaderProbe probe(Duration hold) {
    return new DeadLeaderProbe("m2", new DeadLeaderProbe.Member() {
      @Override
      public DeadLeaderProbe.Follower follower() {
        return follower.get();
      }

      @Override
      public boolean startElection(DeadLeaderProbe.Follower f) {
        started.add(f);
        return true;
      }
    }, address -> {
      probed.add(address);
      return refuses.get();
    }, Duration.ofMillis(300), Duration.ofMillis(100), Duration.ofMillis(500), hold, now::get);
  }


  @Test
  void withTheLeaseTheFirstSurvivorWaitsTheVoteHoldSinceTheLeaderWasLastHeard() {
    DeadLeaderProbe held = probe(VoteGrantHold.hold(Duration.ofMillis(500), true));
    refuses.set(true);
    for (long t = 0; t <= 150; t += 10) { // the leader's last append came at -20 ms
      follow(3, t + 20, false, 0);
      now.set(t * MS);
      held.check();
    }
    assertEquals(0, started.size(), "its vote for itself is a vote: held 180 ms after the last append");
    follow(3, 180, false, 0);
    now.set(160 * MS);
    held.check();
    assertEquals(1, started.size());
  }

  @Test
  void withTheLeaseOffTheFirstSurvivorStartsAtOnce() {
    DeadLeaderProbe unheld = probe(VoteGrantHold.hold(Duration.ofMillis(500), false));
    refuses.set(true);
    follow(3, 20, false, 0);
    now.set(0);
    unheld.check();
    assertEquals(1, started.size(), "nothing relies on the hold without the lease");
  }

  @Test
  void aRefusedConnectIsToldFromAListenerAndFromNoAnswer() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
      assertFalse(DeadLeaderProbe.connectRefused("127.0.0.1:" + port, Duration.ofMillis(500)), "a listener");
    }
    assertTrue(DeadLeaderProbe.connectRefused("127.0.0.1:" + port, Duration.ofMillis(500)), "nothing listens");
    assertTrue(DeadLeaderProbe.connectRefused("[::1]:" + port, Duration.ofMillis(500))
        || !java.net.InetAddress.getByName("::1").isLoopbackAddress(), "an IPv6 address in brackets");
  }
}
