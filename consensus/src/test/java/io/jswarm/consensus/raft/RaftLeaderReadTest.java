package io.jswarm.consensus.raft;

import static io.jswarm.consensus.raft.RaftTestSupport.FAST;
import static io.jswarm.consensus.raft.RaftTestSupport.createSecret;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Secret;
import io.jswarm.consensus.store.MemoryStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads on a 3-manager group's leader while writes stream through the leader and a follower: each read sees every
 * write acknowledged before it began, and the leader answers reads under its lease ({@link LeaderReads#leased}).
 */
class RaftLeaderReadTest {
  @TempDir
  Path dir;

  @Test
  void leaderReadsSeeEveryWriteAcknowledgedBeforeThemWhileWritesAreInFlight() throws Exception {
    try (MiniCluster c = MiniCluster.start(3, dir, FAST)) {
      MiniCluster.Manager leader = c.leader();
      List<MiniCluster.Manager> writers = List.of(leader, c.follower());
      List<String> rows = new ArrayList<>();
      List<AtomicLong> acked = new ArrayList<>();
      for (int i = 0; i < writers.size(); i++) {
        rows.add(createSecret(leader.store(), "counter" + i));
        acked.add(new AtomicLong());
      }
      AtomicBoolean stop = new AtomicBoolean();
      List<CompletableFuture<Void>> loops = new ArrayList<>();
      for (int i = 0; i < writers.size(); i++) {
        MemoryStore store = writers.get(i).store();
        String row = rows.get(i);
        store.view(tx -> tx.secrets().get(row)); // a follower's updates read its applied state: the row is there
        AtomicLong done = acked.get(i);
        loops.add(CompletableFuture.runAsync(() -> {
          // each write also carries a large label, so entries are in flight (and applied) for a while
          String padding = "x".repeat(16 * 1024);
          for (long n = 1; !stop.get(); n++) {
            long value = n;
            store.update(tx -> {
              Secret s = tx.secrets().get(row);
              s.spec.labels.put("n", Long.toString(value));
              s.spec.labels.put("padding", padding + value);
              return tx.secrets().update(s);
            });
            done.set(value); // acknowledged: every read that begins from now on must see it
          }
        }));
      }
      int reads = 0;
      long deadline = System.nanoTime() + 8_000_000_000L;
      while (System.nanoTime() < deadline || reads < 50) {
        long[] before = new long[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
          before[i] = acked.get(i).get();
        }
        // mostly on the leader of the moment (a loaded machine may see an election), a quarter on a follower
        MiniCluster.Manager now = c.leader();
        MiniCluster.Manager reader = reads % 4 == 3
            ? c.running().stream().filter(m -> m != now).findFirst().orElseThrow() : now;
        long[] seen = reader.store().view(tx -> {
          long[] out = new long[rows.size()];
          for (int i = 0; i < rows.size(); i++) {
            String n = tx.secrets().get(rows.get(i)).spec.labels.get("n");
            out[i] = n.startsWith("counter") ? 0 : Long.parseLong(n);
          }
          return out;
        });
        for (int i = 0; i < rows.size(); i++) {
          assertTrue(seen[i] >= before[i], "read " + reads + " on " + reader + " saw write " + seen[i] + " of writer " + i
              + " after write " + before[i] + " was acknowledged");
        }
        reads++;
      }
      stop.set(true);
      CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).join();
      assertTrue(acked.get(0).get() > 5 && acked.get(1).get() > 5, "the writers wrote: " + acked);
      // since the twelfth round most leader reads are answered under the lease, the others by the commit index
      // (LeaderReadsTest covers that path on its own)
      long leased = c.running().stream().mapToLong(m -> m.node().reads().underLease()).sum();
      assertTrue(leased > 0, "of " + reads + " reads none was answered under the leader's lease");
    }
  }
}
