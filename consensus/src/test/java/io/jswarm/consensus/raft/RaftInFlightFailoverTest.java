package io.jswarm.consensus.raft;

import static io.jswarm.consensus.raft.RaftTestSupport.FAST;
import static io.jswarm.consensus.raft.RaftTestSupport.secret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests in flight when the leader changes go to the new leader under the invocation id they started with
 * ({@link Forwarders}), so they complete there and are applied exactly once (issue 16 item 3, docs/scale.md).
 */
class RaftInFlightFailoverTest {
  @TempDir
  Path dir;

  /**
   * A write submitted on a leader that loses its majority before committing it: the leader steps down and the
   * write goes to the new leader. Fails without {@link Forwarders}: the write then failed with "this manager stopped
   * leading while the write was in flight".
   */
  @Test
  void aWriteOnALeaderThatIsDeposedCompletesThroughTheNewLeaderOnce() throws Exception {
    // a write timeout that outlasts the election and the old leader's step-down on a loaded machine
    try (MiniCluster c = MiniCluster.start(3, dir, FAST.andThen(b -> b.writeTimeout(Duration.ofSeconds(20))))) {
      MiniCluster.Manager old = c.leader();
      RaftTestSupport.createSecret(old.store(), "before");
      c.awaitConverged(Duration.ofSeconds(30)); // both followers can win the election that follows
      for (MiniCluster.Manager m : c.running()) {
        if (m != old) {
          c.block(old, m);
        }
      }
      CompletableFuture<String> write = old.store().updateAsync(tx -> tx.secrets().create(secret("during")).id);
      MiniCluster.Manager fresh = MiniCluster.await(Duration.ofSeconds(20), "a leader among the majority",
          () -> c.running().stream().filter(m -> m != old && m.node().isLeader()).findFirst().orElse(null));
      assertFalse(write.isDone(), "the cut-off leader cannot commit the write");
      c.unblockAll(); // the old leader hears the new term and steps down; its uncommitted entry is dropped
      String id = write.get(20, TimeUnit.SECONDS);
      assertNotEquals(old, fresh);
      c.awaitConverged(Duration.ofSeconds(30));
      for (MiniCluster.Manager m : c.running()) {
        List<Secret> named = m.store().viewStale(tx -> tx.secrets().all().stream()
            .filter(s -> s.spec.name.equals("during")).toList());
        assertEquals(1, named.size(), m + " holds the write once");
        assertEquals(id, named.get(0).id);
      }
    }
  }

  /**
   * Writes forwarded from the followers while the leader is killed all complete (none fails: each goes to the new
   * leader once this member learns it) and each is applied once: a write applied twice would be refused the second
   * time (its name is taken) and answered with that refusal.
   */
  @Test
  void writesInFlightWhenTheLeaderIsKilledCompleteThroughTheNewLeaderOnce() throws Exception {
    try (MiniCluster c = MiniCluster.start(3, dir, FAST)) {
      MiniCluster.Manager old = c.leader();
      List<MiniCluster.Manager> followers = c.running().stream().filter(m -> m != old).toList();
      RaftTestSupport.createSecret(followers.get(0).store(), "warm");
      List<CompletableFuture<String>> writes = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String name = "w" + i;
        writes.add(followers.get(i % 2).store().updateAsync(tx -> tx.secrets().create(secret(name)).id));
        if (i == 20) {
          old.kill();
        }
      }
      for (int i = 0; i < writes.size(); i++) {
        try {
          writes.get(i).get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          throw new AssertionError("write w" + i + " failed: " + e.getCause(), e.getCause());
        }
      }
      c.awaitConverged(Duration.ofSeconds(30));
      for (MiniCluster.Manager m : c.running()) {
        long names = m.store().viewStale(tx -> tx.secrets().all().stream().map(s -> s.spec.name).distinct().count());
        int rows = m.store().viewStale(tx -> tx.secrets().all().size());
        assertEquals(41, rows, m + ": every write once");
        assertEquals(41, names);
      }
      assertTrue(c.running().stream().noneMatch(m -> m == old));
    }
  }

  /**
   * Linearizable reads begun on both followers as the leader is killed: the one on the member that becomes leader is
   * answered by its term's first entry ({@link NewLeaderReads}), the other by its own barrier entry, and both see the
   * write acknowledged before the kill. Fails without {@link NewLeaderReads}: the new leader then answers no read
   * before its own barrier entry.
   */
  @Test
  void aReadInFlightOnTheMemberThatBecomesLeaderIsAnsweredByItsFirstEntry() throws Exception {
    try (MiniCluster c = MiniCluster.start(3, dir, FAST.andThen(b -> b.writeTimeout(Duration.ofSeconds(20))))) {
      MiniCluster.Manager old = c.leader();
      List<MiniCluster.Manager> followers = c.running().stream().filter(m -> m != old).toList();
      String before = RaftTestSupport.createSecret(followers.get(0).store(), "before-kill");
      c.awaitConverged(Duration.ofSeconds(30));
      for (MiniCluster.Manager m : followers) {
        c.block(old, m); // the leader is cut off at once (closing it takes longer than an election here)
      }
      List<CompletableFuture<Void>> reads = new ArrayList<>();
      for (MiniCluster.Manager m : followers) {
        reads.add(m.node().readBarrier()); // begun before any follower leads
      }
      old.kill();
      c.unblockAll();
      for (CompletableFuture<Void> r : reads) {
        r.get(20, TimeUnit.SECONDS);
      }
      MiniCluster.Manager fresh = c.awaitLeader(Duration.ofSeconds(20));
      for (MiniCluster.Manager m : followers) {
        assertTrue(m.store().viewStale(tx -> tx.secrets().get(before)) != null, m + " read after the write");
      }
      assertEquals(1, fresh.node().reads().answeredByNewLeadership(), "the new leader's read, by its first entry");
      MiniCluster.Manager other = followers.get(0) == fresh ? followers.get(1) : followers.get(0);
      assertEquals(0, other.node().reads().answeredByNewLeadership());
    }
  }
}
