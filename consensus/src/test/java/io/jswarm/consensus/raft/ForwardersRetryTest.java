package io.jswarm.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;

/**
 * A request towards a leader that does not answer at all (a refused connection: killed) is tried again only every
 * five retry sleeps: the new leader gets it the moment this member learns it, so asking the dead one often gains
 * nothing and costs a connection each time.
 */
class ForwardersRetryTest {
  @Test
  void aDeadLeaderIsAskedAgainOnlyEveryFiveRetrySleeps() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: connections are refused
    }
    RaftPeerId dead = RaftPeerId.valueOf("dead");
    RaftGroup group = RaftGroup.valueOf(RaftGroupId.randomId(), List.of(
        RaftPeer.newBuilder().setId(dead).setAddress("127.0.0.1:" + port).build()));
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(1, TimeUnit.SECONDS));
    AtomicInteger attempts = new AtomicInteger();
    long retryMs = 50;
    try (Forwarders f = new Forwarders(RaftPeerId.valueOf("me"), group.getGroupId(), () -> {
      attempts.incrementAndGet(); // asked once per attempt, to pick its target
      return false;
    }, () -> dead, () -> group, req -> CompletableFuture.failedFuture(new IllegalStateException("not local")),
        p, new Parameters(), Duration.ofSeconds(3), TimeDuration.valueOf(retryMs, TimeUnit.MILLISECONDS))) {
      f.send(Message.valueOf("w"), false);
      Thread.sleep(2000);
      int n = attempts.get();
      // 2 s / (5 x 50 ms) = 8 attempts plus connection time; with the plain retry sleep it was ~40
      assertTrue(n >= 1 && n <= 12, "attempts towards the dead leader in 2 s: " + n);
    }
  }

  @Test
  void aRequestAnsweredLeaderNotReadyGoesAgainTheMomentThisMemberIsTheReadyLeader() throws Exception {
    RaftPeerId me = RaftPeerId.valueOf("me");
    RaftGroup group = RaftGroup.valueOf(RaftGroupId.randomId(), List.of(
        RaftPeer.newBuilder().setId(me).setAddress("127.0.0.1:1").build()));
    AtomicInteger attempts = new AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean ready = new java.util.concurrent.atomic.AtomicBoolean();
    try (Forwarders f = new Forwarders(me, group.getGroupId(), () -> true, () -> null, () -> group, req -> {
      attempts.incrementAndGet();
      if (!ready.get()) {
        return CompletableFuture.completedFuture(RaftClientReply.newBuilder().setRequest(req)
            .setException(new LeaderNotReadyException(RaftGroupMemberId.valueOf(me, group.getGroupId()))).build());
      }
      return CompletableFuture.completedFuture(RaftClientReply.newBuilder().setRequest(req).setSuccess().build());
    }, new RaftProperties(), new Parameters(), Duration.ofSeconds(30), TimeDuration.valueOf(10, TimeUnit.SECONDS))) {
      CompletableFuture<RaftClientReply> w = f.send(Message.valueOf("w"), false);
      assertEquals(1, attempts.get(), "the first attempt: leader not ready, then a 10 s retry sleep");
      assertFalse(w.isDone());
      ready.set(true);
      long t0 = System.nanoTime();
      f.leaderReady();
      assertTrue(w.get(5, TimeUnit.SECONDS).isSuccess());
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "not at the end of the 10 s sleep");
      assertEquals(2, attempts.get());
      f.leaderReady();
      assertEquals(2, attempts.get(), "a request answered is not sent again");
    }
  }
}
