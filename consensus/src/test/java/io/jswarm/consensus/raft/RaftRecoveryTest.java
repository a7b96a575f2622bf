package io.jswarm.consensus.raft;

import static io.jswarm.consensus.raft.RaftTestSupport.FAST;
import static io.jswarm.consensus.raft.RaftTestSupport.createSecret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.consensus.store.IdGenerator;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftRecoveryTest {
  @TempDir
  Path dir;

  @Test
  void restartedManagersRecoverTheirTablesFromDisk() throws Exception {
    try (MiniCluster c = MiniCluster.start(3, dir, FAST.andThen(b -> b.snapshotEvery(40)))) {
      for (int i = 0; i < 100; i++) { // past two snapshots, with a log tail after the last
        createSecret(c.leader().store(), "s" + i);
      }
      String before = convergedAndRestarted(c);
      for (MiniCluster.Manager m : c.all()) { // state comes back from snapshot + log, before any new write
        MiniCluster.await(Duration.ofSeconds(30), m + " to replay its log",
            () -> m.store().count(io.jswarm.consensus.store.Tables.SECRETS) == 100 ? true : null);
        assertTrue(m.node().status().snapshotIndex() > 0, m + " has a snapshot");
      }
      c.awaitConverged(Duration.ofSeconds(30));
      assertEquals(before, c.get("m2").store().contentHash());
      createSecret(c.leader().store(), "after-restart");
      c.awaitConverged(Duration.ofSeconds(30));
    }
  }

  /** Patches ({@code TableWriter.patch}) in the log and under snapshots give back the same rows after a restart. */
  @Test
  void patchedRowsComeBackFromSnapshotAndLog() throws Exception {
    try (MiniCluster c = MiniCluster.start(3, dir, FAST.andThen(b -> b.snapshotEvery(40)))) {
      String id = c.leader().store().update(tx -> {
        io.jswarm.api.types.Task t = new io.jswarm.api.types.Task();
        t.serviceId = "svc";
        t.slot = 1L;
        t.nodeId = "node1";
        t.labels = new java.util.TreeMap<>(java.util.Map.of("kept", "as created"));
        return tx.tasks().create(t).id;
      });
      for (int i = 0; i < 100; i++) { // past two snapshots, with a log tail after the last
        String message = "step " + i;
        c.leader().store().update(tx -> {
          io.jswarm.api.types.Task p = tx.tasks().read(id, io.jswarm.api.types.Task::emptyPatch);
          p.status = new io.jswarm.api.types.Task.TaskStatus();
          p.status.message = message;
          tx.tasks().patch(p);
          return null;
        });
      }
      String before = convergedAndRestarted(c);
      for (MiniCluster.Manager m : c.all()) {
        MiniCluster.await(Duration.ofSeconds(30), m + " to replay its log", () -> m.store().viewStale(tx -> {
          io.jswarm.api.types.Task t = tx.tasks().get(id);
          return t != null && t.status != null && "step 99".equals(t.status.message) ? true : null;
        }));
        assertTrue(m.node().status().snapshotIndex() > 0, m + " has a snapshot");
        assertEquals("as created", m.store().viewStale(tx -> tx.tasks().get(id)).labels.get("kept"));
      }
      c.awaitConverged(Duration.ofSeconds(30));
      for (MiniCluster.Manager m : c.all()) {
        assertEquals(before, m.store().contentHash(), m + " after its restart");
      }
    }
  }

  @Test
  void followerCutOffPastSnapshotAndPurgeRejoinsBySnapshotInstall() throws Exception {
    try (MiniCluster c = MiniCluster.start(3, dir, FAST.andThen(b -> b.snapshotEvery(50).segmentSize(16 << 10)))) {
      createSecret(c.leader().store(), "before");
      c.awaitConverged(Duration.ofSeconds(30));
      MiniCluster.Manager follower = c.follower();
      long followerIndex = follower.store().appliedIndex();
      follower.kill();
      for (int i = 0; i < 400; i++) {
        createSecret(c.leader().store(), "s" + i);
      }
      MiniCluster.Manager leader = c.leader();
      MiniCluster.await(Duration.ofSeconds(30), "the leader to purge its log past the follower",
          () -> leader.node().logStartIndex() > followerIndex + 1 ? true : null);

      follower.restart();
      c.awaitConverged(Duration.ofSeconds(60));
      assertEquals(402, follower.store().count(io.jswarm.consensus.store.Tables.SECRETS) + 1);
      // The follower's entries before the leader's log start can only have come from a snapshot install.
      assertTrue(follower.node().status().snapshotIndex() >= leader.node().logStartIndex() - 1,
          "follower installed a snapshot: " + follower.node().status());
    }
  }

  @Test
  void corruptedSnapshotIsRefusedAtStartWithAnErrorNamingTheFile() throws Exception {
    String addr = "127.0.0.1:" + MiniCluster.freePort();
    RaftConfig cfg = RaftConfig.builder("m1", addr, dir.resolve("m1")).peer("m1", addr).snapshotEvery(20).build();
    try (RaftStore s = RaftStore.start(cfg, Clock.systemUTC(), IdGenerator.secure())) {
      for (int i = 0; i < 50; i++) {
        createSecret(s.store(), "s" + i);
      }
      MiniCluster.await(Duration.ofSeconds(10), "a snapshot", () -> s.node().status().snapshotIndex() > 0 ? 1 : null);
    }
    Path snapshot = newest(cfg.storageDir(), "snapshot.");
    flipByte(snapshot, Files.size(snapshot) / 2);
    CorruptStateException e = assertThrows(CorruptStateException.class,
        () -> RaftStore.start(cfg, Clock.systemUTC(), IdGenerator.secure()).close());
    assertTrue(e.getMessage().contains(snapshot.getFileName().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("refusing to start"), e.getMessage());
  }

  @Test
  void corruptedLogSegmentIsRefusedAtStartWithAnErrorNamingTheFile() throws Exception {
    String addr = "127.0.0.1:" + MiniCluster.freePort();
    RaftConfig cfg = RaftConfig.builder("m1", addr, dir.resolve("m1")).peer("m1", addr)
        .segmentSize(8 << 10).build();
    try (RaftStore s = RaftStore.start(cfg, Clock.systemUTC(), IdGenerator.secure())) {
      for (int i = 0; i < 200; i++) {
        createSecret(s.store(), "s" + i);
      }
    }
    Path segment = newest(cfg.storageDir(), "log_");
    assertTrue(segment.getFileName().toString().matches("log_\\d+-\\d+"), "a closed segment: " + segment);
    flipByte(segment, Files.size(segment) / 2);
    CorruptStateException e = assertThrows(CorruptStateException.class,
        () -> RaftStore.start(cfg, Clock.systemUTC(), IdGenerator.secure()).close());
    assertTrue(e.getMessage().contains(segment.toString()), e.getMessage());
  }

  /** The newest closed file whose name starts with {@code prefix}, anywhere under {@code root}. */
  private static Path newest(Path root, String prefix) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      List<Path> files = walk.filter(p -> {
        String n = p.getFileName().toString();
        return n.startsWith(prefix) && !n.endsWith(".md5") && !n.contains("inprogress") && !n.endsWith(".tmp");
      }).sorted().toList();
      assertTrue(!files.isEmpty(), "no " + prefix + "* file under " + root);
      return files.stream().max((a, b) -> Long.compare(a.toFile().lastModified(), b.toFile().lastModified()))
          .orElseThrow();
    }
  }

  /** Waits for every member to hold the same state, kills and restarts them all; returns the state's hash. */
  private static String convergedAndRestarted(MiniCluster c) throws Exception {
    c.awaitConverged(Duration.ofSeconds(30));
    String before = c.get("m1").store().contentHash();
    for (MiniCluster.Manager m : c.all()) {
      m.kill();
    }
    for (MiniCluster.Manager m : c.all()) {
      m.restart();
    }
    return before;
  }

  private static void flipByte(Path file, long at) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(at);
      int b = raf.read();
      raf.seek(at);
      raf.write(b ^ 0x5a);
    }
  }
}
