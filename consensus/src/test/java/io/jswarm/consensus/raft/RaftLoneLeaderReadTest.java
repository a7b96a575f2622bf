package io.jswarm.consensus.raft;

import static io.jswarm.consensus.raft.RaftTestSupport.FAST;
import static io.jswarm.consensus.raft.RaftTestSupport.createSecret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.consensus.store.MemoryStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lone manager answers a linearizable read from what it has applied, without waiting for its apply thread to
 * reach the commit index: an entry committed but not applied yet has been acknowledged to nobody
 * ({@code RaftNode.readsAppliedState}). At 100,000 tasks that wait was most of a {@code GET /services}.
 */
class RaftLoneLeaderReadTest {

  @Test
  void aReadDoesNotWaitForAnEntryStillBeingApplied(@TempDir Path dir) throws Exception {
    try (MiniCluster c = MiniCluster.start(1, dir, FAST)) {
      MiniCluster.Manager m = c.awaitLeader(Duration.ofSeconds(30));
      createSecret(m.store(), "before");
      m.node().readBarrier().get(10, TimeUnit.SECONDS);

      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Thread stall = new Thread(() -> {
        synchronized (applyLock(m.store())) {
          held.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }, "stall-apply");
      stall.start();
      try {
        assertTrue(held.await(10, TimeUnit.SECONDS));
        CompletableFuture<String> write = CompletableFuture.supplyAsync(() -> createSecret(m.store(), "during"));
        MiniCluster.await(Duration.ofSeconds(10), "the write committed but not applied", () -> {
          RaftStatus s = m.node().status();
          return s.commitIndex() > s.appliedIndex() ? s : null;
        });

        // Without the fast path this waits for the stalled apply thread and times out
        m.node().readBarrier().get(2, TimeUnit.SECONDS);
        assertFalse(write.isDone(), "the write is acknowledged only once applied");
        assertEquals(1, (int) m.store().view(tx -> tx.secrets().all().size()));
      } finally {
        release.countDown();
        stall.join(30_000);
      }
      MiniCluster.await(Duration.ofSeconds(10), "the write applied", () ->
          m.store().view(tx -> tx.secrets().all().size()) == 2 ? Boolean.TRUE : null);
      m.node().readBarrier().get(10, TimeUnit.SECONDS);
      assertEquals(2, (int) m.store().view(tx -> tx.secrets().all().size()));
    }
  }

  /** The store's apply lock: holding it stalls the apply thread the way a large entry does. */
  private static Object applyLock(MemoryStore store) {
    try {
      var f = MemoryStore.class.getDeclaredField("applyLock");
      f.setAccessible(true);
      return f.get(store);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }
}
