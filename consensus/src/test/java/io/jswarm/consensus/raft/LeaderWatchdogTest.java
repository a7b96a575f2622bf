package io.jswarm.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A leader whose commit index stays put while work waits steps down after the limit, and only then. */
class LeaderWatchdogTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicBoolean leading = new AtomicBoolean(true);
  private final AtomicLong commit = new AtomicLong(5983);
  private final AtomicBoolean waiting = new AtomicBoolean(true);
  private final AtomicLong now = new AtomicLong();
  private final AtomicInteger stepDowns = new AtomicInteger();
  private final LeaderWatchdog dog = new LeaderWatchdog("m2", leading::get, commit::get, waiting::get,
      stepDowns::incrementAndGet, 8 * SECOND, now::get);

  private void checkAt(long seconds) {
    now.set(seconds * SECOND);
    dog.check();
  }

  @Test
  void aLeaderStuckAtOneCommitIndexWithWritesWaitingStepsDown() {
    for (long t = 0; t <= 8; t++) {
      checkAt(t);
    }
    assertEquals(0, stepDowns.get(), "8 s after the first look it has been stalled 7 s");
    checkAt(9);
    assertEquals(1, stepDowns.get());
    checkAt(10);
    assertEquals(1, stepDowns.get(), "once; it starts counting again");
  }

  @Test
  void aMovingCommitIndexIsNoStall() {
    for (long t = 0; t <= 30; t++) {
      commit.incrementAndGet();
      checkAt(t);
    }
    assertEquals(0, stepDowns.get());
  }

  @Test
  void anIdleLeaderIsNoStall() {
    waiting.set(false);
    for (long t = 0; t <= 30; t++) {
      checkAt(t);
    }
    assertEquals(0, stepDowns.get());
  }

  @Test
  void aFollowerIsNeverSteppedDownAndCountsAfreshWhenItLeads() {
    leading.set(false);
    for (long t = 0; t <= 30; t++) {
      checkAt(t);
    }
    assertEquals(0, stepDowns.get());
    leading.set(true);
    checkAt(31);
    checkAt(32);
    checkAt(39);
    assertEquals(0, stepDowns.get());
    checkAt(40);
    assertEquals(1, stepDowns.get());
  }

  @Test
  void theLimitIsBelowTheWriteTimeoutAndAtLeastFiveSeconds() {
    var b = RaftConfig.builder("m", "127.0.0.1:1", java.nio.file.Path.of("/tmp/x"));
    assertEquals(java.time.Duration.ofSeconds(5), LeaderWatchdog.limit(b.build()), "the default 0.5-1 s");
    assertEquals(java.time.Duration.ofSeconds(8),
        LeaderWatchdog.limit(b.electionTimeoutMin(java.time.Duration.ofSeconds(1)).build()));
    assertEquals(java.time.Duration.ofSeconds(5),
        LeaderWatchdog.limit(b.electionTimeoutMin(java.time.Duration.ofMillis(300)).build()));
  }
}
