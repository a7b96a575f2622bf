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
        assertAllRaised(() -> m.id, "@group-"); // every thread of the member: its role's, its appenders, its updater
        assertAllRaised(() -> m.id, "StateMachineUpdater");
      }
      assertAllRaised(() -> leaderOf(c), "LogAppender");
      leader.kill();
      MiniCluster.Manager next = MiniCluster.await(Duration.ofSeconds(20), "a new leader",
          () -> c.running().stream().filter(m -> m.node().isLeader()).findFirst().orElse(null));
      RaftTestSupport.createSecret(next.store(), "y");
      assertAllRaised(() -> leaderOf(c), "LogAppender");
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

  /**
   * Every thread of that kind is raised within a few seconds: a thread Ratis makes later (a FollowerState after a
   * term change, started from a gRPC thread Netty made at the normal priority) may be born low and is raised by the
   * next periodic pass, every minimum election timeout.
   */
  private static void assertAllRaised(java.util.function.Supplier<String> member, String kind)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      String memberId = member.get(); // the leader may change on a loaded machine: its threads, whoever it is
      List<Thread> threads = RaftThreads.liveThreads().stream()
          .filter(t -> t.getName().contains(memberId) && t.getName().contains(kind)).toList();
      String low = threads.stream().filter(t -> t.getPriority() != Thread.MAX_PRIORITY)
          .map(t -> t.getName() + "=" + t.getPriority()).collect(Collectors.joining(", "));
      if (!threads.isEmpty() && low.isEmpty()) {
        break;
      }
      if (System.nanoTime() > deadline) {
        assertFalse(threads.isEmpty(), "no thread of " + memberId + " named *" + kind + "*");
        assertEquals("", low, "threads of " + memberId + " below the highest priority after 5 s");
      }
      Thread.sleep(50);
    }
  }

  private static String leaderOf(MiniCluster c) {
    return c.running().stream().filter(m -> m.node().isLeader()).map(m -> m.id).findFirst().orElse("(none)");
  }
}
