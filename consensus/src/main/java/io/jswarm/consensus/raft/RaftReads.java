package io.jswarm.consensus.raft;

import io.jswarm.api.errors.JswarmException;
import io.jswarm.consensus.store.StoreApplier;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.exceptions.ReadIndexException;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;

/**
 * The linearizable reads of a manager's Raft member ({@link RaftNode#readBarrier}): once a read's future completes,
 * this manager's state holds every write acknowledged before the read began.
 *
 * <ul>
 *   <li>A group of several managers: on its ready leader under its lease ({@link LeaderReads#leased}), else once an
 *       entry after the read's start is committed ({@link LeaderReads#read}), else by the empty entry of the read
 *       barrier ({@link ReadBarrier}; Ratis' read index lets an isolated leader answer stale reads), or the first
 *       entry of this member's new leadership ({@link NewLeaderReads}).</li>
 *   <li>A lone manager that leads: at once ({@link #readsAppliedState}); otherwise Ratis' read index.</li>
 * </ul>
 */
final class RaftReads implements AutoCloseable {
  /** What the reads need of their member ({@link RaftNode}). */
  interface Member {
    /** The member's Raft division; fails with an {@code UnavailableException} when it is not running. */
    RaftServer.Division division();

    /** Whether the member leads now. */
    boolean leadsNow();

    /** Proposes an empty entry now; completes once it is committed and applied here. */
    CompletableFuture<?> commitEmptyEntry();

    /** Sends a read-index request to the leader, wherever it is ({@link Forwarders}). */
    CompletableFuture<RaftClientReply> readIndex();

    /** {@code f}, failed after the write timeout; failures mapped to the API's errors. */
    <T> CompletableFuture<T> bounded(CompletableFuture<T> f, String what);

    /** A Raft failure as the API's error ({@link RaftFailures#map}). */
    JswarmException mapFailure(Throwable t, String what);
  }

  /** Pause between read-index attempts while no leader is known. */
  private static final long RETRY_SLEEP_MS = 50;

  private final Member member;
  private final StoreApplier applier;
  private final Duration writeTimeout;
  /** Reads that began while this member did not lead, answered when it is a ready leader (after a failover). */
  private final NewLeaderReads newLeaderReads;
  private final ReadBarrier barrier;
  /** A ready leader's reads: the commit index of their start, not the entries in flight then (docs/scale.md). */
  private final LeaderReads leaderReads;

  /**
   * @param lease the leader's lease ({@link VoteGrantHold#lease}); zero for none
   */
  RaftReads(Member member, StoreApplier applier, Duration lease, Duration writeTimeout) {
    this.member = member;
    this.applier = applier;
    this.writeTimeout = writeTimeout;
    this.newLeaderReads = new NewLeaderReads(member::leadsNow);
    this.barrier = new ReadBarrier(member::commitEmptyEntry, newLeaderReads);
    this.leaderReads = new LeaderReads(this::readyLeaderMoment, lease,
        () -> member.division().getInfo().getCurrentTerm(), this::commitIndex, applier::awaitApplied, writeTimeout,
        System::nanoTime);
  }

  /** This member became the ready leader: its term's first entry, at {@code index}, is applied (or will be). */
  void leaderReady(long index) {
    newLeaderReads.leaderReady(applier.awaitApplied(index));
  }

  private long commitIndex() {
    return member.division().getRaftLog().getLastCommittedIndex();
  }

  /**
   * The term, commit index and last log index now if this member is the ready leader (its term's first entry is
   * committed), the term read before and after the rest; null otherwise ({@link LeaderReads}).
   */
  private LeaderReads.Moment readyLeaderMoment() {
    RaftServer.Division d = member.division();
    DivisionInfo info = d.getInfo();
    long term = info.getCurrentTerm();
    if (!info.isLeaderReady()) {
      return null;
    }
    var log = d.getRaftLog();
    long commit = log.getLastCommittedIndex();
    var last = log.getLastEntryTermIndex();
    if (last == null || info.getCurrentTerm() != term) {
      return null;
    }
    return new LeaderReads.Moment(term, commit, last.getIndex());
  }

  /** See {@link RaftNode#readBarrier}. */
  CompletableFuture<Void> readBarrier() {
    RaftServer.Division d = member.division();
    if (d.getRaftConf().getCurrentPeers().size() > 1) {
      // the barrier's entry, proposed after the read's moment is taken, is also the entry after its start that
      // LeaderReads waits to see committed; it answers the read if LeaderReads gives up
      CompletableFuture<Void> underLease = leaderReads.leased();
      if (underLease != null) {
        return underLease;
      }
      CompletableFuture<Void> viaCommitIndex = leaderReads.read();
      CompletableFuture<Void> viaEntry = barrier.await();
      return viaCommitIndex == null ? viaEntry : leaderReads.firstOf(viaCommitIndex, viaEntry);
    }
    if (readsAppliedState(d)) {
      return CompletableFuture.completedFuture(null);
    }
    long deadline = System.nanoTime() + writeTimeout.toNanos();
    return member.bounded(readIndex(deadline), "the read").thenCompose(index ->
        member.bounded(applier.awaitApplied(index), "the read"));
  }

  /**
   * Whether this manager's applied state already holds every write acknowledged anywhere, so a read need not wait
   * for the apply thread to reach the commit index (at 100,000 tasks that wait was most of a {@code GET /services}).
   * True for the ready leader of a group that is only this manager, settled (not between two configurations) and
   * applied up to that configuration:
   * <ul>
   *   <li>a write is acknowledged only after this manager applied it ({@link RaftNode#propose}), and no other manager
   *       applies anything: entries committed but not yet applied here have been seen by nobody;</li>
   *   <li>a ready leader has applied the first entry of its term, so every entry of earlier terms too (the
   *       writes acknowledged before a restart);</li>
   *   <li>a manager removed from the group may have applied entries up to the configuration that removed it;
   *       this one has applied that configuration, so a client that read there and then here never goes back.</li>
   * </ul>
   */
  private boolean readsAppliedState(RaftServer.Division d) {
    var conf = d.getRaftConf();
    var peers = conf.getCurrentPeers();
    return d.getInfo().isLeaderReady() && conf.getPreviousPeers().isEmpty()
        && conf.getAllPeers(RaftPeerRole.LISTENER).isEmpty() && peers.size() == 1
        && peers.iterator().next().getId().equals(d.getId()) && applier.appliedIndex() >= conf.getLogEntryIndex();
  }

  /**
   * The leader's applied index. Not-leader and leader-not-ready failures are already retried by the forwarding
   * client; a server that knows no leader yet answers a read with {@link ReadIndexException}, which the client does
   * not retry, so that one is retried here.
   */
  private CompletableFuture<Long> readIndex(long deadline) {
    CompletableFuture<RaftClientReply> sent;
    try {
      sent = member.readIndex();
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.handle((reply, failure) -> {
      Throwable problem = failure != null ? failure : reply.isSuccess() ? null : reply.getException();
      if (problem == null) {
        return CompletableFuture.completedFuture(Long.parseLong(reply.getMessage().getContent().toStringUtf8()));
      }
      if (RaftFailures.findCause(problem, ReadIndexException.class) != null && System.nanoTime() < deadline) {
        Executor later = CompletableFuture.delayedExecutor(RETRY_SLEEP_MS, TimeUnit.MILLISECONDS);
        return CompletableFuture.supplyAsync(() -> null, later).thenCompose(v -> readIndex(deadline));
      }
      return CompletableFuture.<Long>failedFuture(member.mapFailure(problem, "the read"));
    }).thenCompose(f -> f);
  }

  /** Reads a ready leader answered under its lease ({@link LeaderReads#leased}; tests). */
  long underLease() {
    return leaderReads.leasedReads();
  }

  /** Reads answered by the commit index before their barrier entry was applied ({@link LeaderReads}; tests). */
  long answeredByCommitIndex() {
    return leaderReads.answered();
  }

  /** Reads answered by the first entry of this member's new leadership ({@link NewLeaderReads}; tests). */
  long answeredByNewLeadership() {
    return barrier.answeredByNewLeadership();
  }

  @Override
  public void close() {
    leaderReads.close();
  }
}
