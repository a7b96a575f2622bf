package io.jswarm.consensus.raft;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.thirdparty.io.grpc.ConnectivityState;

/**
 * Starts an election at once when this follower's leader is known to be gone: its Raft port refuses connections.
 *
 * <p>Why (docs/scale.md, <i>A dead leader is noticed at once</i>): a follower learns that its leader died only from
 * Ratis' election timer, which sleeps a random 0.5-1 s (tick 5) and then checks whether the leader was heard within
 * that sleep; a leader that died just after a check is noticed one to two sleeps later, and on a loaded machine the
 * timers wake late. That detection was 0.66-1.4 s of a 1.7-3.3 s failover, and when both survivors timed out close
 * together they split the vote (2 runs in 7), costing another timeout.
 *
 * <p>What counts as gone: this member's connection to the leader dropped (the channel {@link PeerChannels} keeps open
 * is no longer READY) or nothing came from the leader for longer than its heartbeat period, <b>and</b> a TCP connect
 * to the leader's Raft address is refused: the leader's host answers but nothing listens on the port, i.e. the
 * leader's process exited, was killed, or stopped its Raft server. A leader that is alive but slow, paused or cut off
 * (packets dropped) does not refuse a connect, so it is left to the election timer as before (with pre-vote).
 *
 * <p>Who starts the election: the surviving members of the configuration are ranked by id; the first starts at once,
 * the next one minimum election timeout later if it still follows the dead leader in the same term, and so on, so that
 * two survivors do not split the vote. Whoever asks first wins unless its log is behind the other's; then the other's
 * timer elects it as before.
 *
 * <p>How: Ratis 3.3 has no call for a follower to start an election, but every member answers the request a leader
 * sends when it hands its leadership over ({@code startLeaderElection}, part of Ratis' public server protocol): a
 * member that still follows that leader in the same term and has a log at least as new as the one named starts an
 * election at once, without a pre-vote round (the other survivor still heard the leader less than a minimum timeout
 * ago and would refuse a pre-vote). This member sends that request to its own server on behalf of the leader that is
 * gone, naming its own last entry. Starting an election is always safe in Raft (only liveness depends on when); the
 * cost of a mistaken one is one election, and the refused connect is what keeps it from being mistaken.
 *
 * <p>Deterministic: {@link #check()} is called periodically and reads the time from {@code nanoTime}.
 */
final class DeadLeaderProbe {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DeadLeaderProbe.class);

  /** This member as a follower, at one look: its leader, its term and when it last heard the leader. */
  record Follower(String leader, String leaderAddress, long term, long sinceLeaderMs, boolean leaderChannelUp,
      int rank) { }

  /** The Raft member the probe looks at and acts on. */
  interface Member {
    /** This member when it follows a known leader that is another member of its configuration, else null. */
    Follower follower();

    /** Asks this member to start an election now, if it still follows {@code f.leader()} in term {@code f.term()}. */
    boolean startElection(Follower f);
  }

  private final String member;
  private final Member raft;
  private final Predicate<String> refuses;
  private final long silentNanos;
  private final long probeEveryNanos;
  private final long rankDelayNanos;
  /** The vote hold ({@link VoteGrantHold}): this member votes for itself no sooner after the leader was last heard. */
  private final long holdNanos;
  private final LongSupplier nanoTime;

  /** The leader and term this member follows (or followed when it found the leader gone). */
  private String leader;
  private long term = -1;
  private long lastProbe = Long.MIN_VALUE;
  /** When the leader was found gone; Long.MIN_VALUE: not (yet). */
  private long goneSince = Long.MIN_VALUE;
  private boolean started;
  private int elections;

  /**
   * @param refuses whether a connect to an address (HOST:PORT) is refused ({@link #connectRefused})
   * @param silent how long the leader may go unheard before its port is probed with the channel still up
   * @param probeEvery at most one probe per this period
   * @param rankDelay how much later each next survivor starts the election
   */
  DeadLeaderProbe(String member, Member raft, Predicate<String> refuses, Duration silent, Duration probeEvery,
      Duration rankDelay, LongSupplier nanoTime) {
    this(member, raft, refuses, silent, probeEvery, rankDelay, Duration.ZERO, nanoTime);
  }

  /**
   * @param hold the member starts no election sooner than this after it last heard the leader: its vote for itself
   *     is a vote too ({@link VoteGrantHold}; the leader's port refusing connections already says it serves no reads)
   */
  DeadLeaderProbe(String member, Member raft, Predicate<String> refuses, Duration silent, Duration probeEvery,
      Duration rankDelay, Duration hold, LongSupplier nanoTime) {
    this.holdNanos = hold.toNanos();
    this.member = member;
    this.raft = raft;
    this.refuses = refuses;
    this.silentNanos = silent.toNanos();
    this.probeEveryNanos = probeEvery.toNanos();
    this.rankDelayNanos = rankDelay.toNanos();
    this.nanoTime = nanoTime;
  }

  /** One look; starts an election when the leader is gone and it is this member's turn. */
  synchronized void check() {
    Follower f = raft.follower();
    if (f == null) {
      return;
    }
    long now = nanoTime.getAsLong();
    if (!f.leader().equals(leader) || f.term() != term) {
      leader = f.leader();
      term = f.term();
      lastProbe = Long.MIN_VALUE;
      goneSince = Long.MIN_VALUE;
      started = false;
    }
    if (started) {
      return;
    }
    if (goneSince == Long.MIN_VALUE) {
      boolean suspect = !f.leaderChannelUp() || f.sinceLeaderMs() * 1_000_000L >= silentNanos;
      if (!suspect || (lastProbe != Long.MIN_VALUE && now - lastProbe < probeEveryNanos)) {
        return;
      }
      lastProbe = now;
      if (!refuses.test(f.leaderAddress())) {
        return;
      }
      goneSince = now;
      LOG.info("Raft member {}: its leader {} (term {}) is gone: {} refuses connections, {} ms since it was last"
          + " heard; {}", member, f.leader(), f.term(), f.leaderAddress(), f.sinceLeaderMs(),
          f.rank() == 0 ? "starting an election" : "starting an election in " + f.rank() * rankDelayNanos / 1_000_000
              + " ms unless another member does");
    }
    if (now - goneSince < f.rank() * rankDelayNanos) {
      return;
    }
    if (f.sinceLeaderMs() * 1_000_000L < holdNanos) {
      return; // next look
    }
    if (f.rank() > 0 && !refuses.test(f.leaderAddress())) { // the leader came back meanwhile: leave it to the timer
      started = true;
      return;
    }
    started = true;
    if (raft.startElection(f)) {
      elections++;
      LOG.info("Raft member {} started an election {} ms after its leader {} was found gone", member,
          (now - goneSince) / 1_000_000, f.leader());
    }
  }

  /** How many elections this probe started (tests, logs). */
  synchronized int elections() {
    return elections;
  }

  /** Whether a TCP connect to {@code address} (HOST:PORT) is refused within {@code timeout}. */
  static boolean connectRefused(String address, Duration timeout) {
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, Integer.parseInt(address.substring(colon + 1))), (int) timeout.toMillis());
      return false;
    } catch (ConnectException e) {
      // refused; NoRouteToHostException and timeouts are not ConnectExceptions
      return e.getClass() == ConnectException.class;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Runs a probe of a Raft member on a thread of its own (named after the member, so {@link RaftThreads} raises it)
   * every tenth of the minimum election timeout (at most 50 ms); close the returned executor to stop it.
   */
  static ScheduledExecutorService start(RaftServer server, RaftGroupId groupId, RaftPeerId me, Duration electionMin,
      Duration hold) {
    long min = electionMin.toMillis();
    // Ratis' leader sends a heartbeat every half minimum election timeout when it has nothing else to send
    Duration silent = Duration.ofMillis(min / 2 + min / 10);
    Duration connectTimeout = Duration.ofMillis(Math.max(100, min / 5));
    DeadLeaderProbe probe = new DeadLeaderProbe(me.toString(), new RatisMember(server, groupId, me),
        address -> connectRefused(address, connectTimeout), silent, Duration.ofMillis(Math.max(50, min / 5)),
        electionMin, hold, System::nanoTime);
    ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, me + "-dead-leader-probe");
      t.setDaemon(true);
      t.setPriority(RaftThreads.PRIORITY);
      return t;
    });
    long every = Math.max(10, Math.min(50, min / 10));
    ex.scheduleWithFixedDelay(() -> {
      try {
        probe.check();
      } catch (RuntimeException e) {
        LOG.debug("dead-leader probe of {}: {}", me, e.toString());
      }
    }, every, every, TimeUnit.MILLISECONDS);
    return ex;
  }

  /** {@link Member} on a Ratis server. */
  /** A Ratis server's member of one group, as the probe sees and moves it. */
  record RatisMember(RaftServer server, RaftGroupId groupId, RaftPeerId me) implements Member {
    @Override
    public Follower follower() {
      RaftServer.Division d;
      try {
        d = server.getDivision(groupId);
      } catch (IOException e) {
        return null;
      }
      var info = d.getInfo();
      RaftPeerId leaderId = info.getLeaderId();
      if (info.getCurrentRole() != RaftPeerRole.FOLLOWER || leaderId == null || leaderId.equals(me)) {
        return null;
      }
      var conf = d.getRaftConf();
      RaftPeer leader = conf.getPeer(leaderId);
      if (leader == null || leader.getAddress() == null || conf.getPeer(me) == null) {
        return null;
      }
      long term = info.getCurrentTerm();
      var role = info.getRoleInfoProto();
      if (!role.hasFollowerInfo()) {
        return null;
      }
      long since = role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs();
      List<String> survivors = conf.getCurrentPeers().stream().map(p -> p.getId().toString())
          .filter(id -> !id.equals(leaderId.toString())).sorted().toList();
      int rank = Math.max(0, survivors.indexOf(me.toString()));
      ConnectivityState channel = PeerChannels.state(server, leader);
      return new Follower(leaderId.toString(), leader.getAddress(), term, since,
          channel == null || channel == ConnectivityState.READY, rank);
    }

    @Override
    public boolean startElection(Follower f) {
      try {
        var d = server.getDivision(groupId);
        TermIndex last = d.getRaftLog().getLastEntryTermIndex();
        // the request names the leader's last entry; this member starts only if its own log is at least as new,
        // and only if the entry's term is the current one (Ratis reads the leader's term from it)
        if (last == null || last.getTerm() != f.term() || d.getInfo().getCurrentTerm() != f.term()) {
          LOG.info("Raft member {} leaves the election to its timer: its last entry {} is not of term {}", me, last,
              f.term());
          return false;
        }
        RaftGroupMemberId gone = RaftGroupMemberId.valueOf(RaftPeerId.valueOf(f.leader()), groupId);
        StartLeaderElectionRequestProto req = StartLeaderElectionRequestProto.newBuilder()
            .setServerRequest(ClientProtoUtils.toRaftRpcRequestProtoBuilder(gone, me))
            .setLeaderLastEntry(last.toProto())
            .build();
        boolean ok = server.startLeaderElection(req).getServerReply().getSuccess();
        if (!ok) {
          LOG.info("Raft member {} could not start an election (it no longer follows {} in term {})", me, f.leader(),
              f.term());
        }
        return ok;
      } catch (IOException | RuntimeException e) {
        LOG.info("Raft member {} could not start an election: {}", me, e.toString());
        return false;
      }
    }
  }

  @Override
  public String toString() {
    return "DeadLeaderProbe[" + member + ", leader " + Objects.toString(leader) + "]";
  }
}
