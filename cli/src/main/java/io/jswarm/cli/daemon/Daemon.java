package io.jswarm.cli.daemon;

import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.JswarmException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.SwarmRequests;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.cli.metrics.ApiMetrics;
import io.jswarm.cli.metrics.RuntimeMetrics;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.transport.metrics.Metrics;
import io.jswarm.manager.controlapi.ControlApi;
import io.jswarm.manager.controlapi.EventRoutes;
import io.jswarm.manager.controlapi.LogRoutes;
import io.jswarm.manager.events.ClusterEventSource;
import io.jswarm.manager.events.EventBus;
import io.jswarm.worker.engine.ContainerRoutes;
import io.jswarm.worker.engine.ExecRoutes;
import io.jswarm.worker.logs.NodeLogRoutes;
import io.jswarm.worker.volume.LocalVolumes;
import io.jswarm.worker.volume.VolumeRoutes;
import io.jswarm.manager.controlapi.SwarmLifecycle;
import io.jswarm.transport.http.HttpServer;
import io.jswarm.transport.http.Router;
import io.jswarm.api.cluster.JoinRequest;
import io.jswarm.api.cluster.JoinResponse;
import io.jswarm.manager.ca.CertificateAuthority;
import io.jswarm.manager.ca.ClusterBootstrap;
import io.jswarm.transport.pki.JoinClient;
import io.jswarm.transport.pki.JoinToken;
import io.jswarm.transport.pki.RootCA;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.PeerIdentity;
import io.jswarm.worker.image.ImageApi;
import io.jswarm.worker.image.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host's daemon. It serves the API from the start; {@code swarm init} / {@code swarm join} give it a role:
 * every node runs an agent ({@link WorkerRole}) and managers also run the Raft store, the cluster port and the
 * leader loops ({@link ManagerRole}). What it joined is kept in {@link NodeState} and the certificates, so a
 * restart resumes the same role. Membership changes are serialized by this object's lock.
 */
public final class Daemon implements SwarmLifecycle, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

  static final String NOT_PART_OF_SWARM = "This node is not part of a swarm";
  static final String ALREADY_IN_SWARM =
      "This node is already part of a swarm. Use \"docker swarm leave\" to leave this swarm and join another one.";

  /** How long a demoted manager waits for the leader to take it out of the Raft group. */
  static final Duration ROLE_SWITCH_TIMEOUT = Duration.ofSeconds(60);
  /** How often the certificate's renewal point, and the cluster's trusted roots (a root rotation), are checked. */
  static final Duration CERT_CHECK = Duration.ofSeconds(10);

  private final DaemonOptions opts;
  private final String version;
  private final Clock clock = Clock.systemUTC();
  private final IdGenerator ids = IdGenerator.secure();
  private final SecureRandom random = new SecureRandom();
  private final Metrics metrics;

  private HttpServer api;
  /** The API routes served on the {@code -H} listeners. */
  private final Router apiRouter = new Router();
  /** {@code /events}: the swarm's changes (while a manager) and this node's container events. */
  private final EventBus events = new EventBus();
  private ClusterEventSource clusterEvents;
  /** This node's named local volumes (the container executor acquires them for {@code type: volume} mounts). */
  private final LocalVolumes volumes;
  private ImageStore images;
  private ImageApi imageApi;
  private volatile NodeState state;
  private volatile ManagerRole manager;
  private volatile WorkerRole worker;
  private volatile String localState = "inactive";
  /** This node's key-encryption key, the sealed data key and node key ({@link NodeKeys}); set by {@link #start}. */
  private NodeKeys keys;
  /** Role switches and certificate renewals, one at a time. */
  private final java.util.concurrent.ScheduledExecutorService roleSwitcher =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jswarm-role-switch");
        t.setDaemon(true);
        return t;
      });

  /** Task bridge, overlay, routing mesh and embedded DNS; made when the container executor first needs them. */
  private final NodeNetworking networking;
  /** What this node's engine says of itself: /info's counts, a network's containers, the container routes' view. */
  private final LocalEngine engine;

  public Daemon(DaemonOptions opts, String version) {
    this(opts, version, new Metrics());
  }

  /** A daemon counting on {@code metrics} (served by {@code --metrics-addr}). */
  public Daemon(DaemonOptions opts, String version, Metrics metrics) {
    this.metrics = metrics;
    this.opts = opts;
    this.version = version;
    this.volumes = new LocalVolumes(opts.dataRoot().resolve("volumes"), clock);
    this.engine = new LocalEngine(opts, () -> worker, () -> images);
    this.networking = new NodeNetworking(opts);
  }

  /** The image store, task networking and volumes the container executor uses. */
  private WorkerRole.Stores workerStores() {
    NodeNetworking.Parts n = networking.parts();
    return new WorkerRole.Stores(images, n.tasks(), volumes, n.mesh(), n.discovery(), events::publish);
  }

  /** This node's manager role while it is one, else null (tests). */
  ManagerRole managerRole() {
    return manager;
  }

  /** Opens the API listeners and resumes the saved role, if any. */
  public synchronized void start() throws Exception {
    Files.createDirectories(opts.dataRoot());
    // nothing under the data root is any other user's business: keys, Raft log, images, logs
    Files.setPosixFilePermissions(opts.dataRoot(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Files.createDirectories(opts.execRoot());
    keys = NodeKeys.load(opts, random);
    Router router = apiRouter;
    router.observe(new ApiMetrics(metrics));
    new RuntimeMetrics(metrics, () -> {
      WorkerRole w = worker;
      return w == null ? Map.of() : w.taskStatuses();
    }, opts.cgroupParent(), !opts.executor().equals("simulated"));
    new ControlApi(this, clock, caCertPem -> JoinToken.generate(RootCA.digestOfPem(caCertPem), random).toString(), version).routes(router);
    new LogRoutes(this, () -> new TaskLogSources(nodeLogRoutes(), () -> {
      NodeState s = state;
      return s == null ? null : s.clusterAddr();
    }, this::clusterClientTls)).routes(router);
    new EventRoutes(events, clock).routes(router);
    clusterEvents = new ClusterEventSource(() -> {
      ManagerRole m = manager;
      return m == null ? null : m.store();
    }, events, clock).start();
    new VolumeRoutes(volumes).routes(router);
    new ContainerRoutes(engine::containers).routes(router); // the API listeners only: never the cluster port
    new SystemDf(router).routes(router);
    new ExecRoutes(engine::containers).routes(router); // exec is root in a container: the API listeners only
    images = new ImageStore(opts.imageDir(), ImageStore.Options.defaults()
        .withInsecureRegistries(Set.copyOf(opts.insecureRegistries()))
        .withUnpackLimits(opts.imageUnpackLimits())
        .withRegistryAllow(opts.registryAllow())
        .withCluster(this::managerClusterAddrs, this::clusterTls));
    imageApi = new ImageApi(images);
    imageApi.routes(router);
    NodeState saved = NodeState.load(opts.dataRoot());
    if (saved != null) { // what /info says from the first request on
      state = saved;
      localState = saved.isManager() && keys.locked() ? "locked" : "pending";
    }
    api = HttpServer.start(router, ApiListeners.parse(opts.hosts(), opts.apiSecurity()), HttpServer.Settings.defaults().withServerVersion(version)
        .withThreadPriority(Thread.MAX_PRIORITY));
    if (saved != null) {
      try {
        resume(saved);
      } catch (io.jswarm.consensus.raft.RaftPortInUseException e) {
        throw raftPortTaken(e);
      }
    }
    roleSwitcher.scheduleWithFixedDelay(this::renewIfDue, CERT_CHECK.toSeconds(), CERT_CHECK.toSeconds(),
        java.util.concurrent.TimeUnit.SECONDS);
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
        if (manager != null) {
          ManagerRole m = manager;
          manager = null;
          m.close();
          manager = ManagerRole.start(opts, s, renewed, Map.of(), clock, ids, this::nodeRoutes, images, keys, metrics);
        }
        worker = WorkerRole.start(opts, s, renewed, version, clock, this::onNodeUpdate, this::nodeRoutes, workerStores());
        LOG.info("certificate renewed, valid until {}", renewed.notAfter());
      }
    } catch (Exception e) {
      LOG.warn("certificate renewal failed (retrying in {} s): {}", CERT_CHECK.toSeconds(), e.toString());
    }
  }

  /** Cluster addresses of the managers this node knows, this node's own first when it is one. */
  private List<String> managerAddrs(NodeState s) {
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

  private void resume(NodeState saved) throws Exception {
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
      manager = ManagerRole.start(opts, saved, creds, Map.of(), clock, ids, this::nodeRoutes, images, keys, metrics);
    }
    worker = WorkerRole.start(opts, saved, creds, version, clock, this::onNodeUpdate, this::nodeRoutes, workerStores());
    localState = "active";
    LOG.info("resumed as {} {} of cluster {}", saved.role, saved.nodeId, saved.clusterId);
  }

  @Override
  public synchronized void unlock(String unlockKey) {
    NodeState s = state;
    if (s == null) {
      throw new io.jswarm.api.errors.ConflictException(NOT_PART_OF_SWARM);
    }
    if (!"locked".equals(localState)) {
      throw new io.jswarm.api.errors.ConflictException("swarm is not locked");
    }
    io.jswarm.consensus.crypto.AesGcmKey kek = io.jswarm.consensus.crypto.UnlockKey.parse(unlockKey);
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

  @Override
  public void unlockKeyChanged() {
    ManagerRole m = manager;
    if (m != null) {
      m.followAutolock();
    }
  }

  /** Every route of the API on the {@code -H} listeners (the API fuzz test drives each). */
  public List<Router.RouteInfo> apiRoutes() {
    return apiRouter.routes();
  }

  /** The bound address of each API listener, in {@code -H} order. */
  public List<java.net.SocketAddress> apiAddresses() {
    return api.boundAddresses();
  }

  /** Routes every node serves to managers on its cluster port: task logs read from this node's data root. */
  private void nodeRoutes(Router r) {
    nodeLogRoutes().routes(r);
  }

  /** Task logs read from this node's data root: the node route, and a manager's own tasks ({@link TaskLogSources}). */
  private NodeLogRoutes nodeLogRoutes() {
    return new NodeLogRoutes(opts.dataRoot(), id -> {
      WorkerRole w = worker;
      return w != null && w.taskActive(id);
    });
  }

  /** This node's client TLS context for node-to-node calls (read each time: the certificate may be renewed). */
  private javax.net.ssl.SSLContext clusterClientTls() {
    return clusterClientTls(false);
  }

  /**
   * See {@link #clusterClientTls()}; {@code managersOnly}: the server must present a manager certificate (calls
   * that only a manager may answer, such as image pulls from the managers' registry).
   */
  private javax.net.ssl.SSLContext clusterClientTls(boolean managersOnly) {
    try {
      NodeCredentials creds = keys.loadCredentials();
      return managersOnly ? io.jswarm.transport.pki.TlsContexts.managerClient(creds)
          : io.jswarm.transport.pki.TlsContexts.client(creds);
    } catch (IOException e) {
      throw new UnavailableException("this node has no cluster certificate to call other nodes with: " + e.getMessage());
    }
  }

  /** The node's image store (the container executor prepares images through it). */
  public ImageStore images() {
    return images;
  }

  /** Cluster addresses of the managers this node knows, for cluster-local image pulls. */
  private List<String> managerClusterAddrs() {
    NodeState s = state;
    return s == null ? List.of() : managerAddrs(s);
  }

  /** The node's mutual-TLS client context for the cluster port, or null outside a swarm. */
  private javax.net.ssl.SSLContext clusterTls() {
    if (state == null) {
      return null;
    }
    try {
      return clusterClientTls(true);
    } catch (UnavailableException e) {
      LOG.warn("no cluster credentials for image pulls from managers: {}", e.getMessage());
      return null;
    }
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
        manager = ManagerRole.start(opts, s, renewed, Map.of(), clock, ids, this::nodeRoutes, images, keys, metrics);
      } catch (IOException | RuntimeException e) {
        s.role = "worker"; // not a manager yet: the next time the node is sent, the promotion is tried again
        throw e;
      }
      manager.joinRaftGroup(known);
      s.managers.removeIf(m -> s.nodeId.equals(m.nodeId));
      s.managers.add(new NodeState.Manager(s.nodeId, s.clusterAddr(), s.raftAddr()));
    } else {
      ManagerRole m = manager;
      manager = null;
      if (m != null) {
        m.close();
      }
      deleteTree(opts.raftDir());
      keys.deleteDataKey();
      keys.follow(null); // a worker is never locked: its key-encryption key is stored again
      s.role = "worker";
      s.managers.removeIf(m2 -> s.nodeId.equals(m2.nodeId));
    }
    s.save(opts.dataRoot());
    stopWorker();
    worker = WorkerRole.start(opts, s, renewed, version, clock, this::onNodeUpdate, this::nodeRoutes, workerStores());
    LOG.info("this node is now a {}", desired);
  }

  private void stopWorker() {
    WorkerRole w = worker;
    worker = null;
    if (w != null) {
      w.close();
    }
  }

  /** The operator's answer to a Raft port another process holds: which port, and the flag that moves it. */
  static UnavailableException raftPortTaken(io.jswarm.consensus.raft.RaftPortInUseException e) {
    return new UnavailableException(e.getMessage() + ": stop that process, or restart this daemon with another"
        + " --raft-port (every manager on one host needs its own); the node is unchanged, so retry afterwards", e);
  }

  // ---- SwarmLifecycle ----

  @Override
  public synchronized String init(SwarmRequests.Init req) {
    if (Boolean.TRUE.equals(req.forceNewCluster) && state != null) {
      return forceNewCluster(req.advertiseAddr);
    }
    if (state != null) {
      throw new ConflictException(ALREADY_IN_SWARM); // dockerd: 503; a state the caller must change, so 409
    }
    HostPort listen = HostPort.parse("ListenAddr", req.listenAddr, "0.0.0.0", opts.clusterPort());
    HostPort adv = HostPort.parse("AdvertiseAddr", req.advertiseAddr, null, listen.port());
    String advertiseIp = AddressChooser.choose("AdvertiseAddr", adv.host(), listen.host());
    try { // before anything is created: a taken port leaves the node as it was
      io.jswarm.consensus.raft.RaftNode.checkAddressFree(HostPort.join(advertiseIp, opts.raftPort()));
    } catch (io.jswarm.consensus.raft.RaftPortInUseException e) {
      throw raftPortTaken(e);
    }
    Swarm.Spec spec = ClusterDefaults.withDefaults(req.spec);
    NodeState s = new NodeState();
    s.nodeId = ids.newId();
    s.clusterId = ids.newId();
    s.role = "manager";
    s.advertiseAddr = advertiseIp;
    s.clusterPort = adv.port();
    s.raftPort = opts.raftPort();
    s.managers = new ArrayList<>(List.of(new NodeState.Manager(s.nodeId, s.clusterAddr(), s.raftAddr())));
    localState = "pending";
    try {
      ClusterBootstrap boot = ClusterBootstrap.create(s.clusterId, s.nodeId,
          Duration.ofNanos(spec.caConfig.nodeCertExpiry), clock, random);
      boolean autolock = spec.encryptionConfig != null && Boolean.TRUE.equals(spec.encryptionConfig.autoLockManagers);
      String unlockKey = autolock ? io.jswarm.consensus.crypto.UnlockKey.generate(random) : null;
      keys.create(autolock ? io.jswarm.consensus.crypto.UnlockKey.parse(unlockKey) : null);
      keys.storeDataKey(io.jswarm.consensus.crypto.AesGcmKey.generate(random));
      keys.saveCredentials(boot.credentials());
      Swarm swarm = new Swarm();
      swarm.id = s.clusterId;
      swarm.spec = spec;
      swarm.dataPathPort = req.dataPathPort == null || req.dataPathPort == 0 ? 4789L : req.dataPathPort;
      swarm.defaultAddrPool = req.defaultAddrPool == null || req.defaultAddrPool.isEmpty()
          ? List.of("10.0.0.0/8") : req.defaultAddrPool;
      swarm.subnetSize = req.subnetSize == null || req.subnetSize == 0 ? 24L : req.subnetSize;
      boot.applyTo(swarm);
      swarm.unlockKey = unlockKey;
      Node self = CertificateAuthority.newNode(s.nodeId, "manager", joinFields(s), boot.rootCA());
      self.status.state = "ready";
      RaftTiming.save(opts.dataRoot(), RaftTiming.electionTick(spec));
      manager = ManagerRole.start(opts, s, boot.credentials(), Map.of(s.nodeId, s.raftAddr()), clock, ids, this::nodeRoutes, images, keys, metrics);
      manager.store().update(tx -> {
        tx.cluster().create(swarm);
        tx.nodes().create(self);
        return null;
      });
      s.save(opts.dataRoot());
      state = s;
      worker = WorkerRole.start(opts, s, boot.credentials(), version, clock, this::onNodeUpdate, this::nodeRoutes, workerStores());
      localState = "active";
      LOG.info("swarm initialized: node {} is the first manager of cluster {}", s.nodeId, s.clusterId);
      return s.nodeId;
    } catch (JswarmException e) {
      abandon();
      throw e;
    } catch (Exception e) {
      abandon();
      if (e instanceof io.jswarm.consensus.raft.RaftPortInUseException taken) {
        throw raftPortTaken(taken);
      }
      throw new IllegalStateException("swarm init failed: " + e.getMessage(), e);
    }
  }

  /**
   * Quorum-loss recovery ({@code swarm init --force-new-cluster}, {@code daemon --force-new-cluster}): this
   * manager becomes the only member of a new Raft group holding its last applied state (every service, network,
   * secret, node and task). Its containers keep running (the agent is restarted, not its tasks); workers and the
   * new managers that join find it through their manager lists. The other managers' Raft storage is not reused:
   * they must leave and join again.
   *
   * @param advertiseAddr a new advertise address for this manager, or null to keep the current one
   */
  public synchronized String forceNewCluster(String advertiseAddr) {
    NodeState s = state;
    if (s == null) {
      throw new UnavailableException(NOT_PART_OF_SWARM + ": --force-new-cluster recovers an existing swarm; use"
          + " 'jswarm swarm init' without it to create one.");
    }
    if (!s.isManager() || manager == null) {
      throw new InvalidArgumentException("ForceNewCluster: this node is a worker; run it on a manager that survived "
          + "(the new cluster keeps that manager's state)");
    }
    try {
      NodeCredentials creds = keys.loadCredentials();
      stopWorker();
      ManagerRole old = manager;
      manager = null;
      localState = "pending";
      Path aside = old.closeForNewCluster();
      if (advertiseAddr != null && !advertiseAddr.isBlank()) {
        HostPort adv = HostPort.parse("AdvertiseAddr", advertiseAddr, null, s.clusterPort);
        s.advertiseAddr = AddressChooser.choose("AdvertiseAddr", adv.host(), "0.0.0.0");
        s.clusterPort = adv.port();
      }
      s.managers = new ArrayList<>(List.of(new NodeState.Manager(s.nodeId, s.clusterAddr(), s.raftAddr())));
      manager = ManagerRole.start(opts, s, creds, Map.of(s.nodeId, s.raftAddr()), clock, ids, this::nodeRoutes, images, keys, metrics);
      s.save(opts.dataRoot());
      String clusterAddr = s.clusterAddr();
      manager.store().update(tx -> {
        Node self = tx.nodes().get(s.nodeId);
        if (self != null) {
          if (self.managerStatus == null) {
            self.managerStatus = new Node.ManagerStatus();
          }
          self.managerStatus.addr = clusterAddr;
          tx.nodes().update(self);
        }
        return null;
      });
      worker = WorkerRole.start(opts, s, creds, version, clock, this::onNodeUpdate, this::nodeRoutes, workerStores());
      localState = "active";
      LOG.warn("force-new-cluster: node {} is now the only manager of cluster {}; the old Raft log is kept in {}",
          s.nodeId, s.clusterId, aside);
      return s.nodeId;
    } catch (JswarmException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("force-new-cluster failed: " + e.getMessage() + "; the old Raft log is kept"
          + " under " + opts.raftDir() + "/before-force-new-cluster-*", e);
    }
  }

  /** How this node describes itself to the CA (at join) or in its own first node row (at init). */
  private JoinRequest joinFields(NodeState s) {
    JoinRequest f = new JoinRequest();
    f.hostname = opts.nodeName();
    f.advertiseAddr = s.clusterAddr();
    f.raftAddr = s.raftAddr();
    f.description = NodeDescriptions.describe(opts.nodeName(), version, opts.engineLabels());
    return f;
  }

  @Override
  public synchronized void join(SwarmRequests.Join req) {
    if (state != null) {
      throw new ConflictException(ALREADY_IN_SWARM); // dockerd: 503; a state the caller must change, so 409
    }
    if (req.remoteAddrs == null || req.remoteAddrs.isEmpty()) {
      throw new InvalidArgumentException("RemoteAddrs: give at least one manager address (HOST:PORT)");
    }
    if (req.joinToken == null || req.joinToken.isBlank()) {
      throw new InvalidArgumentException("JoinToken: required; get one with 'jswarm swarm join-token worker' on a manager");
    }
    HostPort listen = HostPort.parse("ListenAddr", req.listenAddr, "0.0.0.0", opts.clusterPort());
    HostPort adv = HostPort.parse("AdvertiseAddr", req.advertiseAddr, null, listen.port());
    String advertiseIp = AddressChooser.choose("AdvertiseAddr", adv.host(), listen.host());
    JoinToken.parse(req.joinToken); // a malformed token is refused before any traffic
    NodeState s = new NodeState();
    s.advertiseAddr = advertiseIp;
    s.clusterPort = adv.port();
    s.raftPort = opts.raftPort();
    localState = "pending";
    try {
      JoinClient.Joined joined = joinThroughAny(req.remoteAddrs, req.joinToken, s);
      JoinResponse r = joined.response();
      s.nodeId = r.nodeId;
      s.clusterId = r.clusterId;
      s.role = r.role;
      s.managers = new ArrayList<>();
      for (JoinResponse.Manager m : r.managers == null ? List.<JoinResponse.Manager>of() : r.managers) {
        s.managers.add(new NodeState.Manager(m.nodeId, m.clusterAddr, m.raftAddr));
      }
      keys.create(null); // a manager follows the cluster's autolock setting once its store has caught up
      keys.saveCredentials(joined.credentials());
      if (s.isManager()) {
        List<String> addrs = new ArrayList<>();
        req.remoteAddrs.forEach(a -> addrs.add(HostPort.parse("RemoteAddrs", a, null,
            DaemonOptions.DEFAULT_CLUSTER_PORT).toString()));
        s.managers.stream().map(m -> m.clusterAddr).filter(a -> a != null && !addrs.contains(a)).forEach(addrs::add);
        keys.fetchDataKey(addrs, joined.credentials());
        RaftTiming.save(opts.dataRoot(), r.electionTick);
        manager = ManagerRole.start(opts, s, joined.credentials(), Map.of(), clock, ids, this::nodeRoutes, images, keys, metrics);
        manager.joinRaftGroup(s.managers);
        s.managers.add(new NodeState.Manager(s.nodeId, s.clusterAddr(), s.raftAddr()));
      }
      s.save(opts.dataRoot());
      state = s;
      worker = WorkerRole.start(opts, s, joined.credentials(), version, clock, this::onNodeUpdate, this::nodeRoutes, workerStores());
      localState = "active";
      LOG.info("joined cluster {} as {} {}", s.clusterId, s.role, s.nodeId);
    } catch (JswarmException e) {
      abandon();
      throw e;
    } catch (Exception e) {
      abandon();
      if (e instanceof io.jswarm.consensus.raft.RaftPortInUseException taken) {
        throw raftPortTaken(taken);
      }
      throw new UnavailableException("could not join the swarm through " + req.remoteAddrs + ": " + e.getMessage(), e);
    }
  }

  /** Tries each manager address in turn; a refusal (bad token, wrong CA) is final, an unreachable one is skipped. */
  private JoinClient.Joined joinThroughAny(List<String> remotes, String token, NodeState s) throws Exception {
    JoinClient client = new JoinClient();
    List<String> errors = new ArrayList<>();
    for (String remote : remotes) {
      HostPort hp = HostPort.parse("RemoteAddrs", remote, null, DaemonOptions.DEFAULT_CLUSTER_PORT);
      try {
        return client.join(hp.toString(), token, joinFields(s));
      } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException e) {
        errors.add(hp + ": " + e.getMessage());
      }
    }
    throw new UnavailableException("no manager answered at " + String.join(", ", remotes) + ": " + String.join("; ", errors));
  }

  @Override
  public synchronized void leave(boolean force) {
    NodeState s = state;
    if (s == null) {
      throw new UnavailableException(NOT_PART_OF_SWARM + ".");
    }
    ManagerRole m = manager;
    if (m != null) {
      int managers = m.raftPeers().size();
      if (!force) {
        if (managers <= 1) {
          throw new ConflictException("You are attempting to leave the swarm on a node that is participating as a "
              + "manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore "
              + "this message.");
        }
        int left = managers - 1;
        throw new ConflictException("You are attempting to leave the swarm on a node that is participating as a "
            + "manager. Removing this node leaves " + left + " managers out of " + managers + ". "
            + (left < managers / 2 + 1 ? "Without a Raft quorum your swarm will be inaccessible. " : "")
            + "Demote it first with 'jswarm node demote', or use `--force` to suppress this message.");
      }
      if (managers > 1) {
        try {
          m.leaveRaftGroup();
        } catch (RuntimeException e) {
          LOG.warn("could not remove this manager from the Raft group: {}", e.getMessage());
        }
      }
    }
    abandon();
    LOG.info("left the swarm");
  }

  /** Stops both roles and forgets the cluster: state file, certificates, Raft log. */
  private void abandon() {
    // leaving the swarm removes this node's tasks: their containers, sandboxes and the bridge go with them
    WorkerRole w = worker;
    if (w != null) {
      w.removeAllTasks();
    }
    stopRoles();
    networking.teardown();
    state = null;
    localState = "inactive";
    try {
      NodeState.delete(opts.dataRoot());
      RaftTiming.save(opts.dataRoot(), null);
      keys.forget();
      deleteTree(opts.certDir());
      deleteTree(opts.raftDir());
    } catch (IOException e) {
      LOG.warn("could not remove old swarm state: {}", e.getMessage());
    }
  }

  private void stopRoles() {
    stopWorker();
    ManagerRole m = manager;
    manager = null;
    if (m != null) {
      m.close();
    }
  }

  @Override
  public String localNodeState() {
    return localState;
  }

  @Override
  public String nodeId() {
    NodeState s = state;
    return s == null ? "" : s.nodeId;
  }

  @Override
  public io.jswarm.manager.controlapi.EngineInfo engineInfo() {
    return engine.info();
  }

  @Override
  public Map<String, Object> networkContainers(String networkId) {
    return engine.networkContainers(networkId);
  }

  @Override
  public String nodeAddr() {
    NodeState s = state;
    return s == null ? "" : s.clusterAddr();
  }

  @Override
  public MemoryStore managerStore() {
    ManagerRole m = manager;
    if (m == null && "locked".equals(localState)) {
      throw new UnavailableException(LOCKED);
    }
    if (m == null) {
      throw new UnavailableException(state == null ? NOT_IN_SWARM : WORKER_NOT_MANAGER);
    }
    return m.store();
  }

  @Override
  public ClusterView clusterView() {
    ManagerRole m = manager;
    if (m == null) {
      return new ClusterView(null, Map.of(), Set.of());
    }
    Map<String, String> peers = new LinkedHashMap<>(m.raftPeers());
    String leader = m.leaderId();
    Set<String> reachable = new HashSet<>(m.reachableManagers());
    if (leader != null) {
      reachable.add(leader);
    }
    return new ClusterView(leader, peers, reachable);
  }

  @Override
  public synchronized void close() {
    roleSwitcher.shutdownNow();
    if (clusterEvents != null) {
      clusterEvents.close();
    }
    stopRoles();
    networking.close(); // the bridge, sandboxes and rules stay: the containers outlive the daemon
    if (api != null) {
      api.close();
      api = null;
    }
    if (imageApi != null) {
      imageApi.close();
      imageApi = null;
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
