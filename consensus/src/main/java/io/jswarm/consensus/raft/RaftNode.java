package io.jswarm.consensus.raft;

import io.jswarm.api.errors.JswarmException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.consensus.store.ApplyResult;
import io.jswarm.consensus.store.Proposer;
import io.jswarm.consensus.store.StoreApplier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.ExitUtils;
import org.apache.ratis.util.TimeDuration;

/**
 * One manager's member of the Raft group (Apache Ratis over gRPC), and the store's {@link Proposer}.
 *
 * <p>Writes from any manager go to the leader through {@link Forwarders}, which follows leader changes while a write
 * is in flight and keeps one invocation id for all its attempts (so it is applied once); batches proposed together
 * share one log entry ({@link GroupCommit}), each applied on its own on every manager by {@link StoreStateMachine}.
 * A write that cannot
 * reach a quorum fails after {@link RaftConfig#writeTimeout()} with an {@link UnavailableException}.
 * Linearizable reads wait for {@link #readBarrier()}.
 *
 * <p>Transport: Ratis' gRPC RPC ({@link RaftSettings}), plain or, with {@link RaftConfig#tls()}, mutual TLS. Every
 * manager of a group must use the same.
 *
 * <p>Storage is {@code RaftConfig.storageDir()}: Ratis' log segments and our checksummed snapshots; log segments
 * are verified before start ({@link LogVerifier}). With {@link RaftConfig#dataKey()} every batch is encrypted
 * before it is proposed and every snapshot file is encrypted ({@link DataEncryption}).
 */
public final class RaftNode implements Proposer, AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RaftNode.class);
  private static final byte[] EMPTY_BATCH = io.jswarm.consensus.store.ChangeBatch.encode(List.of());
  /**
   * Pause between attempts of a request while a leader is being elected or gets ready: short, since the requests in
   * flight go to a new leader at once when this member learns it ({@link Forwarders#leaderChanged}).
   */
  private static final TimeDuration RETRY_SLEEP = TimeDuration.valueOf(50, TimeUnit.MILLISECONDS);

  private final RaftConfig cfg;
  private final RaftGroupId groupId;
  private final RaftPeerId me;
  private final StoreApplier applier;
  private final StoreStateMachine stateMachine;
  /** Seals each batch before it is proposed: Ratis only ever sees (and writes, and sends) ciphertext. */
  private final DataEncryption encryption;
  private final RaftServer server;
  private final Forwarders forwarders;
  /** The group's membership: changes and the per-call check ({@link RaftMembership}). */
  private final RaftMembership membership;
  /** Linearizable reads ({@link #readBarrier}). */
  private final RaftReads reads;
  /** Holds this member's granted votes while a leader's lease may run on its acknowledgement ({@link VoteGrantHold}). */
  private final VoteGrantHold voteHold;
  /** This member's concurrent writes share log entries. */
  private final GroupCommit groups;
  /** The node's listener rule on the Raft port; its event loops end with the server. */
  private final RaftListenerLimits listenerLimits;
  /** Steps this member down when it leads without committing ({@link LeaderWatchdog}). */
  private final LeaderWatchdog watchdog;
  /** Starts an election as soon as the leader's process is gone ({@link DeadLeaderProbe}); null until started. */
  private volatile java.util.concurrent.ScheduledExecutorService deadLeaderProbe;
  private volatile boolean closed;

  private RaftNode(RaftConfig cfg, StoreApplier applier, Function<String, String> roles) throws IOException {
    this.cfg = cfg;
    this.applier = applier;
    this.groupId = groupIdFor(cfg.clusterId());
    this.me = RaftPeerId.valueOf(cfg.id());
    this.encryption = DataEncryption.of(cfg.dataKey());
    this.listenerLimits = new RaftListenerLimits(cfg.listenerLimits(), cfg.tls());
    this.membership = new RaftMembership(groupId, this::serverOrNull, this::currentGroup, this::admin,
        this::mapFailure);
    this.stateMachine = new StoreStateMachine(applier, encryption);
    // one line per leader change on every manager: with the kill time it gives a failover's timeline (docs/scale.md)
    // and the requests in flight go to the new leader at once (off Ratis' thread: it may hold the member's lock)
    this.stateMachine.onLeaderChanged(leader -> {
      // a new leader's log appenders before they carry its first entry, and on every member the threads a term
      // change started from a thread born at the normal priority (a FollowerState from a gRPC thread)
      RaftThreads.raise(cfg.id());
      LOG.info("Raft member {} learned the leader: {}", cfg.id(),
          leader == null ? "none (an election is on)" : leader.equals(cfg.id()) ? "this member" : leader);
      if (leader != null) {
        leaderChanged();
      }
    });
    this.stateMachine.onLeaderReady(this::leaderReady);
    boolean existing = LogVerifier.prepareStorage(cfg.storageDir(), groupId, encryption);
    // On restart the log's (or raft-meta.conf's) configuration wins over these peers; only storage left by
    // closeForNewCluster (a snapshot, no log) takes them.
    RaftGroup group = cfg.initialPeers().isEmpty()
        ? RaftGroup.valueOf(groupId)
        : RaftGroup.valueOf(groupId, RaftMembership.peers(cfg.initialPeers()));
    RaftSettings.noJmxReporter();
    var properties = RaftSettings.serverProperties(cfg);
    Duration electionMin = Duration.ofMillis(
        org.apache.ratis.server.RaftServerConfigKeys.Rpc.timeoutMin(properties).toLong(TimeUnit.MILLISECONDS));
    // the term is read when an append arrives; before the server is built it fails and the append is noted
    this.voteHold = new VoteGrantHold(VoteGrantHold.hold(electionMin), () -> division().getInfo().getCurrentTerm(),
        System::nanoTime);
    this.groups = new GroupCommit(this::commitEntry, GroupCommit.MAX_IN_FLIGHT, GroupCommit.MAX_BATCHES,
        GroupCommit.maxBytes(properties));
    this.server = RaftServer.newBuilder()
        .setServerId(me)
        .setGroup(group)
        .setStateMachine(stateMachine)
        .setProperties(properties)
        .setParameters(serverParameters(cfg, roles))
        .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
        .build();
    this.forwarders = new Forwarders(me, groupId, this::leadsNow, this::knownLeader, this::currentGroup,
        this::submitHere, RaftSettings.clientProperties(cfg),
        RaftSettings.tlsParameters(cfg.tlsKeyManager(), cfg.tlsTrustManager()), cfg.writeTimeout(), RETRY_SLEEP);
    this.reads = new RaftReads(new ReadsMember(), applier, VoteGrantHold.lease(electionMin), cfg.writeTimeout());
    this.watchdog = new LeaderWatchdog(cfg.id(), this::leadsNow, this::commitIndex, this::workWaiting,
        () -> LeaderWatchdog.stepDown(server, me, groupId, cfg.writeTimeout()), LeaderWatchdog.limit(cfg).toNanos(),
        System::nanoTime);
  }

  private long commitIndex() {
    return division().getRaftLog().getLastCommittedIndex();
  }

  /** Requests of this member in flight, or entries in the log past the commit index. */
  private boolean workWaiting() {
    var log = division().getRaftLog();
    var last = log.getLastEntryTermIndex();
    return forwarders.inFlight() > 0 || (last != null && last.getIndex() > log.getLastCommittedIndex());
  }

  /**
   * Every minimum election timeout until this member closes (no thread of its own): runs {@link #watchdog} and keeps
   * the connections to the other members open ({@link PeerChannels}: a vote then needs no handshake).
   */
  private void scheduleWatchdog() {
    if (closed) {
      return;
    }
    CompletableFuture.delayedExecutor(cfg.electionTimeoutMin().toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
      try {
        if (!closed) {
          RaftThreads.raise(cfg.id()); // Netty's thread factories set their own priority (RaftThreads)
          watchdog.check();
          PeerChannels.warm(server, me, division().getRaftConf().getAllPeers());
        }
      } catch (RuntimeException e) {
        LOG.debug("Raft leader watchdog of {}: {}", cfg.id(), e.toString());
      }
      scheduleWatchdog();
    });
  }

  /** This member is the ready leader: its term's first entry, at {@code index}, is applied (Ratis' apply thread). */
  private void leaderReady(long index) {
    LOG.info("Raft member {} is the ready leader: its term's first entry ({}) is applied", cfg.id(), index);
    reads.leaderReady(index);
    forwarders.leaderReadySoon(); // not on the apply thread: it submits to the server
  }

  /** The server, null while it is being built ({@link RaftMembership}). */
  private RaftServer serverOrNull() {
    return server;
  }

  /** A client for a configuration change ({@link RaftMembership}). */
  private org.apache.ratis.client.RaftClient admin() {
    return forwarders.admin();
  }

  private void leaderChanged() {
    Forwarders f = forwarders;
    if (f != null) {
      f.leaderChangedSoon();
    }
  }

  private boolean leadsNow() {
    try {
      return server.getDivision(groupId).getInfo().isLeader();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** A request into this member's own server (it leads, or did when the attempt began). */
  private CompletableFuture<RaftClientReply> submitHere(RaftClientRequest req) {
    try {
      return server.submitClientRequestAsync(req);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The leader this member knows, unless it is this member or none is known (an election is on). */
  private RaftPeerId knownLeader() {
    try {
      RaftPeerId id = server.getDivision(groupId).getInfo().getLeaderId();
      return id == null || id.equals(me) ? null : id;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Starts this manager's Raft member: recovers from {@code storageDir} when it holds state, otherwise formats
   * it and bootstraps {@link RaftConfig#initialPeers()} (or waits to be added when that is empty).
   *
   * @throws CorruptStateException when a snapshot or closed log segment fails its checksum
   */
  public static RaftNode start(RaftConfig cfg, StoreApplier applier) throws IOException {
    return start(cfg, applier, null);
  }

  /**
   * {@link #start(RaftConfig, StoreApplier)} with a membership check on the Raft port ({@link RaftPeerPolicy}):
   * with TLS, every call and message is allowed only for the peers {@code roles} (a node's role as its store row
   * has it, see {@link RaftPeerPolicy}) and the Raft configuration admit now. {@code roles} null: the certificate
   * alone decides.
   */
  public static RaftNode start(RaftConfig cfg, StoreApplier applier, Function<String, String> roles)
      throws IOException {
    checkAddressFree(cfg.address());
    RaftNode node = new RaftNode(cfg, applier, roles);
    try {
      node.server.start();
      RaftThreads.raise(cfg.id());
    } catch (IOException | RuntimeException e) {
      node.server.close();
      node.listenerLimits.close();
      CorruptStateException corrupt = RaftFailures.findCause(e, CorruptStateException.class);
      if (corrupt != null) {
        throw corrupt;
      }
      throw new IOException("cannot start the Raft member " + cfg.id() + " on " + cfg.address() + " with storage "
          + cfg.storageDir() + ": " + e.getMessage(), e);
    }
    node.scheduleWatchdog();
    node.deadLeaderProbe = DeadLeaderProbe.start(node.server, node.groupId, node.me, cfg.electionTimeoutMin(),
        VoteGrantHold.hold(node.electionTimeoutMin()));
    return node;
  }

  static {
    // Ratis answers a failed bind (and some internal errors) with ExitUtils.terminate, which would System.exit
    // the whole daemon while it holds its lock (its shutdown hook then waits forever). Disabled, terminate throws
    // ExitException instead, and start() turns that into an IOException the caller reports.
    ExitUtils.disableSystemExit();
  }

  /**
   * Fails with {@link RaftPortInUseException} when {@code address} (HOST:PORT) cannot be bound now, before any
   * storage is formatted or any Ratis thread runs. A race with another process can still lose the port later:
   * Ratis then fails {@link #start} with an IOException (it can no longer exit the JVM).
   */
  public static void checkAddressFree(String address) throws RaftPortInUseException {
    RaftPortInUseException.checkFree(address);
  }

  /** The Raft group id of a cluster: a name-based UUID of the cluster id, the same on every manager. */
  public static RaftGroupId groupIdFor(String clusterId) {
    return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("jswarm:" + clusterId).getBytes(StandardCharsets.UTF_8)));
  }

  /** {@link RaftSettings#tlsParameters} plus, with TLS and {@code roles}, the per-call membership check on the server. */
  private Parameters serverParameters(RaftConfig cfg, Function<String, String> roles) {
    Parameters params = RaftSettings.tlsParameters(cfg.tlsKeyManager(), cfg.tlsTrustManager());
    GrpcServices.Customizer peerCheck = null;
    if (cfg.tls() && roles != null) {
      RaftPeerPolicy policy = new RaftPeerPolicy(cfg.id(), roles, membership::inConfiguration,
          membership::hasConfiguration);
      peerCheck = new PeerCheckInterceptor(policy).customizer();
    }
    GrpcConfigKeys.Server.setServicesCustomizer(params, listenerLimits.customizer(voteHold.customizer(peerCheck)));
    return params;
  }

  /**
   * Sends a write, a read barrier's empty entry or a read index to the leader, wherever it is while the request is
   * in flight ({@link Forwarders}: one invocation id for all attempts, so a write is applied once however often it
   * goes again; straight into this server while it leads).
   */
  private CompletableFuture<RaftClientReply> submit(Message msg, Route route) {
    return forwarders.send(msg, route == Route.READ_INDEX);
  }

  /** What {@link #submit} sends. */
  private enum Route {
    WRITE, BARRIER, READ_INDEX
  }

  private RaftServer.Division division() {
    try {
      return server.getDivision(groupId);
    } catch (IOException e) {
      throw new UnavailableException("Raft member " + cfg.id() + " is not running: " + e.getMessage(), e);
    }
  }

  private RaftGroup currentGroup() {
    var conf = division().getRaftConf();
    List<RaftPeer> peers = new ArrayList<>(conf.getCurrentPeers());
    if (peers.isEmpty()) {
      peers.addAll(RaftMembership.peers(cfg.initialPeers()));
    }
    return RaftGroup.valueOf(groupId, peers);
  }

  // ---- Proposer ----

  /** The batch goes in a log entry of its own or with others proposed meanwhile ({@link GroupCommit}). */
  @Override
  public CompletableFuture<ApplyResult> propose(byte[] batch) {
    return bounded(groups.propose(batch), "the write");
  }

  /** One log entry of {@code batches} ({@link LogEntryFormat}); one result per batch. */
  private CompletableFuture<List<ApplyResult>> commitEntry(List<byte[]> batches) {
    return propose(LogEntryFormat.encode(batches), Route.WRITE, "the write");
  }

  /** Proposes one entry; {@code what} names the operation in errors ("the write", "the read"). */
  private CompletableFuture<List<ApplyResult>> propose(byte[] entry, Route route, String what) {
    CompletableFuture<RaftClientReply> sent;
    try {
      sent = submit(Message.valueOf(ByteString.copyFrom(encryption.sealEntry(entry))), route);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(mapFailure(e, what));
    }
    return bounded(sent, what)
        .thenCompose(reply -> {
          if (!reply.isSuccess()) {
            throw new CompletionException(mapFailure(reply.getException(), what));
          }
          List<ApplyResult> r = LogEntryFormat.decodeResults(reply.getMessage().getContent().toByteArray());
          // The reply may come from another manager: return once this one has applied the entry too (bounded:
          // a manager cut off from the leader must fail the call, not hang it)
          return bounded(applier.awaitApplied(r.get(0).index()).thenApply(v -> r),
              "applying " + what + " on " + cfg.id());
        });
  }

  /**
   * Once the future completes, a read here sees every write acknowledged before this call (linearizable). A group
   * of several managers commits an empty entry first ({@link ReadBarrier}: Ratis' read index lets an isolated leader
   * answer stale reads); on its ready leader the read is answered once that entry (or any after the read began) is
   * committed and the commit index of the read's start is applied ({@link LeaderReads}), without waiting for the
   * apply of the entries in flight. A lone manager that leads answers at once; otherwise it asks Ratis' read index
   * ({@link RaftReads}).
   */
  @Override
  public CompletableFuture<Void> readBarrier() {
    return reads.readBarrier();
  }

  /** The state of this member's Raft channel to each other member (tests). */
  Map<String, String> peerChannelStates() {
    Map<String, String> out = new LinkedHashMap<>();
    PeerChannels.states(server, me, division().getRaftConf().getAllPeers())
        .forEach((id, st) -> out.put(id.toString(), st.name()));
    return out;
  }

  /**
   * Starts an election on this follower now, as {@link DeadLeaderProbe} does when its leader is gone (tests: a
   * majority cut off from a live leader, without waiting for the randomised election timer). False when this member
   * follows no leader or its log is not of the current term.
   */
  boolean startElectionNow() {
    DeadLeaderProbe.RatisMember m = new DeadLeaderProbe.RatisMember(server, groupId, me);
    DeadLeaderProbe.Follower f = m.follower();
    return f != null && m.startElection(f);
  }

  /** The member's reads: how many were answered which way (tests). */
  RaftReads reads() {
    return reads;
  }

  /**
   * An empty batch, proposed now, committed and applied here. A leader that stops leading while it is in flight
   * sends it again to the next one ({@link #submit}).
   */
  private CompletableFuture<List<ApplyResult>> commitEmptyEntry() {
    return propose(EMPTY_BATCH, Route.BARRIER, "the read");
  }

  private <T> CompletableFuture<T> bounded(CompletableFuture<T> f, String what) {
    return f.orTimeout(cfg.writeTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(t -> {
          throw new CompletionException(mapFailure(t, what));
        });
  }

  /** {@link RaftFailures#map} with what this member knows now. */
  private JswarmException mapFailure(Throwable t, String what) {
    return RaftFailures.map(t, what, cfg.writeTimeout(), leaderId(), currentGroup().getPeers().size());
  }

  // ---- membership ----

  /**
   * Adds a manager to the group. Its own member must already be running with an empty peer list; the leader
   * then sends it the log or a snapshot.
   */
  public void addManager(String id, String address) {
    membership.add(id, address);
  }

  /** Removes a manager from the group. Removing the only manager is refused. */
  public void removeManager(String id) {
    membership.remove(id);
  }

  // ---- status ----

  public boolean isLeader() {
    return division().getInfo().isLeader();
  }

  /** The leader's id as this manager knows it, or null. */
  public String leaderId() {
    RaftPeerId id = division().getInfo().getLeaderId();
    return id == null ? null : id.toString();
  }

  public String id() {
    return cfg.id();
  }

  public RaftConfig config() {
    return cfg;
  }

  /**
   * The election timeout the running member uses (Ratis' minimum; the maximum is twice that), read from the
   * member itself rather than from {@link #config}: what a setting took effect as.
   */
  public Duration electionTimeoutMin() {
    return Duration.ofMillis(division().properties().minRpcTimeoutMs());
  }

  public RaftStatus status() {
    RaftServer.Division d = division();
    DivisionInfo info = d.getInfo();
    Map<String, String> peers = new LinkedHashMap<>();
    d.getRaftConf().getCurrentPeers().forEach(p -> peers.put(p.getId().toString(), p.getAddress()));
    SnapshotInfo snap = stateMachine.getLatestSnapshot();
    RaftPeerId leader = info.getLeaderId();
    return new RaftStatus(cfg.id(), info.getCurrentRole().name(), leader == null ? null : leader.toString(),
        info.getCurrentTerm(), d.getRaftLog().getLastCommittedIndex(), applier.appliedIndex(),
        snap == null ? -1 : snap.getIndex(), peers);
  }

  /** Index of the first entry still in the log (entries before it were purged into a snapshot). */
  public long logStartIndex() {
    return division().getRaftLog().getStartIndex();
  }

  /** Takes a snapshot now (the automatic trigger is every {@link RaftConfig#snapshotEvery()} entries). */
  public long takeSnapshot() throws IOException {
    return stateMachine.takeSnapshot();
  }

  /**
   * Quorum-loss recovery ({@code swarm init --force-new-cluster}): stops this member, writes a snapshot of its
   * last applied state and moves the rest of its Raft storage (log segments, the saved configuration) aside to
   * {@code <storageDir>/before-force-new-cluster-<millis>}, keeping only the term file. Starting a member on the
   * same storage with just this manager as {@link RaftConfig#initialPeers()} then resumes at that state as a
   * single-member group, which elects itself and accepts writes and new members. Entries this manager had
   * logged but not applied are dropped (they were never acknowledged to a client through it or any majority
   * it can still see).
   *
   * @return the directory the old log was moved to
   */
  public Path closeForNewCluster() throws IOException {
    close();
    long index = stateMachine.takeSnapshot();
    Path aside = RaftMembership.moveLogAside(cfg.storageDir(), groupId);
    LOG.info("force-new-cluster: {} keeps its state at index {}; its old Raft log is in {}", cfg.id(), index, aside);
    return aside;
  }

  /** What {@link RaftReads} needs of this member. */
  private final class ReadsMember implements RaftReads.Member {
    @Override
    public RaftServer.Division division() {
      return RaftNode.this.division();
    }

    @Override
    public boolean leadsNow() {
      return RaftNode.this.leadsNow();
    }

    @Override
    public CompletableFuture<?> commitEmptyEntry() {
      return RaftNode.this.commitEmptyEntry();
    }

    @Override
    public CompletableFuture<RaftClientReply> readIndex() {
      return submit(Message.EMPTY, Route.READ_INDEX);
    }

    @Override
    public <T> CompletableFuture<T> bounded(CompletableFuture<T> f, String what) {
      return RaftNode.this.bounded(f, what);
    }

    @Override
    public JswarmException mapFailure(Throwable t, String what) {
      return RaftNode.this.mapFailure(t, what);
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    var probe = deadLeaderProbe;
    if (probe != null) {
      probe.shutdownNow();
    }
    groups.close();
    reads.close();
    voteHold.close();
    try {
      forwarders.close();
    } finally {
      try {
        server.close();
      } finally {
        listenerLimits.close();
      }
    }
  }
}
