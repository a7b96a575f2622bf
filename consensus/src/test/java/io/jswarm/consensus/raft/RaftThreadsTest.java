package io.jswarm.consensus.raft;

import static io.jswarm.consensus.raft.RaftTestSupport.FAST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Raft member's threads run at the highest Java priority ({@link RaftThreads}; with -XX:ThreadPriorityPolicy=1 as
 * root that is a lower nice value than the manager's other work), whichever thread started the member, and so do a
 * new leader's log appenders after a failover. Fails without it: the member's threads inherit the normal priority of
 * the thread that started it.
 */
class RaftThreadsTest {
  @TempDir
  Path dir;

  @Test
  void aMembersThreadsAndANewLeadersLogAppendersRunAtTheHighestPriority() throws Exception {
    Thread.currentThread().setPriority(Thread.NORM_PRIORITY);
    try (MiniCluster c = MiniCluster.start(3, dir, FAST)) {
      MiniCluster.Manager leader = c.awaitLeader(Duration.ofSeconds(20));
      RaftTestSupport.createSecret(leader.store(), "x");
      for (MiniCluster.Manager m : c.running()) {
        assertAllRaised(m.id, m == leader ? "LeaderStateImpl" : "FollowerState");
        assertAllRaised(m.id, "StateMachineUpdater");
      }
      assertAllRaised(leader.id, "LogAppender");
      leader.kill();
      MiniCluster.Manager next = MiniCluster.await(Duration.ofSeconds(20), "a new leader",
          () -> c.running().stream().filter(m -> m.node().isLeader()).findFirst().orElse(null));
      RaftTestSupport.createSecret(next.store(), "y");
      assertAllRaised(next.id, "LogAppender");
    }
  }

  @Test
  void onlyTheMembersOwnThreadsAndTheRaftTransportCount() {
    assertTrue(RaftThreads.isRaftThread("abc@group-1234-LeaderStateImpl", "abc"));
    assertTrue(RaftThreads.isRaftThread("grpc-default-executor-3", "abc"));
    assertTrue(RaftThreads.isRaftThread("raft-io-2", "abc"));
    assertFalse(RaftThreads.isRaftThread("dispatcher-events", "abc"));
    assertFalse(RaftThreads.isRaftThread("http-handler-1", "abc"));
  }

  private static void assertAllRaised(String memberId, String... kinds) {
    for (String kind : kinds) {
      List<Thread> threads = RaftThreads.liveThreads().stream()
          .filter(t -> t.getName().contains(memberId) && t.getName().contains(kind)).toList();
      assertFalse(threads.isEmpty(), "no thread of " + memberId + " named *" + kind + "*");
      String low = threads.stream().filter(t -> t.getPriority() != Thread.MAX_PRIORITY)
          .map(t -> t.getName() + "=" + t.getPriority()).collect(Collectors.joining(", "));
      assertEquals("", low, "threads of " + memberId + " below the highest priority");
    }
  }
}
