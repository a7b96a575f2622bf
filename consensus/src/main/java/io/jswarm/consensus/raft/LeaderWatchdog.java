package io.jswarm.consensus.raft;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Steps a leader down that keeps leading without committing: while it has work waiting (requests of this member in
 * flight, or log entries past its commit index) and its commit index has not moved for {@code limitNanos}, it asks
 * its own Raft member to step down, so that the group elects a leader again with new log appenders.
 *
 * <p>Why: a nemesis run (docs/reliability.md, <i>A leader that stopped committing</i>) left a leader and a follower
 * at the same commit index for minutes, both log appenders of the leader parked waiting, the follower answering
 * heartbeats (so Ratis' own step-down on lost heartbeats never came) and every write failing with no quorum. Stepping
 * down is always safe (it only costs an election); the limit is several election timeouts, longer than a slow commit
 * on a loaded machine and shorter than the write timeout.
 *
 * <p>Deterministic: {@link #check()} is called periodically with the time from {@code nanoTime}.
 */
final class LeaderWatchdog {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LeaderWatchdog.class);

  private final String member;
  private final BooleanSupplier leading;
  private final LongSupplier commitIndex;
  private final BooleanSupplier workWaiting;
  private final Runnable stepDown;
  private final long limitNanos;
  private final LongSupplier nanoTime;
  private long lastCommit = Long.MIN_VALUE;
  /** When the commit index last moved, or work began waiting on an unmoving one; Long.MIN_VALUE: not stalled. */
  private long stalledSince = Long.MIN_VALUE;
  private int stepDowns;

  /** Asks a member's Raft server to step down from leading (a leadership transfer to nobody). */
  static void stepDown(org.apache.ratis.server.RaftServer server, org.apache.ratis.protocol.RaftPeerId me,
      org.apache.ratis.protocol.RaftGroupId groupId, java.time.Duration timeout) {
    var req = new org.apache.ratis.protocol.TransferLeadershipRequest(org.apache.ratis.protocol.ClientId.randomId(),
        me, groupId, 0, null, timeout.toMillis());
    try {
      server.transferLeadershipAsync(req).whenComplete((reply, t) -> {
        if (t != null || !reply.isSuccess()) {
          LOG.warn("Raft member {} could not step down: {}", me, t != null ? t : reply.getException());
        }
      });
    } catch (java.io.IOException | RuntimeException e) {
      LOG.warn("Raft member {} could not step down: {}", me, e.toString());
    }
  }

  /**
   * How long a leader may keep its commit index with work waiting before it is stepped down: eight minimum election
   * timeouts, at least 5 s (a commit takes seconds on a saturated machine) and below the write timeout when that
   * allows, so that the waiting writes go to the next leader instead of failing.
   */
  static java.time.Duration limit(RaftConfig cfg) {
    long ms = Math.max(8 * cfg.electionTimeoutMin().toMillis(), 5000);
    long below = cfg.writeTimeout().toMillis() * 4 / 5;
    return java.time.Duration.ofMillis(below >= 5000 ? Math.min(ms, below) : ms);
  }

  /**
   * @param workWaiting whether something waits for a commit (requests in flight, uncommitted log entries)
   * @param stepDown asks this member to step down (asynchronously)
   */
  LeaderWatchdog(String member, BooleanSupplier leading, LongSupplier commitIndex, BooleanSupplier workWaiting,
      Runnable stepDown, long limitNanos, LongSupplier nanoTime) {
    this.member = member;
    this.leading = leading;
    this.commitIndex = commitIndex;
    this.workWaiting = workWaiting;
    this.stepDown = stepDown;
    this.limitNanos = limitNanos;
    this.nanoTime = nanoTime;
  }

  /** One look; steps down when the leader has been stalled for the limit. */
  synchronized void check() {
    long now = nanoTime.getAsLong();
    if (!leading.getAsBoolean()) {
      stalledSince = Long.MIN_VALUE;
      lastCommit = Long.MIN_VALUE;
      return;
    }
    long commit = commitIndex.getAsLong();
    if (commit != lastCommit || !workWaiting.getAsBoolean()) {
      lastCommit = commit;
      stalledSince = Long.MIN_VALUE;
      return;
    }
    if (stalledSince == Long.MIN_VALUE) {
      stalledSince = now;
      return;
    }
    if (now - stalledSince >= limitNanos) {
      stepDowns++;
      LOG.warn("Raft member {} leads but its commit index has stayed at {} for {} ms with work waiting: stepping down"
          + " so that the group elects a leader again", member, commit, (now - stalledSince) / 1_000_000);
      stalledSince = Long.MIN_VALUE;
      lastCommit = Long.MIN_VALUE;
      stepDown.run();
    }
  }

  /** How often this watchdog stepped its leader down (tests, logs). */
  synchronized int stepDowns() {
    return stepDowns;
  }
}
