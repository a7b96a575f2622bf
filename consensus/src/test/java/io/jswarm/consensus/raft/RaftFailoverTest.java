package io.jswarm.consensus.raft;

import static io.jswarm.consensus.raft.RaftTestSupport.FAST;
import static io.jswarm.consensus.raft.RaftTestSupport.createSecret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.JswarmException;
import io.jswarm.api.types.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftFailoverTest {
  @TempDir
  Path dir;

  @Test
  void leaderKilledDuringThousandWritesLosesNoAcknowledgedWriteAndStoresEndIdentical() throws Exception {
    try (MiniCluster c = MiniCluster.start(3, dir, FAST)) {
      MiniCluster.Manager oldLeader = c.leader();
      List<MiniCluster.Manager> writers = c.running().stream().filter(m -> m != oldLeader).toList();
      Map<String, String> acknowledged = new ConcurrentHashMap<>(); // name -> id
      AtomicInteger failed = new AtomicInteger();
      AtomicInteger attempts = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      for (int t = 0; t < 8; t++) {
        int thread = t;
        pool.execute(() -> {
          int i;
          while ((i = attempts.getAndIncrement()) < 1000) {
            if (i == 300) {
              oldLeader.kill();
            }
            String name = "w" + i;
            try {
              // Writes enter through the followers, so the store forwards them to whoever leads.
              acknowledged.put(name, createSecret(writers.get(thread % 2).store(), name));
            } catch (JswarmException e) {
              failed.incrementAndGet(); // not acknowledged: may or may not have been applied
            }
          }
        });
      }
      pool.shutdown();
      assertTrue(pool.awaitTermination(5, TimeUnit.MINUTES), "writers finished");
      MiniCluster.Manager newLeader = c.leader();
      assertNotEquals(oldLeader, newLeader);
      assertTrue(acknowledged.size() >= 900, "most writes acknowledged: " + acknowledged.size()
          + " acknowledged, " + failed.get() + " failed");

      oldLeader.restart();
      c.awaitConverged(Duration.ofSeconds(60));
      for (MiniCluster.Manager m : c.all()) {
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
          Secret s = m.store().viewStale(tx -> tx.secrets().get(e.getValue()));
          assertNotNull(s, m + " lost acknowledged write " + e.getKey());
          assertEquals(e.getKey(), s.spec.name);
        }
      }
      String hash = c.get("m1").store().contentHash();
      for (MiniCluster.Manager m : c.all()) {
        assertEquals(hash, m.store().contentHash(), m + " differs");
      }
    }
  }
}
