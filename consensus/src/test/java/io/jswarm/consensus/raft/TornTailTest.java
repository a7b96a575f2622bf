package io.jswarm.consensus.raft;

import static io.jswarm.consensus.raft.RaftTestSupport.createSecret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.Tables;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash in the middle of an append leaves a torn last entry in the open log segment ({@code log_inprogress_*});
 * the manager must start anyway (the torn entry cut off), while damage with good data after it is refused.
 */
class TornTailTest {
  private static final int ROWS = 50;

  @TempDir
  Path dir;

  private RaftConfig config() throws IOException {
    String addr = "127.0.0.1:" + MiniCluster.freePort();
    // no snapshot at stop: a hand-torn entry must not be one a snapshot already holds (a crash takes none)
    return RaftConfig.builder("m1", addr, dir.resolve("m1")).peer("m1", addr)
        .ratisProperty("raft.server.snapshot.trigger-when-stop.enabled", "false").build();
  }

  private Path writeRowsAndStop(RaftConfig cfg) throws IOException {
    try (RaftStore s = RaftStore.start(cfg, Clock.systemUTC(), IdGenerator.secure())) {
      for (int i = 0; i < ROWS; i++) {
        createSecret(s.store(), "s" + i);
      }
    }
    try (Stream<Path> w = Files.walk(cfg.storageDir())) {
      return w.filter(p -> p.getFileName().toString().startsWith("log_inprogress")).findFirst().orElseThrow();
    }
  }

  /** Restarts, checks the rows of the intact entries are there and a new write commits. */
  private void restartsWithRows(RaftConfig cfg, int atLeast) throws IOException {
    try (RaftStore s = RaftStore.start(cfg, Clock.systemUTC(), IdGenerator.secure())) {
      MiniCluster.await(java.time.Duration.ofSeconds(20), "the log to replay",
          () -> s.store().count(Tables.SECRETS) >= atLeast ? true : null);
      createSecret(s.store(), "after-restart-" + System.nanoTime());
      assertTrue(s.store().count(Tables.SECRETS) >= atLeast + 1);
    }
  }

  @Test
  void lastEntryCutShortThenPreallocatedZerosIsCutOffAndTheManagerStarts() throws Exception {
    RaftConfig cfg = config();
    Path seg = writeRowsAndStop(cfg);
    try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
      raf.setLength(raf.length() - 7);
      raf.seek(raf.length());
      raf.write(new byte[4096]); // Ratis preallocates the open segment with zeros
    }
    restartsWithRows(cfg, ROWS - 1);
  }

  @Test
  void lastEntryCutShortAtEndOfFileIsCutOff() throws Exception {
    RaftConfig cfg = config();
    Path seg = writeRowsAndStop(cfg);
    try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
      raf.setLength(raf.length() - 3);
    }
    restartsWithRows(cfg, ROWS - 1);
  }

  @Test
  void garbledTailIsCutOff() throws Exception {
    RaftConfig cfg = config();
    Path seg = writeRowsAndStop(cfg);
    try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
      byte[] junk = new byte[20];
      Arrays.fill(junk, (byte) 0xab);
      raf.seek(raf.length() - junk.length);
      raf.write(junk);
    }
    restartsWithRows(cfg, ROWS - 1);
  }

  @Test
  void damageInsideTheOpenSegmentIsRefusedNamingTheFile() throws Exception {
    RaftConfig cfg = config();
    Path seg = writeRowsAndStop(cfg);
    try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
      long at = raf.length() / 2;
      raf.seek(at);
      int b = raf.read();
      raf.seek(at);
      raf.write(b ^ 0x5a);
    }
    long size = Files.size(seg);
    CorruptStateException e = assertThrows(CorruptStateException.class,
        () -> RaftStore.start(cfg, Clock.systemUTC(), IdGenerator.secure()).close());
    assertTrue(e.getMessage().contains(seg.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("damage inside"), e.getMessage());
    assertEquals(size, Files.size(seg), "a refused segment is left as it was");
  }

  /**
   * The real thing: a child JVM appends large entries as fast as it can and is killed with SIGKILL at a random
   * moment, several times; every restart must come up with at least every acknowledged row.
   */
  @Test
  void killNineDuringWritesNeverBlocksARestart() throws Exception {
    RaftConfig cfg = config();
    Path storage = cfg.storageDir();
    int acknowledged = 0;
    for (int round = 0; round < 3; round++) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          TornTailWriter.class.getName(), storage.toString(), cfg.address(), "r" + round)
          .redirectErrorStream(true).start();
      int last = 0;
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        int target = 10 + round * 7;
        while ((line = r.readLine()) != null) {
          if (line.startsWith("ACK ")) {
            last = Integer.parseInt(line.substring(4));
            if (last >= target) {
              Thread.sleep(round * 7L); // land the kill somewhere else in the next appends each round
              break;
            }
          }
        }
        p.destroyForcibly(); // SIGKILL, mid-append
        p.waitFor(30, TimeUnit.SECONDS);
      }
      assertTrue(last > 0, "the writer acknowledged rows in round " + round);
      acknowledged += last;
      restartsWithRows(cfg, acknowledged);
      acknowledged++; // the after-restart row
    }
  }
}
