package io.jswarm.cli.daemon;

import io.jswarm.linux.FileTrees;
import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.JswarmException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.api.types.Node;
import io.jswarm.consensus.crypto.AesGcmKey;
import io.jswarm.consensus.crypto.UnlockKey;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.transport.http.Router;
import io.jswarm.transport.metrics.Metrics;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.PeerIdentity;
import io.jswarm.worker.image.ImageStore;
import io.jswarm.worker.logs.NodeLogRoutes;
import io.jswarm.worker.volume.LocalVolumes;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The roles this node runs now and what it joined: the saved {@link NodeState}, the agent ({@link WorkerRole}) every
 * node runs and, on a manager, the {@link ManagerRole}. It starts them (at a restart, an unlock, a membership change
 * made by {@link SwarmMembership}), switches them when the node is promoted or demoted, and renews the certificate
 * they present. Every change holds this object's lock, so one change happens at a time.
 */
final class NodeRoles {
  private static final Logger LOG = LoggerFactory.getLogger(NodeRoles.class);

  /** How long a demoted manager waits for the leader to take it out of the Raft group. */
  static final Duration ROLE_SWITCH_TIMEOUT = Duration.ofSeconds(60);
  /** How often the certificate's renewal point, and the cluster's trusted roots (a root rotation), are checked. */
  static final Duration CERT_CHECK = Duration.ofSeconds(10);

  private final DaemonOptions opts;
  private final String version;
  private final Clock clock;
  private final IdGenerator ids;
  private final Metrics metrics;
  private final NodeKeys keys;
  private final Supplier<ImageStore> images;
  private final LocalVolumes volumes;
  private final NodeNetworking networking;
  private final java.util.function.Consumer<io.jswarm.api.types.EventMessage> events;

  private volatile NodeState state;
  private volatile ManagerRole manager;
  private volatile WorkerRole worker;
  private volatile String localState = "inactive";

  /** Role switches and certificate renewals, one at a time. */
  private final ScheduledExecutorService roleSwitcher = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "jswarm-role-switch");
    t.setDaemon(true);
    return t;
  });

  NodeRoles(DaemonOptions opts, String version, Clock clock, IdGenerator ids, Metrics metrics, NodeKeys keys,
      Supplier<ImageStore> images, LocalVolumes volumes, NodeNetworking networking, java.util.function.Consumer<io.jswarm.api.types.EventMessage> events) {
    this.opts = opts;
    this.version = version;
    this.clock = clock;
    this.ids = ids;
    this.metrics = metrics;
    this.keys = keys;
    this.images = images;
    this.volumes = volumes;
    this.networking = networking;
    this.events = events;
  }

  NodeState state() {
    return state;
  }

  ManagerRole manager() {
    return manager;
  }

  WorkerRole worker() {
    return worker;
  }

  /** inactive, pending, active or locked, as {@code /info}'s {@code LocalNodeState} says it. */
  String localState() {
    return localState;
  }

  /** What a saved node says from the first request on, before {@link #resume} has started anything. */
  synchronized void restored(NodeState saved) {
    state = saved;
    localState = saved.isManager() && keys.locked() ? "locked" : "pending";
  }

  /** A membership change under way: the node is pending until {@link #active} or {@link #forget}. */
  void pending() {
    localState = "pending";
  }

  /** The node joined (or made) a cluster and runs its roles. */
  void active(NodeState s) {
    state = s;
    localState = "active";
  }

  /** The node is in no swarm: both roles stopped by the caller, its saved state removed. */
  void forget() {
    state = null;
    localState = "inactive";
  }

  /** Checks the certificate's renewal point every {@link #CERT_CHECK}. */
  void scheduleRenewal() {
    roleSwitcher.scheduleWithFixedDelay(this::renewIfDue, CERT_CHECK.toSeconds(), CERT_CHECK.toSeconds(),
        TimeUnit.SECONDS);
  }

  /** Starts this node's manager side with {@code initialPeers} as a new Raft group's members (empty: joining one). */
  ManagerRole startManager(NodeState s, NodeCredentials creds, Map<String, String> initialPeers) throws IOException {
    manager = ManagerRole.start(opts, s, creds, initialPeers, clock, ids, this::nodeRoutes, images.get(), keys, metrics);
    return manager;
  }

  /** Starts the agent (a stopped one first) with {@code creds}. */
  void startWorker(NodeState s, NodeCredentials creds) throws IOException {
    stopWorker();
    NodeNetworking.Parts n = networking.parts();
    WorkerRole.Stores stores = new WorkerRole.Stores(images.get(), n.tasks(), volumes, n.mesh(), n.discovery(), events);
    worker = WorkerRole.start(opts, s, creds, version, clock, this::onNodeUpdate, this::nodeRoutes, stores);
  }

  void stopWorker() {
    WorkerRole w = worker;
    worker = null;
    if (w != null) {
      w.close();
    }
  }

  /** Stops the manager side; returns the stopped role (null when there was none). */
  ManagerRole stopManager() {
    ManagerRole m = detachManager();
    if (m != null) {
      m.close();
    }
    return m;
  }

  /** Takes the manager side out of this node's roles for the caller to close (null when there was none). */
  ManagerRole detachManager() {
    ManagerRole m = manager;
    manager = null;
    return m;
  }

  void stopRoles() {
    stopWorker();
    stopManager();
  }

  /** Starts the saved roles; an autolocked manager waits for {@link #unlock}. */
  synchronized void resume(NodeState saved) throws Exception {
    state = saved;
    if (saved.isManager() && keys.locked()) {
      // autolocked: no Raft, no agent until 'swarm unlock'; the containers keep running under their monitors
      localState = "locked";
      LOG.warn("this manager is locked (autolock is on): run 'jswarm swarm unlock' with the unlock key to start it");
      return;
    }
    NodeCredentials creds = keys.loadCredentials();
    localState = "pending";
    if (saved.isManager()) {
      startManager(saved, creds, Map.of());
    }
    startWorker(saved, creds);
    localState = "active";
    LOG.info("resumed as {} {} of cluster {}", saved.role, saved.nodeId, saved.clusterId);
  }

  synchronized void unlock(String unlockKey) {
    NodeState s = state;
    if (s == null) {
      throw new ConflictException(Daemon.NOT_PART_OF_SWARM);
    }
    if (!"locked".equals(localState)) {
      throw new ConflictException("swarm is not locked");
    }
    AesGcmKey kek = UnlockKey.parse(unlockKey);
    try {
      keys.unlock(kek);
      resume(s);
    } catch (JswarmException e) {
      throw e;
    } catch (Exception e) {
      throw new UnavailableException("the swarm is unlocked, but this manager could not start: " + e.getMessage(), e);
    }
    LOG.info("unlocked");
  }

  /**
   * Renews this node's certificate once it is past its renewal point (between 50% and 80% of its life, see
   * {@link NodeCredentials#needsRenewal}) through any manager, then restarts the roles with it: new TLS
   * connections (dispatcher, Raft, cluster port) present the new certificate. A failure is retried at the next
   * check; an expired certificate can no longer renew and the node must leave and join again.
   */
  private void renewIfDue() {
    try {
      synchronized (this) {
        NodeState s = state;
        if (s == null || "locked".equals(localState)) {
          return;
        }
        NodeCredentials current = keys.loadCredentials();
        if (!current.needsRenewal(clock.instant())) {
          ManagerRole local = manager;
          WorkerRole w = worker;
          String told = w == null ? null : w.rootsDigest();
          if (local != null ? !ManagerAsks.rootsChanged(local.store(), current)
              : told != null ? !ManagerAsks.rootsChanged(told, current)
              : !ManagerAsks.rootsChanged(managerAddrs(s), current)) {
            return;
          }
          LOG.info("the cluster's root CA is being rotated (or its rotation ended): renewing this node's certificate");
        } else {
          LOG.info("renewing this node's certificate (valid until {})", current.notAfter());
        }
        NodeCredentials renewed = ManagerAsks.renewThroughAny(managerAddrs(s), current);
        keys.saveCredentials(renewed);
        stopWorker();
        if (stopManager() != null) {
          startManager(s, renewed, Map.of());
        }
        startWorker(s, renewed);
        LOG.info("certificate renewed, valid until {}", renewed.notAfter());
      }
    } catch (Exception e) {
      LOG.warn("certificate renewal failed (retrying in {} s): {}", CERT_CHECK.toSeconds(), e.toString());
    }
  }

  /** Cluster addresses of the managers this node knows, this node's own first when it is one. */
  List<String> managerAddrs(NodeState s) {
    WorkerRole w = worker;
    List<String> addrs = new ArrayList<>();
    if (s.isManager()) {
      addrs.add(s.clusterAddr());
    }
    for (String a : w == null ? List.<String>of() : w.managers()) {
      if (!addrs.contains(a)) {
        addrs.add(a);
      }
    }
    s.managers.forEach(m -> {
      if (m.clusterAddr != null && !addrs.contains(m.clusterAddr)) {
        addrs.add(m.clusterAddr);
      }
    });
    return addrs;
  }

  /** Routes every node serves to managers on its cluster port: task logs read from this node's data root. */
  private void nodeRoutes(Router r) {
    nodeLogRoutes().routes(r);
  }

  /** Task logs read from this node's data root: the node route, and a manager's own tasks ({@link TaskLogSources}). */
  NodeLogRoutes nodeLogRoutes() {
    return new NodeLogRoutes(opts.dataRoot(), id -> {
      WorkerRole w = worker;
      return w != null && w.taskActive(id);
    });
  }

  /** The dispatcher sent this node's object: a changed role (promote/demote) is acted on off the agent's thread. */
  private void onNodeUpdate(Node n) {
    NodeState s = state;
    if (s == null || n == null || n.spec == null || n.spec.role == null || n.spec.role.equals(s.role)) {
      return;
    }
    roleSwitcher.execute(() -> {
      try {
        switchRole(n.spec.role);
      } catch (Exception e) {
        LOG.warn("could not become {} (will retry when the node is sent again): {}", n.spec.role, e.toString());
      }
    });
  }

  /**
   * A promotion or demotion arrived in this node's session. The certificate is renewed first (the CA issues the
   * role the store holds), then the manager side is started and joined to the Raft group, or — once the leader
   * has taken this member out of the group — stopped and its Raft data removed.
   */
  private synchronized void switchRole(String desired) throws Exception {
    NodeState s = state;
    if (s == null || desired.equals(s.role)) {
      return;
    }
    List<String> managerAddrs = managerAddrs(s);
    managerAddrs.remove(s.clusterAddr());
    if (desired.equals("worker") && manager != null) {
      long deadline = System.nanoTime() + ROLE_SWITCH_TIMEOUT.toNanos();
      while (manager.raftPeers().containsKey(s.nodeId)) {
        if (System.nanoTime() > deadline) {
          throw new UnavailableException("still a Raft member " + ROLE_SWITCH_TIMEOUT.toSeconds() + " s after demotion");
        }
        Thread.sleep(200);
      }
    }
    NodeCredentials renewed = ManagerAsks.renewThroughAny(managerAddrs, keys.loadCredentials());
    String certRole = renewed.role().equals(PeerIdentity.MANAGER_ROLE) ? "manager" : "worker";
    if (!certRole.equals(desired)) {
      throw new UnavailableException("the CA issued a " + certRole + " certificate, not yet " + desired);
    }
    keys.saveCredentials(renewed);
    // the agent keeps its session (and the node stays Ready) while the Raft member starts and catches up, which
    // can take a while on a busy machine; it is restarted with the new certificate at the end
    if (desired.equals("manager")) {
      s.role = "manager";
      List<NodeState.Manager> known = new ArrayList<>();
      managerAddrs.forEach(a -> known.add(new NodeState.Manager(null, a, null)));
      keys.fetchDataKey(managerAddrs, renewed);
      WorkerRole w = worker;
      if (w != null) {
        w.closeNodeServer(); // the manager's cluster server takes the port (and serves the node routes)
      }
      try {
        startManager(s, renewed, Map.of());
      } catch (IOException | RuntimeException e) {
        s.role = "worker"; // not a manager yet: the next time the node is sent, the promotion is tried again
        throw e;
      }
      manager.joinRaftGroup(known);
      s.managers.removeIf(m -> s.nodeId.equals(m.nodeId));
      s.managers.add(new NodeState.Manager(s.nodeId, s.clusterAddr(), s.raftAddr()));
    } else {
      stopManager();
      FileTrees.delete(opts.raftDir());
      keys.deleteDataKey();
      keys.follow(null); // a worker is never locked: its key-encryption key is stored again
      s.role = "worker";
      s.managers.removeIf(m2 -> s.nodeId.equals(m2.nodeId));
    }
    s.save(opts.dataRoot());
    startWorker(s, renewed);
    LOG.info("this node is now a {}", desired);
  }

  synchronized void close() {
    roleSwitcher.shutdownNow();
    stopRoles();
  }
}
