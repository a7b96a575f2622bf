package io.jswarm.cli.daemon;

import com.codahale.metrics.Counter;
import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.cli.metrics.StoreMetrics;
import io.jswarm.transport.metrics.BucketHistogram;
import io.jswarm.transport.metrics.Metrics;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.api.types.Node;
import io.jswarm.consensus.raft.RaftConfig;
import io.jswarm.consensus.raft.RaftStore;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.crypto.AesGcmKey;
import io.jswarm.manager.ca.CertificateAuthority;
import io.jswarm.manager.ca.DataKeyRoutes;
import io.jswarm.manager.ca.Membership;
import io.jswarm.manager.ca.RootRotationLoop;
import io.jswarm.manager.ca.StoreAdmission;
import io.jswarm.manager.dispatcher.Dispatcher;
import io.jswarm.manager.membership.RoleReconciler;
import io.jswarm.transport.http.HttpServer;
import io.jswarm.transport.http.PeerAccess;
import io.jswarm.transport.http.Router;
import io.jswarm.manager.allocator.NetworkAllocatorLoop;
import io.jswarm.manager.orchestrator.Orchestrators;
import io.jswarm.manager.schedulerloop.SchedulerLoop;
import io.jswarm.transport.pki.JoinClient;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.TlsContexts;
import io.jswarm.worker.image.ClusterRegistry;
import io.jswarm.worker.image.ImageStore;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a manager runs on top of the agent: its Raft member with the store, the cluster port (CA, dispatcher,
 * Raft membership routes) over mutual TLS, and — only while it leads — the dispatcher, orchestrators, network
 * allocator and scheduler, switched by a {@link LeadershipWatcher}.
 */
final class ManagerRole implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ManagerRole.class);
  /** A Raft configuration change waits for the new member to catch up; give it time. */
  static final java.time.Duration RAFT_JOIN_TIMEOUT = java.time.Duration.ofSeconds(60);

  private final RaftStore raft;
  private final HttpServer clusterServer;
  private final Dispatcher dispatcher;
  private final Orchestrators orchestrators;
  private final SchedulerLoop scheduler;
  private final RoleReconciler roles;
  private final RootRotationLoop rotation;
  private final io.jswarm.manager.rebalance.RebalanceOnJoin rebalanceOnJoin;
  private final NetworkAllocatorLoop allocator;
  private final LeadershipWatcher watcher;
  private final NodeState state;
  private final NodeCredentials creds;
  private ClusterRegistry registry;
  private AutolockFollower autolock;
  private StoreMetrics storeMetrics;

  private ManagerRole(NodeState state, NodeCredentials creds, RaftStore raft, HttpServer clusterServer,
      Dispatcher dispatcher, Orchestrators orchestrators, NetworkAllocatorLoop allocator, SchedulerLoop scheduler,
      Counter leaderChanges) {
    this.state = state;
    this.creds = creds;
    this.raft = raft;
    this.clusterServer = clusterServer;
    this.dispatcher = dispatcher;
    this.orchestrators = orchestrators;
    this.scheduler = scheduler;
    this.roles = new RoleReconciler(raft.store(), () -> raft.node().status().peers(),
        id -> raft.node().removeManager(id));
    this.allocator = allocator;
    this.rotation = new RootRotationLoop(raft.store());
    this.rebalanceOnJoin = new io.jswarm.manager.rebalance.RebalanceOnJoin(raft.store());
    this.watcher = new LeadershipWatcher(raft.node(), () -> raft.store().view(tx -> null), new LeadershipWatcher.Loops() {
      @Override
      public void startLeading() {
        leaderChanges.inc();
        dispatcher.start();
        orchestrators.start();
        allocator.start();
        scheduler.start();
        roles.start();
        rotation.start();
        rebalanceOnJoin.start();
      }

      @Override
      public void stopLeading() {
        leaderChanges.inc();
        rebalanceOnJoin.stop();
        rotation.stop();
        roles.stop();
        scheduler.stop();
        allocator.stop();
        orchestrators.stop();
        dispatcher.stop();
      }
    });
  }

  /**
   * Starts the Raft member ({@code initialPeers}: just this manager at init, empty when joining an existing
   * group, ignored on restart) and the cluster port.
   */
  static ManagerRole start(DaemonOptions opts, NodeState s, NodeCredentials creds, Map<String, String> initialPeers,
      Clock clock, IdGenerator ids, java.util.function.Consumer<Router> nodeRoutes,
      ImageStore images, NodeKeys keys, Metrics metrics) throws IOException {
    // The manager's threads inherit the priority of the thread that makes them; swarm init and join run on an API
    // handler thread (maximum priority, HttpServer.Settings#withThreadPriority), and with -XX:ThreadPriorityPolicy=1
    // the dispatcher, orchestrators and scheduler would then compete with the Raft member's threads, which alone
    // run raised (RaftThreads, docs/scale.md). So they are made at normal priority.
    Thread self = Thread.currentThread();
    int priority = self.getPriority();
    self.setPriority(Thread.NORM_PRIORITY);
    try {
      return startRole(opts, s, creds, initialPeers, clock, ids, nodeRoutes, images, keys, metrics);
    } finally {
      self.setPriority(priority);
    }
  }

  private static ManagerRole startRole(DaemonOptions opts, NodeState s, NodeCredentials creds,
      Map<String, String> initialPeers, Clock clock, IdGenerator ids, java.util.function.Consumer<Router> nodeRoutes,
      ImageStore images, NodeKeys keys, Metrics metrics) throws IOException {
    AesGcmKey dataKey = keys.dataKey();
    if (dataKey == null) {
      throw new IOException("this manager has no copy of the cluster's data key (" + opts.dataRoot()
          + "/swarm/raft-dek): it cannot read the Raft log. Leave the swarm and join it again as a manager");
    }
    RaftTiming timing = RaftTiming.atStart(opts.dataRoot());
    RaftConfig cfg = RaftConfig.builder(s.nodeId, s.raftAddr(), opts.raftDir())
        .clusterId(s.clusterId)
        .peers(initialPeers)
        .snapshotEvery(opts.snapshotInterval())
        .electionTimeoutMin(timing.electionTimeoutMin())
        .tls(TlsContexts.keyManager(creds), TlsContexts.managerTrustManager(creds))
        .dataKey(dataKey)
        .build();
    BucketHistogram commitSeconds = metrics.histogram("jswarm_raft_commit_seconds",
        "Time from this manager's proposal to its local apply (committed by a quorum).", Metrics.SECONDS);
    Counter failed = metrics.counter("jswarm_raft_proposals_failed_total",
        "Proposals of this manager that did not commit (no quorum in time, lost leadership).");
    RaftStore raft = RaftStore.start(cfg, clock, ids, (nanos, ok) -> {
      if (ok) {
        commitSeconds.observeNanos(nanos);
      } else {
        failed.inc();
      }
    });
    HttpServer server = null;
    try {
      MemoryStore store = raft.store();
      Router router = new Router();
      Membership membership = new RaftMembership(raft);
      new CertificateAuthority(store, clock, membership).routes(router);
      new DataKeyRoutes(store, dataKey::raw).routes(router);
      // agents learn the managers from this list (and the node routes of workers answer only them): a demoted
      // manager leaves it when the demotion commits, not when it leaves the Raft group
      Dispatcher dispatcher = new Dispatcher(store, clock, raft.node()::isLeader,
          () -> leaderClusterAddr(store, raft.node().leaderId()),
          () -> membership.managers().stream().filter(m -> m.clusterAddr != null)
              .filter(m -> StoreAdmission.isManager(store.viewStale(tx -> tx.nodes().get(m.nodeId))))
              .map(m -> new DispatcherMessage.Manager(m.nodeId, m.clusterAddr)).toList(), metrics);
      dispatcher.routes(router);
      nodeRoutes.accept(router);
      ClusterRegistry registry = images == null ? null : new ClusterRegistry(images);
      if (registry != null) {
        registry.routes(router);
      }
      server = listenOnClusterPort(router, s, List.of(new HttpServer.Tls(listenHost(s), s.clusterPort,
          TlsContexts.nettyServer(creds), new PeerAccess(CertificateAuthority.ANONYMOUS_PATHS,
              PeerAccess.DEFAULT_ANONYMOUS_MAX_BODY, new StoreAdmission(store)))));
      ManagerRole m = new ManagerRole(s, creds, raft, server, dispatcher, new Orchestrators(store, clock, metrics),
          new NetworkAllocatorLoop(store, clock), new SchedulerLoop(store, clock, metrics),
          metrics.counter("jswarm_raft_leader_changes_total", "Times this manager became or stopped being leader."));
      m.storeMetrics = new StoreMetrics(metrics, store, raft.node(), opts.raftDir());
      m.registry = registry;
      m.autolock = new AutolockFollower(store, keys, timing::follow);
      m.watcher.start();
      m.autolock.start();
      return m;
    } catch (RuntimeException | IOException e) {
      if (server != null) {
        server.close();
      }
      raft.close();
      throw e;
    }
  }

  /** How long a promotion waits for the worker's node server to let go of the cluster port. */
  static final java.time.Duration PORT_RELEASE = java.time.Duration.ofSeconds(15);

  /**
   * Binds the cluster port. On a promotion the worker's node server has just closed it, and on a loaded machine its
   * listening socket can outlive that close by seconds (its event loop shuts down in the background once the wait
   * for it ends): an address in use is retried for {@link #PORT_RELEASE}. A port some other process holds still
   * fails after that, as {@link ClusterPortInUseException}.
   */
  private static HttpServer listenOnClusterPort(Router router, NodeState s, List<HttpServer.Listener> listeners)
      throws IOException {
    long deadline = System.nanoTime() + PORT_RELEASE.toNanos();
    while (true) {
      try {
        return HttpServer.start(router, listeners);
      } catch (IOException e) {
        if (!isAddressInUse(e)) {
          throw e;
        }
        awaitRelease(s, e, deadline);
      }
    }
  }

  /**
   * Before a node becomes part of a swarm (init, join): the cluster port can be bound on its advertise address,
   * waiting until {@code releasedBy} (System.nanoTime) for a listener of this daemon's that is closing (a leave just
   * before). Nothing stays bound; a port another process holds throws {@link ClusterPortInUseException}.
   */
  static void checkClusterPortFree(NodeState s, long releasedBy) throws ClusterPortInUseException {
    while (true) {
      try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
        probe.setReuseAddress(true); // as Netty's listener: TIME_WAIT leftovers do not count
        probe.bind(new java.net.InetSocketAddress(listenHost(s), s.clusterPort));
        return;
      } catch (java.net.BindException e) {
        awaitRelease(s, e, releasedBy);
      } catch (IOException e) {
        return; // not a port conflict (an address this host lacks, say): the listener's own error will say it
      }
    }
  }

  private static boolean isAddressInUse(IOException e) {
    return String.valueOf(e.getMessage()).contains("Address already in use");
  }

  /** One wait of 250 ms for the port to be released, or the conflict reported once the deadline passed. */
  private static void awaitRelease(NodeState s, IOException inUse, long deadline) throws ClusterPortInUseException {
    ClusterPortInUseException taken = new ClusterPortInUseException(HostPort.join(listenHost(s), s.clusterPort), inUse);
    if (System.nanoTime() > deadline) {
      throw taken;
    }
    LOG.info("cluster port still in use ({}); retrying", inUse.getMessage());
    try {
      Thread.sleep(250);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw taken;
    }
  }

  private static String listenHost(NodeState s) {
    return s.advertiseAddr;
  }

  /** The leader's cluster address from its Node row ({@code Status.Addr} + cluster port), or null. */
  static String leaderClusterAddr(MemoryStore store, String leaderId) {
    if (leaderId == null) {
      return null;
    }
    Node n = store.viewStale(tx -> tx.nodes().get(leaderId));
    if (n == null || n.managerStatus == null || n.managerStatus.addr == null) {
      return null;
    }
    return n.managerStatus.addr;
  }

  MemoryStore store() {
    return raft.store();
  }

  Map<String, String> raftPeers() {
    return raft.node().status().peers();
  }

  String leaderId() {
    return raft.node().leaderId();
  }

  /** The election timeout this manager's Raft member runs with (its lower bound). */
  java.time.Duration electionTimeoutMin() {
    return raft.node().electionTimeoutMin();
  }

  /** Managers whose node is ready in the store (the dispatcher hears from them). */
  Set<String> reachableManagers() {
    Set<String> peers = raftPeers().keySet();
    return raft.store().viewStale(tx -> {
      Set<String> out = new HashSet<>();
      for (String id : peers) {
        if (tx.nodes().read(id, n -> n != null && n.status != null && "ready".equals(n.status.state))) {
          out.add(id);
        }
      }
      return out;
    });
  }

  /**
   * After a manager join or a promotion, with this member running: asks the known managers in turn to add it to
   * the Raft group, then records this manager's cluster address on its node row (where agents and
   * {@code node ls} find it).
   */
  void joinRaftGroup(List<NodeState.Manager> managers) throws InterruptedException {
    JoinClient client = new JoinClient(RAFT_JOIN_TIMEOUT);
    List<String> errors = new ArrayList<>();
    boolean added = false;
    for (NodeState.Manager m : managers) {
      if (m.clusterAddr == null || state.nodeId.equals(m.nodeId)) {
        continue;
      }
      try {
        client.joinRaft(m.clusterAddr, creds, state.raftAddr());
        added = true;
        break;
      } catch (IOException | RuntimeException e) {
        errors.add(m.clusterAddr + ": " + e.getMessage());
      }
    }
    if (!added) {
      throw new UnavailableException("no manager added this node to the Raft group: " + String.join("; ", errors));
    }
    String clusterAddr = state.clusterAddr();
    store().update(tx -> {
      Node n = tx.nodes().get(state.nodeId);
      if (n != null && (n.managerStatus == null || !clusterAddr.equals(n.managerStatus.addr))) {
        if (n.managerStatus == null) {
          n.managerStatus = new Node.ManagerStatus();
        }
        n.managerStatus.addr = clusterAddr;
        tx.nodes().update(n);
      }
      return null;
    });
  }

  /** Before leaving: asks the group to drop this member, so the remaining managers keep their quorum math. */
  void leaveRaftGroup() {
    List<NodeState.Manager> others = new ArrayList<>();
    raftPeers().forEach((id, addr) -> {
      if (!id.equals(state.nodeId)) {
        others.add(new NodeState.Manager(id, null, addr));
      }
    });
    if (others.isEmpty()) {
      throw new UnavailableException("no other manager to hand the Raft group to");
    }
    raft.node().removeManager(state.nodeId);
  }

  /** The cluster's autolock setting changed through this manager's API: re-seal the keys before answering. */
  void followAutolock() {
    autolock.followNow();
  }

  /**
   * Stops this manager like {@link #close}, leaving Raft storage that restarts as a single-member group at its
   * last applied state ({@link RaftStore#closeForNewCluster}); returns where the old log went.
   */
  java.nio.file.Path closeForNewCluster() throws IOException {
    storeMetrics.close();
    autolock.close();
    watcher.close();
    clusterServer.close();
    if (registry != null) {
      registry.close();
    }
    return raft.closeForNewCluster();
  }

  @Override
  public void close() {
    storeMetrics.close();
    autolock.close();
    watcher.close();
    clusterServer.close();
    if (registry != null) {
      registry.close();
    }
    try {
      raft.close();
    } catch (IOException e) {
      LOG.warn("error while stopping Raft: {}", e.getMessage());
    }
  }
}
