package io.jswarm.consensus.raft;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCall;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCallListener;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyServerBuilder;

/**
 * The voters' half of the leader lease ({@link LeaderReads}, docs/scale.md <i>twelfth round</i>): a member sends a
 * vote it granted no sooner than {@link #hold} after the last append (or snapshot) a leader sent it arrived.
 *
 * <p>Why: a leader answers reads without a round trip while a majority acknowledged one of its entries appended
 * less than {@link #lease} ago. Each of those members received that entry after the leader appended it, so with
 * this rule none of them helps elect a later term's leader before the lease has run out (the hold is measured on the
 * voter's clock, the lease on the leader's; the lease is a tenth shorter for the clocks' rates). Ratis 3.3 does not
 * have that rule: its voters look for a live leader in the pre-vote only, and a real vote for a higher term skips the
 * check, so a member can grant a pre-vote, acknowledge the old leader, then vote the new one in at once.
 *
 * <p>The grant is held, not refused: the candidate's election waits for it (it waits up to an election timeout, and
 * the hold is shorter than the minimum one), so an election is never lost to the rule. Ratis' own election timer
 * never starts an election within the minimum election timeout of the last append, so a member's vote for itself
 * needs no hold; {@link DeadLeaderProbe} waits for the hold before it starts one. A member that just started holds
 * its grants for the same time (it may have acknowledged a leader before a restart).
 *
 * <p>The arrival is noted before Ratis sees the message and the grant is looked at when Ratis sends it, after Ratis
 * decided the vote: if Ratis acknowledged the append before it granted the vote, the hold covers the grant. Only an
 * append or snapshot whose leader term is at least the member's current term at its arrival is noted: Ratis refuses
 * one of an older term (the term only grows), so a deposed leader's appends acknowledge nothing and need no hold.
 *
 * <p>With the lease off ({@code -Djswarm.raft.leaderLease=false}, {@link LeaderReads#LEASE}) nothing relies on the
 * rule: the hold is zero, no interceptor is installed and {@link DeadLeaderProbe} does not wait.
 */
final class VoteGrantHold implements ServerInterceptor, AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VoteGrantHold.class);
  static final String SERVER_SERVICE = "ratis.grpc.RaftServerProtocolService";

  private final long holdNanos;
  /** The member's current term; a failure (the member is not up yet) counts as unknown: every append is noted. */
  private final LongSupplier currentTerm;
  private final LongSupplier nanoTime;
  /** When the last append or snapshot of a leader arrived (at first: when this member started). */
  private final AtomicLong lastFromLeader;
  private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
    Thread t = new Thread(r, "raft-vote-hold");
    t.setDaemon(true);
    t.setPriority(RaftThreads.PRIORITY);
    return t;
  });

  /**
   * @param hold {@link #hold}; zero: no hold (the lease is off)
   * @param currentTerm the member's current term (Ratis' {@code DivisionInfo.getCurrentTerm}, an atomic read)
   */
  VoteGrantHold(Duration hold, LongSupplier currentTerm, LongSupplier nanoTime) {
    this.holdNanos = hold.toNanos();
    this.currentTerm = currentTerm;
    this.nanoTime = nanoTime;
    this.lastFromLeader = new AtomicLong(nanoTime.getAsLong());
    timer.setKeepAliveTime(5, TimeUnit.SECONDS);
    timer.allowCoreThreadTimeOut(true);
  }

  /**
   * How long a member holds a granted vote after a leader's append arrived: 0.6 of its minimum election timeout, at
   * most {@link #MAX_HOLD}. Every member with a minimum election timeout of at least 300 ms (the smallest
   * {@code Spec.Raft.ElectionTick}, 3) holds the same 180 ms, so members started with different settings agree on it;
   * and it stays under the minimum election timeout, which Ratis' own timer waits before a member votes for itself.
   */
  static Duration hold(Duration electionTimeoutMin) {
    return hold(electionTimeoutMin, LeaderReads.LEASE);
  }

  /** {@link #hold(Duration)} with the lease on or off (off: zero, nothing relies on the hold). */
  static Duration hold(Duration electionTimeoutMin, boolean lease) {
    if (!lease) {
      return Duration.ZERO;
    }
    Duration share = electionTimeoutMin.multipliedBy(6).dividedBy(10);
    return share.compareTo(MAX_HOLD) < 0 ? share : MAX_HOLD;
  }

  /** The longest hold (see {@link #hold}). */
  static final Duration MAX_HOLD = Duration.ofMillis(180);

  /** How long a majority's acknowledgement lets a leader answer reads alone: 0.9 of {@link #hold} (zero: no lease). */
  static Duration lease(Duration electionTimeoutMin) {
    return hold(electionTimeoutMin).multipliedBy(9).dividedBy(10);
  }

  /**
   * The customizer that adds this interceptor to the Raft gRPC server, then {@code then} (may be null); with no hold
   * just {@code then}.
   */
  GrpcServices.Customizer customizer(GrpcServices.Customizer then) {
    if (holdNanos <= 0) {
      return then;
    }
    return (NettyServerBuilder builder, java.util.EnumSet<GrpcServices.Type> types) -> {
      NettyServerBuilder b = builder.intercept(this);
      return then == null ? b : then.customize(b, types);
    };
  }

  /** Notes that an append or snapshot of a leader of {@code term} arrived now, unless its term is older than ours. */
  void fromLeader(long term) {
    long ours;
    try {
      ours = currentTerm.getAsLong();
    } catch (RuntimeException e) { // the member is not up (yet): note it, a hold too many costs only time
      ours = Long.MIN_VALUE;
    }
    if (term < ours) {
      return; // Ratis refuses it: nothing is acknowledged
    }
    long now = nanoTime.getAsLong();
    lastFromLeader.accumulateAndGet(now, (a, b) -> b - a > 0 ? b : a);
  }

  /** How long a vote granted now must still be held (0: send it). */
  long holdNanos() {
    long wait = lastFromLeader.get() + holdNanos - nanoTime.getAsLong();
    return Math.max(0, wait);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    var method = call.getMethodDescriptor();
    if (!SERVER_SERVICE.equals(method.getServiceName())) {
      return next.startCall(call, headers);
    }
    String name = method.getBareMethodName();
    if ("appendEntries".equals(name) || "installSnapshot".equals(name)) {
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
        @Override
        public void onMessage(Q message) {
          fromLeader(leaderTerm(message));
          super.onMessage(message);
        }
      };
    }
    if ("requestVote".equals(name)) {
      return next.startCall(new HeldGrant<>(call), headers);
    }
    return next.startCall(call, headers);
  }

  /** The leader term an append or snapshot names (Long.MAX_VALUE for another message: noted). */
  static long leaderTerm(Object message) {
    if (message instanceof AppendEntriesRequestProto a) {
      return a.getLeaderTerm();
    }
    if (message instanceof InstallSnapshotRequestProto s) {
      return s.getLeaderTerm();
    }
    return Long.MAX_VALUE;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /** A vote call whose granted answer (and what follows it) waits out the hold. */
  private final class HeldGrant<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    private final List<Runnable> held = new ArrayList<>();
    private boolean holding;
    /** The grant was dropped (this member is closing): nothing more is sent on the call. */
    private boolean dropped;

    HeldGrant(ServerCall<Q, R> call) {
      super(call);
    }

    @Override
    public synchronized void sendMessage(R message) {
      if (dropped) {
        return;
      }
      if (holding) {
        held.add(() -> super.sendMessage(message));
        return;
      }
      long wait = message instanceof RequestVoteReplyProto r && r.getServerReply().getSuccess() ? holdNanos() : 0;
      if (wait > 0) {
        holding = true;
        held.add(() -> super.sendMessage(message));
        LOG.info("holding a granted vote (term {}) for {} ms: a leader's append arrived less than {} ms ago",
            ((RequestVoteReplyProto) message).getTerm(), wait / 1_000_000, holdNanos / 1_000_000);
        try {
          timer.schedule(this::release, wait, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) { // closing: the grant is not sent
          held.clear();
          holding = false;
          dropped = true;
          super.close(Status.UNAVAILABLE.withDescription("the Raft member is closing"), new Metadata());
        }
        return;
      }
      super.sendMessage(message);
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (dropped) {
        return;
      }
      if (holding) {
        held.add(() -> super.close(status, trailers));
        return;
      }
      super.close(status, trailers);
    }

    private synchronized void release() {
      holding = false;
      try {
        held.forEach(Runnable::run);
      } catch (RuntimeException e) { // the call was cancelled meanwhile
        LOG.debug("a held vote could not be sent: {}", e.toString());
      }
      held.clear();
    }
  }
}
