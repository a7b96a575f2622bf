package io.jswarm.cli.daemon;

import io.jswarm.api.errors.UnavailableException;
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
import io.jswarm.worker.volume.LocalVolumes;
import io.jswarm.worker.volume.VolumeRoutes;
import io.jswarm.manager.controlapi.SwarmLifecycle;
import io.jswarm.transport.http.HttpServer;
import io.jswarm.transport.http.Router;
import io.jswarm.transport.pki.JoinToken;
import io.jswarm.transport.pki.RootCA;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.worker.image.ImageApi;
import io.jswarm.worker.image.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  /** This node's key-encryption key, the sealed data key and node key ({@link NodeKeys}); set by {@link #start}. */
  private NodeKeys keys;
  /** The roles this node runs and what it joined; set by {@link #start}. */
  private NodeRoles roles;
  private SwarmMembership membership;

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
    this.engine = new LocalEngine(opts, () -> roles == null ? null : roles.worker(), () -> images);
    this.networking = new NodeNetworking(opts);
  }

  /** This node's manager role while it is one, else null (tests). */
  ManagerRole managerRole() {
    return roles.manager();
  }

  /** Opens the API listeners and resumes the saved role, if any. */
  public synchronized void start() throws Exception {
    Files.createDirectories(opts.dataRoot());
    // nothing under the data root is any other user's business: keys, Raft log, images, logs
    Files.setPosixFilePermissions(opts.dataRoot(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Files.createDirectories(opts.execRoot());
    keys = NodeKeys.load(opts, random);
    roles = new NodeRoles(opts, version, clock, ids, metrics, keys, () -> images, volumes, networking, events::publish);
    membership = new SwarmMembership(opts, version, clock, ids, random, keys, roles, networking);
    Router router = apiRouter;
    router.observe(new ApiMetrics(metrics));
    new RuntimeMetrics(metrics, () -> {
      WorkerRole w = roles.worker();
      return w == null ? Map.of() : w.taskStatuses();
    }, opts.cgroupParent(), !opts.executor().equals("simulated"));
    new ControlApi(this, clock, caCertPem -> JoinToken.generate(RootCA.digestOfPem(caCertPem), random).toString(), version).routes(router);
    new LogRoutes(this, () -> new TaskLogSources(roles.nodeLogRoutes(), () -> {
      NodeState s = roles.state();
      return s == null ? null : s.clusterAddr();
    }, this::clusterClientTls)).routes(router);
    new EventRoutes(events, clock).routes(router);
    clusterEvents = new ClusterEventSource(() -> {
      ManagerRole m = roles.manager();
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
      roles.restored(saved);
    }
    api = HttpServer.start(router, ApiListeners.parse(opts.hosts(), opts.apiSecurity()), HttpServer.Settings.defaults().withServerVersion(version)
        .withThreadPriority(Thread.MAX_PRIORITY));
    if (saved != null) {
      try {
        roles.resume(saved);
      } catch (io.jswarm.consensus.raft.RaftPortInUseException e) {
        throw SwarmMembership.raftPortTaken(e);
      }
    }
    roles.scheduleRenewal();
  }

  @Override
  public void unlock(String unlockKey) {
    roles.unlock(unlockKey);
  }

  @Override
  public void unlockKeyChanged() {
    ManagerRole m = roles.manager();
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
    NodeState s = roles.state();
    return s == null ? List.of() : roles.managerAddrs(s);
  }

  /** The node's mutual-TLS client context for the cluster port, or null outside a swarm. */
  private javax.net.ssl.SSLContext clusterTls() {
    if (roles.state() == null) {
      return null;
    }
    try {
      return clusterClientTls(true);
    } catch (UnavailableException e) {
      LOG.warn("no cluster credentials for image pulls from managers: {}", e.getMessage());
      return null;
    }
  }

  // ---- SwarmLifecycle ----

  @Override
  public String init(SwarmRequests.Init req) {
    return membership.init(req);
  }

  /** Quorum-loss recovery; see {@link SwarmMembership#forceNewCluster}. */
  public String forceNewCluster(String advertiseAddr) {
    return membership.forceNewCluster(advertiseAddr);
  }

  @Override
  public void join(SwarmRequests.Join req) {
    membership.join(req);
  }

  @Override
  public void leave(boolean force) {
    membership.leave(force);
  }

  @Override
  public String localNodeState() {
    return roles.localState();
  }

  @Override
  public String nodeId() {
    NodeState s = roles.state();
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
    NodeState s = roles.state();
    return s == null ? "" : s.clusterAddr();
  }

  @Override
  public MemoryStore managerStore() {
    ManagerRole m = roles.manager();
    if (m == null && "locked".equals(roles.localState())) {
      throw new UnavailableException(LOCKED);
    }
    if (m == null) {
      throw new UnavailableException(roles.state() == null ? NOT_IN_SWARM : WORKER_NOT_MANAGER);
    }
    return m.store();
  }

  @Override
  public ClusterView clusterView() {
    ManagerRole m = roles.manager();
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
    if (clusterEvents != null) {
      clusterEvents.close();
    }
    if (roles != null) {
      roles.close();
    }
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
}
