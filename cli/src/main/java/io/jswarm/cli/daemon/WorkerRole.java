package io.jswarm.cli.daemon;

import io.jswarm.api.dispatcher.SessionRequest;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Task;
import io.jswarm.transport.http.HttpServer;
import io.jswarm.transport.http.PeerAccess;
import io.jswarm.transport.http.Router;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.TlsContexts;
import io.jswarm.worker.agent.Agent;
import io.jswarm.worker.agent.Executor;
import io.jswarm.worker.agent.NettyDispatcherTransport;
import io.jswarm.worker.agent.SimulatedExecutor;
import io.jswarm.worker.container.ContainerConfig;
import io.jswarm.worker.container.ContainerExecutor;
import io.jswarm.worker.discovery.ServiceDiscovery;
import io.jswarm.worker.image.ImageProvider;
import io.jswarm.worker.network.CompositeNetworking;
import io.jswarm.worker.network.RoutingMesh;
import io.jswarm.worker.network.TaskNetworking;
import io.jswarm.worker.volume.VolumeProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every node runs: the agent, keeping one session with the leader's dispatcher over mutual TLS and running
 * the tasks it is given through the executor. A manager's agent tries its own cluster port first (it redirects
 * to the leader). A worker also listens on its cluster port (mutual TLS) for the node-local routes managers call
 * (task logs); a manager serves those on its own cluster server.
 */
final class WorkerRole implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRole.class);

  private final Agent agent;
  private final NettyDispatcherTransport transport;
  private final EventLoopGroup transportLoop;
  private final Executor executor;
  private volatile HttpServer nodeServer;

  private WorkerRole(Agent agent, NettyDispatcherTransport transport, EventLoopGroup transportLoop,
      Executor executor) {
    this.agent = agent;
    this.transport = transport;
    this.transportLoop = transportLoop;
    this.executor = executor;
  }

  /**
   * The agent's connections to the dispatcher: Netty on one I/O thread of their own (a session stream, and one
   * kept-alive connection for heartbeats and status reports), mutual TLS through the JDK's engine that calls managers
   * only. Netty is loaded anyway (the API, the cluster port); the JDK's HTTP client it replaces cost an idle manager
   * ~300 classes and 3 threads (docs/footprint.md).
   */
  static EventLoopGroup transportLoop() {
    return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("agent-io", true), NioIoHandler.newFactory());
  }

  /** The agent's task statuses (metrics). */
  Map<String, Task.TaskStatus> taskStatuses() {
    return agent.taskStatuses();
  }

    /** Whether task {@code id} is assigned here and not yet in a terminal state (its log may still grow). */
  boolean taskActive(String id) {
    Task.TaskStatus st = agent.taskStatuses().get(id);
    return st != null && (st.state == null || !st.state.isTerminal());
  }

  /**
   * On a worker: serves {@code nodeRoutes} on the node's cluster port over mutual TLS, to managers only: a
   * manager certificate of a node the dispatcher names as a manager now ({@code managerIds}), so a demoted or
   * removed manager's certificate is refused as soon as the leader's list drops it.
   */
  private static HttpServer startNodeServer(NodeState s, NodeCredentials creds, Consumer<Router> nodeRoutes,
      Supplier<Set<String>> managerIds) {
    Router router = new Router();
    nodeRoutes.accept(router);
    PeerAccess managersOnly = new PeerAccess(Set.of(), PeerAccess.DEFAULT_ANONYMOUS_MAX_BODY,
        peer -> peer.isManager() && managerIds.get().contains(peer.nodeId()) ? peer : null);
    try {
      return HttpServer.start(router, List.of(new HttpServer.Tls(s.advertiseAddr, s.clusterPort,
          TlsContexts.nettyServer(creds), managersOnly)));
    } catch (IOException | RuntimeException e) {
      // the node still runs tasks; only reading its logs through a manager is lost, so say so and go on
      LOG.warn("cannot listen on the cluster port {} for the node routes (task logs will not be readable through "
          + "the managers): {}", s.clusterAddr(), e.getMessage());
      return null;
    }
  }

  /**
   * @param onNode called with this node's object each time the dispatcher sends it (role changes, labels)
   * @param nodeRoutes adds the node-local routes; served on the cluster port when this node is not a manager
   */
  static WorkerRole start(DaemonOptions opts, NodeState s, NodeCredentials creds, String version, Clock clock,
      Consumer<Node> onNode, Consumer<Router> nodeRoutes, Stores stores) throws IOException {
    AtomicReference<Agent> agentRef = new AtomicReference<>();
    Set<String> savedIds = new HashSet<>();
    s.managers.forEach(m -> {
      if (m.nodeId != null) {
        savedIds.add(m.nodeId);
      }
    });
    Supplier<Set<String>> managerIds = () -> {
      Agent a = agentRef.get();
      Set<String> ids = a == null ? Set.of() : a.managerIds();
      return ids.isEmpty() ? savedIds : ids;
    };
    HttpServer nodeServer = s.isManager() ? null : startNodeServer(s, creds, nodeRoutes, managerIds);
    List<String> managers = new ArrayList<>();
    if (s.isManager()) {
      managers.add(s.clusterAddr());
    }
    for (NodeState.Manager m : s.managers) {
      if (m.clusterAddr != null && !managers.contains(m.clusterAddr)) {
        managers.add(m.clusterAddr);
      }
    }
    EventLoopGroup loop = transportLoop();
    NettyDispatcherTransport transport = new NettyDispatcherTransport(loop, TlsContexts.nettyManagerClient(creds));
    Node.Description description = NodeDescriptions.describe(opts.nodeName(), version, opts.engineLabels());
    Node self = new Node();
    self.description = description;
    // {{.Node.Hostname}}, {{.Task.Slot}} ... in hostnames, env and mounts, expanded here as swarmkit's agent does
    Executor inner = executor(opts, stores, clock);
    Executor executor = io.jswarm.worker.agent.SpecTemplates.expanding(inner, () -> {
      Agent a = agentRef.get();
      Node n = a == null ? null : a.node();
      return n != null && n.description != null ? n : self;
    });
    description.engine.missingFeatures = executor.missingFeatures().isEmpty() ? null
        : new java.util.TreeMap<>(executor.missingFeatures());
    description.engine.securityOptions = opts.securityOptions();
    description.tlsInfo = tlsInfo(creds);
    Agent agent = new Agent(managers, transport, executor, () -> {
      SessionRequest r = new SessionRequest();
      r.description = description;
      r.addr = s.advertiseAddr;
      r.clusterAddr = s.clusterAddr();
      return r;
    }, clock);
    agentRef.set(agent);
    agent.addNodeListener(onNode);
    agent.addStatusListener(new io.jswarm.worker.agent.ContainerEvents(stores.events(), clock));
    if (stores.networks() instanceof CompositeNetworking c) {
      agent.addNetworkListener(c.overlay()::onDispatcherMessage); // remote endpoints, data path port, underlay
    }
    if (stores.discovery() != null) {
      agent.addNetworkListener(stores.discovery()::onDispatcherMessage); // service records
    }
    agent.start();
    WorkerRole w = new WorkerRole(agent, transport, loop, executor);
    w.containers = inner instanceof io.jswarm.worker.container.ContainerExecutor ce ? ce.local() : null;
    w.nodeServer = nodeServer;
    return w;
  }

  /**
   * Docker's node {@code TLSInfo} for this node's certificate: the roots it trusts, and the subject and public key
   * of the CA that signed it (the leader ends a root rotation once every node reports the new root's key here).
   */
  static io.jswarm.api.types.TLSInfo tlsInfo(NodeCredentials creds) {
    io.jswarm.api.types.TLSInfo t = new io.jswarm.api.types.TLSInfo();
    t.trustRoot = creds.trustedRootsPem();
    t.certIssuerSubject = java.util.Base64.getEncoder()
        .encodeToString(creds.certificate().getIssuerX500Principal().getEncoded());
    t.certIssuerPublicKey = creds.issuerPublicKey();
    return t;
  }

  /**
   * What the container executor works with: the node's image store, task networking and local volumes; the routing
   * mesh (null without real networking) and service discovery (null with the simulated executor).
   */
  record Stores(ImageProvider images, TaskNetworking networks, VolumeProvider volumes, RoutingMesh mesh,
      ServiceDiscovery discovery, java.util.function.Consumer<io.jswarm.api.types.EventMessage> events) {}

  /** The executor {@code --executor} names: containers under {@code --runtime}, or the simulated one. */
  static Executor executor(DaemonOptions opts, Stores stores, Clock clock) throws IOException {
    if (opts.executor().equals("simulated")) {
      return new SimulatedExecutor();
    }
    ContainerConfig config = new ContainerConfig(opts.dataRoot(), opts.execRoot(), opts.cgroupParent(),
        opts.runtime()).withUserns(opts.userns());
    return new ContainerExecutor(config, stores.images(), stores.networks(), stores.volumes(), clock,
        stores.discovery() == null ? null : stores.discovery().containers());
  }

  /** Stops the agent and removes every task's container on this node (the node leaves the swarm). */
  void removeAllTasks() {
    agent.close();
    try {
      executor.retainOnly(java.util.Set.of());
    } catch (RuntimeException e) {
      LOG.warn("could not remove every container while leaving the swarm: {}", e.toString());
    }
  }

  /** The roots to trust now as the open session's dispatcher says, or null (see {@link Agent#rootsDigest}). */
  String rootsDigest() {
    return agent.rootsDigest();
  }

  /** Managers the agent knows now (kept in {@link NodeState} so a restarted node finds the cluster again). */
  List<String> managers() {
    return agent.managers();
  }

  /** Stops serving the node routes (a promotion hands the cluster port to the manager's server). Idempotent. */
  /** This node's task containers as the Docker API shows them (null with the simulated executor). */
  private volatile io.jswarm.worker.container.LocalContainers containers;

  io.jswarm.worker.container.LocalContainers containers() {
    return containers;
  }

  /** The executor that runs this node's tasks. */
  Executor executor() {
    return executor;
  }

  void closeNodeServer() {
    HttpServer ns = nodeServer;
    nodeServer = null;
    if (ns != null) {
      ns.close();
    }
  }

  @Override
  public void close() {
    agent.close();
    transport.close();
    transportLoop.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
    closeNodeServer();
    executor.close();
  }
}
