package io.jswarm.consensus.raft;

import static io.jswarm.consensus.raft.RaftTestSupport.FAST;
import static io.jswarm.consensus.raft.RaftTestSupport.createSecret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.types.Secret;
import io.jswarm.consensus.store.ApplyResult;
import io.jswarm.consensus.store.MemoryStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Group commit on a real 3-manager group: concurrent writes share entries, each gets its own answer, logs replay. */
class RaftGroupCommitTest {
  @TempDir
  Path dir;

  /** Each of {@code rows} changed twice from the version read now: the first write wins, the second conflicts. */
  private static List<CompletableFuture<Secret>> racingUpdates(MemoryStore store, List<String> rows) {
    Map<String, Secret> read = new LinkedHashMap<>();
    rows.forEach(id -> read.put(id, store.viewStale(tx -> tx.secrets().get(id))));
    List<CompletableFuture<Secret>> out = new ArrayList<>();
    for (String id : rows) {
      for (String value : List.of("first", "second")) {
        out.add(store.updateAsync(tx -> {
          Secret s = read.get(id);
          s.spec.labels.put("v", value);
          return tx.secrets().update(s);
        }));
      }
    }
    return out;
  }

  @Test
  void concurrentWritesShareEntriesAndEachGetsItsOwnResult() throws Exception {
    try (MiniCluster c = MiniCluster.start(3, dir, FAST)) {
      for (MiniCluster.Manager writer : List.of(c.leader(), c.follower())) { // on the leader, and forwarded
        MemoryStore store = writer.store();
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
          rows.add(createSecret(store, writer.id + "-row" + i));
        }
        long before = store.appliedIndex();
        List<CompletableFuture<Secret>> writes = racingUpdates(store, rows);
        int ok = 0;
        int conflicts = 0;
        for (CompletableFuture<Secret> w : writes) {
          try {
            w.join();
            ok++;
          } catch (CompletionException e) {
            assertTrue(e.getCause() instanceof ConflictException, "only conflicts: " + e);
            conflicts++;
          }
        }
        assertEquals(30, ok, "one write per row wins");
        assertEquals(30, conflicts, "the other fails on its own, whichever entry it shared");
        long entries = store.appliedIndex() - before;
        assertTrue(entries <= 15, writes.size() + " concurrent writes took " + entries + " log entries on " + writer);
        for (String id : rows) {
          assertEquals("first", store.viewStale(tx -> tx.secrets().get(id)).spec.labels.get("v"));
        }
      }
      c.awaitConverged(Duration.ofSeconds(20));
    }
  }

  @Test
  void largeBatchesNeverShareAnEntryPastTheByteBound() throws Exception {
    try (MiniCluster c = MiniCluster.start(3, dir, FAST)) {
      MemoryStore store = c.leader().store();
      createSecret(store, "warm");
      String big = "x".repeat(GroupCommit.MAX_BYTES * 2 / 3); // two of these exceed one group entry
      long before = store.appliedIndex();
      List<CompletableFuture<String>> writes = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        String name = "s" + i;
        boolean large = i % 4 == 1;
        writes.add(store.updateAsync(tx -> {
          Secret s = RaftTestSupport.secret(name);
          if (large) {
            s.spec.labels.put("big", big);
          }
          return tx.secrets().create(s).id;
        }));
      }
      writes.forEach(CompletableFuture::join);
      long entries = store.appliedIndex() - before;
      assertTrue(entries >= 3, "three batches of 2/3 of the bound each need three entries, took " + entries);
      assertTrue(entries < 12, "the small ones still share entries: " + entries);
      c.awaitConverged(Duration.ofSeconds(30));
    }
  }

  @Test
  void oldSingleBatchEntriesAndGroupEntriesReplayAfterARestart() throws Exception {
    try (MiniCluster c = MiniCluster.start(3, dir, FAST)) {
      MiniCluster.Manager leader = c.leader();
      // an entry exactly as jswarm wrote every entry before group commit (a lone batch is still written so)
      ApplyResult old = leader.node().propose(LogEntryFormatTest.OLD_ENTRY).join();
      assertTrue(old.isOk(), old.toString());
      List<String> rows = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        rows.add(createSecret(leader.store(), "row" + i));
      }
      racingUpdates(leader.store(), rows).forEach(f -> f.handle((r, e) -> null).join()); // group entries
      c.awaitConverged(Duration.ofSeconds(20));
      String hash = leader.store().contentHash();
      long index = leader.store().appliedIndex();
      assertEquals("old", leader.store().viewStale(tx -> tx.secrets().get("s1")).spec.name);

      for (MiniCluster.Manager m : c.running()) {
        m.kill();
      }
      for (MiniCluster.Manager m : c.all()) {
        m.restart(); // no snapshot was taken: every entry is replayed from the log
      }
      c.awaitLeader(Duration.ofSeconds(30));
      MiniCluster.await(Duration.ofSeconds(30), "the replayed stores",
          () -> c.running().stream().allMatch(m -> m.store().appliedIndex() >= index) ? Boolean.TRUE : null);
      c.awaitConverged(Duration.ofSeconds(20));
      for (MiniCluster.Manager m : c.running()) {
        assertEquals(hash, m.store().contentHash(), "replayed " + m);
        assertEquals(old.index(), m.store().viewStale(tx -> tx.secrets().get("s1")).versionIndex());
      }
    }
  }
}
