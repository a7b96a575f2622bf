package io.jswarm.manager.dispatcher;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.IngressView;
import io.jswarm.api.dispatcher.NetworkEndpoints;
import io.jswarm.api.dispatcher.StatusRequest;
import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.ReadTx;
import io.jswarm.consensus.store.Tables;
import io.jswarm.consensus.store.Watch;
import io.jswarm.consensus.store.WatchedView;
import io.jswarm.transport.http.StreamSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's state for one leadership term: sessions, heartbeat deadlines, the store watch and the
 * queued task statuses. Made by {@link Dispatcher#start}, thrown away by {@link Dispatcher#stop}, so nothing of
 * an old term leaks into the next one.
 *
 * <p>Threads: {@code dispatcher-events} owns the sessions and handles, in order, store events (forwarded by the
 * {@code dispatcher-watch} thread), session registrations and deadline checks; {@code dispatcher-status} writes
 * queued task statuses. Heartbeat handlers only touch the concurrent {@link #deadlines} and {@link #sessions}.
 */
final class LeaderTerm {
  private static final Logger log = LoggerFactory.getLogger(LeaderTerm.class);
  private static final long WATCH_POLL_MS = 200;
  /** Added to the grace ready nodes get when a leader starts: time for agents to find the new leader. */
  static final Duration LEADER_CHANGE_EXTRA_GRACE = Duration.ofSeconds(10);

  private final MemoryStore store;
  private final Clock clock;
  private final Supplier<List<DispatcherMessage.Manager>> managers;
  private final Consumer<String> markDown;

  private final ScheduledExecutorService events;
  private final ScheduledExecutorService statusWriter;
  private volatile Thread watchThread;
  private volatile Watch watch;
  private volatile boolean ended;

  /** Open sessions by id (read by handler threads; written on the events thread). */
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  /** The open session of each node; events thread only. */
  private final Map<String, Session> byNode = new HashMap<>();
  /** When each node is down unless it heartbeats again. */
  private final Map<String, Instant> deadlines = new ConcurrentHashMap<>();
  /** Latest reported status per task, with the reporting node, waiting for the next batch. */
  private final Map<String, Queued> queued = new ConcurrentHashMap<>();
  /** Changes of the store batch being read, per session; sent at the batch's commit event. */
  private final Map<Session, Changes> outgoing = new LinkedHashMap<>();
  private volatile long periodNanos = Dispatcher.DEFAULT_HEARTBEAT_PERIOD.toNanos();
  private volatile long dataPathPort = DEFAULT_DATA_PATH_PORT;
  /** The swarm's VXLAN port when {@code Swarm.DataPathPort} is not set. */
  static final long DEFAULT_DATA_PATH_PORT = 4789;

  // Overlay endpoints (events thread; rebuilt with every watch): what each node must know of the other nodes.
  /** Network id -> task id -> the task's endpoint on it. */
  private final Map<String, Map<String, Endpoint>> endpoints = new HashMap<>();
  /** Task id -> networks it has an endpoint on. */
  private final Map<String, Set<String>> taskNetworks = new HashMap<>();
  /** Node id -> underlay address (the host part of {@code Node.Status.Addr}). */
  private final Map<String, String> nodeAddrs = new HashMap<>();
  /** Networks whose endpoints changed in the store batch being read. */
  private final Set<String> dirtyNetworks = new LinkedHashSet<>();

  /** What the routing mesh of each node needs (events thread). */
  private final IngressFeed ingress = new IngressFeed();
  /** Service discovery records per overlay network (events thread; rebuilt with every watch). */
  private final ServiceRecordFeed records = new ServiceRecordFeed();
  /** The secrets and configs each node's tasks reference (events thread; rebuilt with every watch). */
  private final DependencyFeed dependencies = new DependencyFeed();
  /** Index of the last store batch the events thread has read completely. */
  private long readIndex = -1;

  /** A task's place on an overlay network, as the store has it. */
  private record Endpoint(String taskId, String nodeId, Integer vni, String addr) {}
  private String lastManagers;

  private record Queued(String nodeId, Task.TaskStatus status) {}

  /** Upserts and removals for one session, collapsed within one store batch. */
  private static final class Changes {
    final Map<String, Task> upserts = new LinkedHashMap<>();
    final LinkedHashSet<String> removed = new LinkedHashSet<>();
  }

  private static final class Session {
    final String id;
    final String nodeId;
    final StreamSink sink;
    /** Store index of the full assignment set; later events only. -1 until registered. */
    long index = -1;
    /** The remote endpoints last sent, per network the node is on. */
    final Map<String, Map<String, NetworkEndpoints.Endpoint>> sentEndpoints = new HashMap<>();
    /** The ingress view last sent (JSON), null before the first. */
    String sentIngress;
    /** The service records last sent. */
    final ServiceRecordFeed.Sent sentRecords = new ServiceRecordFeed.Sent();
    /** The secrets and configs last sent. */
    final DependencyFeed.Sent sentDependencies = new DependencyFeed.Sent();

    Session(String id, String nodeId, StreamSink sink) {
      this.id = id;
      this.nodeId = nodeId;
      this.sink = sink;
    }

    void send(DispatcherMessage m) {
      sink.send(Dispatcher.line(m));
    }
  }

  private LeaderTerm(MemoryStore store, Clock clock, Supplier<List<DispatcherMessage.Manager>> managers,
      Consumer<String> markDown) {
    this.store = store;
    this.clock = clock;
    this.managers = managers;
    this.markDown = markDown;
    this.events = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "dispatcher-events"));
    this.statusWriter = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "dispatcher-status"));
    this.watchThread = daemon(this::forwardEvents, "dispatcher-watch");
  }

  static LeaderTerm begin(MemoryStore store, Clock clock, Supplier<List<DispatcherMessage.Manager>> managers,
      Consumer<String> markDown) {
    LeaderTerm t = new LeaderTerm(store, clock, managers, markDown);
    List<String> ready = t.openWatch();
    // After a leader change the agents first retry the old leader with backoff (up to Agent.MAX_BACKOFF) before
    // they reach this one: ready nodes get that much more than the usual grace
    Instant deadline = clock.instant().plus(t.grace()).plus(LEADER_CHANGE_EXTRA_GRACE);
    for (String id : ready) {
      t.deadlines.put(id, deadline);
    }
    long tick = Dispatcher.TICK_INTERVAL.toMillis();
    t.events.scheduleWithFixedDelay(t::checkDeadlines, tick, tick, TimeUnit.MILLISECONDS);
    t.statusWriter.scheduleWithFixedDelay(t::flushStatuses, tick, tick, TimeUnit.MILLISECONDS);
    t.watchThread.start();
    log.info("dispatcher started: {} ready nodes get a grace of {}", ready.size(),
        t.grace().plus(LEADER_CHANGE_EXTRA_GRACE));
    return t;
  }

  /** Opens the store watch; returns the nodes that are ready now. */
  private List<String> openWatch() {
    WatchedView<List<String>> wv = store.viewAndWatch(tx -> {
      readPeriod(tx);
      List<String> ready = new ArrayList<>();
      endpoints.clear();
      taskNetworks.clear();
      nodeAddrs.clear();
      dirtyNetworks.clear();
      for (Node n : tx.nodes().all()) {
        if (n.status != null && "ready".equals(n.status.state)) {
          ready.add(n.id);
        }
        nodeAddrs.put(n.id, underlayAddr(n));
        indexNodeEndpoint(n, null);
      }
      records.clear();
      dependencies.clear();
      readIndex = tx.index();
      for (Network n : tx.networks().all()) {
        records.networkChanged(n.id, n);
      }
      for (Service sv : tx.services().all()) {
        records.serviceChanged(sv.id, sv);
      }
      for (Task t : tx.tasks().all()) {
        indexEndpoints(t);
        records.taskChanged(t.id, t);
        dependencies.taskChanged(t.id, t);
      }
      dependencies.clearDirty();
      ingress.reset(tx);
      dirtyNetworks.clear();
      records.clearDirty();
      return ready;
    }, LeaderTerm::relevant);
    watch = wv.watch();
    return wv.snapshot();
  }

  private static boolean relevant(Event e) {
    if (e.isIn(Tables.TASKS)) {
      return (e.object() != null && ((Task) e.object()).nodeId != null)
          || (e.old() != null && ((Task) e.old()).nodeId != null);
    }
    return e.isIn(Tables.NODES) || e.isIn(Tables.CLUSTER) || e.isIn(Tables.SERVICES) || e.isIn(Tables.NETWORKS);
  }

  private void readPeriod(ReadTx tx) {
    Swarm s = tx.cluster().byName(Swarm.DEFAULT_NAME);
    if (s == null) {
      List<Swarm> all = tx.cluster().all();
      s = all.isEmpty() ? null : all.get(0);
    }
    updatePeriod(s);
  }

  private void updatePeriod(Swarm s) {
    Long p = s == null || s.spec == null || s.spec.dispatcher == null ? null : s.spec.dispatcher.heartbeatPeriod;
    periodNanos = p == null || p <= 0 ? Dispatcher.DEFAULT_HEARTBEAT_PERIOD.toNanos() : p;
    Long port = s == null ? null : s.dataPathPort;
    dataPathPort = port == null || port <= 0 ? DEFAULT_DATA_PATH_PORT : port;
  }

  Duration grace() {
    return Duration.ofNanos(periodNanos).multipliedBy(Dispatcher.GRACE_MULTIPLIER);
  }

  void end(Duration timeout) {
    ended = true;
    Watch w = watch;
    if (w != null) {
      w.close();
    }
    watchThread.interrupt();
    for (Session s : sessions.values()) {
      s.sink.close();
    }
    events.shutdownNow();
    statusWriter.shutdownNow();
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      watchThread.join(timeout.toMillis());
      events.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      statusWriter.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Sessions registered while stopping.
    for (Session s : sessions.values()) {
      s.sink.close();
    }
    sessions.clear();
    log.info("dispatcher stopped");
  }

  // ---- called by handlers ----

  boolean hasSession(String sessionId, String nodeId) {
    Session s = sessions.get(sessionId);
    return s != null && s.nodeId.equals(nodeId);
  }

  int sessionCount() {
    return sessions.size();
  }

  /** Extends the node's deadline; returns the period for the next heartbeat (ns). */
  long heartbeat(String nodeId) {
    deadlines.put(nodeId, clock.instant().plus(grace()));
    return periodNanos;
  }

  /** Opens a session on the stream the server just started; the work happens on the events thread. */
  void open(String sessionId, String nodeId, StreamSink sink) {
    Session s = new Session(sessionId, nodeId, sink);
    if (!runOnEvents(() -> register(s))) {
      sink.close();
      return;
    }
    sink.onClose(() -> runOnEvents(() -> unregister(s)));
  }

  void queueStatuses(String nodeId, List<StatusRequest.Update> updates) {
    for (StatusRequest.Update u : updates) {
      queued.merge(u.taskId, new Queued(nodeId, u.status),
          (old, now) -> old.status.state.canMoveTo(now.status.state) ? now : old);
    }
    if (queued.size() >= Dispatcher.MAX_STATUS_BATCH) {
      try {
        statusWriter.execute(this::flushStatuses);
      } catch (RejectedExecutionException stopped) {
        // the term ended; agents report again to the next leader
      }
    }
  }

  CompletableFuture<Void> tick() {
    CompletableFuture<Void> deadlinesChecked = new CompletableFuture<>();
    CompletableFuture<Void> flushed = new CompletableFuture<>();
    try {
      events.execute(() -> complete(deadlinesChecked, this::checkDeadlines));
      statusWriter.execute(() -> complete(flushed, this::flushStatuses));
    } catch (RejectedExecutionException stopped) {
      return CompletableFuture.completedFuture(null);
    }
    return CompletableFuture.allOf(deadlinesChecked, flushed);
  }

  private static void complete(CompletableFuture<Void> f, Runnable r) {
    try {
      r.run();
      f.complete(null);
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
  }

  private boolean runOnEvents(Runnable r) {
    try {
      events.execute(r);
      return true;
    } catch (RejectedExecutionException stopped) {
      return false;
    }
  }

  // ---- events thread ----

  private void register(Session s) {
    if (!s.sink.isOpen() || ended) {
      return;
    }
    Session old = byNode.put(s.nodeId, s);
    if (old != null) {
      sessions.remove(old.id);
      old.sink.close();
    }
    sessions.put(s.id, s);
    deadlines.put(s.nodeId, clock.instant().plus(grace()));
    record Snapshot(long index, Node node, List<Task> tasks, DispatcherMessage dependencies) {}
    Snapshot snap = store.viewStale(tx -> {
      List<Task> tasks = new ArrayList<>();
      for (Task t : tx.tasks().find(Tables.BY_NODE, s.nodeId)) {
        if (s.nodeId.equals(visibleNode(t))) {
          tasks.add(t);
        }
      }
      DependencyFeed.Delta need = DependencyFeed.needsOf(tasks);
      s.sentDependencies.secrets.addAll(need.addSecrets());
      s.sentDependencies.configs.addAll(need.addConfigs());
      return new Snapshot(tx.index(), tx.nodes().get(s.nodeId), tasks, dependencyMessage(tx, true, need));
    });
    s.index = snap.index;
    s.send(DispatcherMessage.session(s.id, periodNanos, currentManagers(), snap.node, dataPathPort));
    // Always, even when empty: the agent drops what an earlier session sent. Before the tasks that need them.
    s.send(snap.dependencies);
    s.send(DispatcherMessage.fullAssignments(snap.tasks));
    List<NetworkEndpoints> all = new ArrayList<>();
    for (String net : endpoints.keySet()) {
      NetworkEndpoints ne = endpointChanges(s, net);
      if (ne != null) {
        all.add(ne);
      }
    }
    if (!all.isEmpty()) {
      // Nothing to say when the node is on no overlay network: its agent drops what an earlier session sent with
      // the sandboxes (each network it joins later comes as a full list).
      s.send(DispatcherMessage.endpoints(true, all));
    }
    sendIngress(s);
    // Always, even when empty: the agent drops records an earlier session sent for networks not listed.
    s.send(DispatcherMessage.services(true, records.full(s.nodeId, s.sentRecords)));
    log.debug("session {} opened for node {} with {} tasks", s.id, s.nodeId, snap.tasks.size());
  }

  private void unregister(Session s) {
    sessions.remove(s.id, s);
    byNode.remove(s.nodeId, s);
    outgoing.remove(s);
  }

  private void handle(Event e) {
    if (e.isCommit()) {
      readIndex = e.index();
      sendDependencies(); // before the assignments that need them
      sendOutgoing();
      sendEndpoints();
      sendIngress();
      sendRecords();
    } else if (e.isIn(Tables.TASKS)) {
      taskChanged(e);
      indexEndpoints(e.kind() == Event.Kind.DELETE ? null : (Task) e.object(),
          e.kind() == Event.Kind.DELETE ? ((Task) e.object()).id : null);
      ingress.onEvent(e);
      records.taskChanged(e.object().id, e.kind() == Event.Kind.DELETE ? null : (Task) e.object());
      dependencies.taskChanged(e.object().id, e.kind() == Event.Kind.DELETE ? null : (Task) e.object());
    } else if (e.isIn(Tables.SERVICES)) {
      records.serviceChanged(e.object().id, e.kind() == Event.Kind.DELETE ? null : (Service) e.object());
      ingress.onEvent(e);
    } else if (e.isIn(Tables.NETWORKS)) {
      records.networkChanged(e.object().id, e.kind() == Event.Kind.DELETE ? null : (Network) e.object());
    } else if (e.isIn(Tables.NODES)) {
      nodeAddrChanged(e);
      nodeChanged(e);
      indexNodeEndpoint(e.kind() == Event.Kind.DELETE ? null : (Node) e.object(), ((Node) e.object()).id);
      ingress.onEvent(e);
    } else if (e.isIn(Tables.CLUSTER) && e.kind() != Event.Kind.DELETE) {
      updatePeriod((Swarm) e.object());
    }
  }

  private void taskChanged(Event e) {
    boolean deleted = e.kind() == Event.Kind.DELETE;
    Task now = deleted ? null : (Task) e.object();
    Task before = deleted ? (Task) e.object() : (Task) e.old();
    String nowNode = visibleNode(now);
    String beforeNode = visibleNode(before);
    if (beforeNode != null && !beforeNode.equals(nowNode)) {
      Changes c = changesFor(beforeNode, e.index());
      if (c != null) {
        c.upserts.remove(before.id);
        c.removed.add(before.id);
      }
    }
    if (nowNode == null) {
      return;
    }
    // States after assigned are the agent's own reports: echoing them back changes nothing on the node.
    if (nowNode.equals(beforeNode) && now.status.state.number() > TaskState.ASSIGNED.number()
        && equalIgnoringStatus(before, now)) {
      return;
    }
    Changes c = changesFor(nowNode, e.index());
    if (c != null) {
      c.removed.remove(now.id);
      c.upserts.put(now.id, now);
    }
  }

  private void nodeChanged(Event e) {
    Node n = (Node) e.object();
    Session s = byNode.get(n.id);
    if (e.kind() == Event.Kind.DELETE) {
      deadlines.remove(n.id);
      if (s != null) {
        log.info("node {} was removed: closing its session", n.id);
        closeSession(s);
      }
      return;
    }
    Node old = (Node) e.old();
    if (s != null && s.index >= 0 && e.index() > s.index
        && (old == null || !sameJson(old.spec, n.spec))) {
      s.send(DispatcherMessage.node(n));
    }
  }

  private Changes changesFor(String nodeId, long index) {
    Session s = byNode.get(nodeId);
    if (s == null || s.index < 0 || index <= s.index) {
      return null; // no session, or its full set already has this change
    }
    return outgoing.computeIfAbsent(s, k -> new Changes());
  }

  private void sendOutgoing() {
    for (Map.Entry<Session, Changes> en : outgoing.entrySet()) {
      Changes c = en.getValue();
      en.getKey().send(DispatcherMessage.incrementalAssignments(new ArrayList<>(c.upserts.values()),
          new ArrayList<>(c.removed)));
    }
    outgoing.clear();
  }

  // ---- secrets and configs (events thread) ----

  /**
   * Sends each node whose needs changed in the batch just read the secrets and configs it now needs and withdraws the
   * ones it does not. A session whose full set was taken at a later index than what the events thread has read waits
   * (its node stays dirty), so that it is never told to drop what its snapshot gave it.
   */
  private void sendDependencies() {
    if (!dependencies.hasDirty()) {
      return;
    }
    for (java.util.Iterator<String> it = dependencies.dirtyNodes().iterator(); it.hasNext(); ) {
      String nodeId = it.next();
      Session s = byNode.get(nodeId);
      if (s == null || s.index < 0) {
        it.remove();
        continue;
      }
      if (s.index > readIndex) {
        continue;
      }
      it.remove();
      DependencyFeed.Delta d = dependencies.delta(nodeId, s.sentDependencies);
      if (!d.isEmpty()) {
        s.send(store.viewStale(tx -> dependencyMessage(tx, false, d)));
      }
    }
  }

  /** The message for {@code d}, with the payloads of what it adds (a secret or config deleted meanwhile is left out). */
  private static DispatcherMessage dependencyMessage(ReadTx tx, boolean full, DependencyFeed.Delta d) {
    List<io.jswarm.api.types.Secret> secrets = new ArrayList<>();
    for (String id : d.addSecrets()) {
      io.jswarm.api.types.Secret x = tx.secrets().get(id);
      if (x != null) {
        secrets.add(x);
      }
    }
    List<io.jswarm.api.types.Config> configs = new ArrayList<>();
    for (String id : d.addConfigs()) {
      io.jswarm.api.types.Config x = tx.configs().get(id);
      if (x != null) {
        configs.add(x);
      }
    }
    return DispatcherMessage.dependencies(full, secrets, configs, d.removeSecrets(), d.removeConfigs());
  }

  // ---- overlay endpoints (events thread) ----

  private void indexEndpoints(Task t) {
    indexEndpoints(t, null);
  }

  /** Re-reads the endpoints of task {@code now} (or drops those of the deleted task {@code deletedId}). */
  private void indexEndpoints(Task now, String deletedId) {
    String id = now != null ? now.id : deletedId;
    Set<String> had = taskNetworks.remove(id);
    if (had != null) {
      for (String net : had) {
        Map<String, Endpoint> eps = endpoints.get(net);
        if (eps != null && eps.remove(id) != null) {
          dirtyNetworks.add(net);
          if (eps.isEmpty()) {
            endpoints.remove(net);
          }
        }
      }
    }
    String node = visibleNode(now);
    if (node == null || now.status.state.number() > TaskState.RUNNING.number() || now.networksAttachments == null) {
      return; // not (or no longer) on a node, or stopped there: its address may already be someone else's
    }
    Set<String> nets = new LinkedHashSet<>();
    for (NetworkAttachment a : now.networksAttachments) {
      if (a == null || a.network == null || a.network.id == null || a.addresses == null || a.addresses.isEmpty()) {
        continue;
      }
      String ip = a.addresses.get(0).split("/")[0];
      endpoints.computeIfAbsent(a.network.id, k -> new LinkedHashMap<>())
          .put(id, new Endpoint(id, node, vniOf(a), ip));
      nets.add(a.network.id);
      dirtyNetworks.add(a.network.id);
    }
    if (!nets.isEmpty()) {
      taskNetworks.put(id, nets);
    }
  }

  /** The endpoint key of a node's own ingress address (its routing-mesh sandbox). */
  static String nodeEndpointKey(String nodeId) {
    return "ingress-sbox." + nodeId;
  }

  /**
   * Re-reads node {@code now}'s own addresses ({@code Node.Attachments}, the ingress sandbox), or drops those of the
   * deleted node {@code id}: they are endpoints like tasks', so every node on the network (every node, for ingress)
   * can reach the sandbox, and replies from tasks on other nodes find their way back.
   */
  private void indexNodeEndpoint(Node now, String id) {
    String nodeId = now != null ? now.id : id;
    String key = nodeEndpointKey(nodeId);
    Set<String> had = taskNetworks.remove(key);
    if (had != null) {
      for (String net : had) {
        Map<String, Endpoint> eps = endpoints.get(net);
        if (eps != null && eps.remove(key) != null) {
          dirtyNetworks.add(net);
          if (eps.isEmpty()) {
            endpoints.remove(net);
          }
        }
      }
    }
    if (now == null || now.attachments == null) {
      return;
    }
    Set<String> nets = new LinkedHashSet<>();
    for (NetworkAttachment a : now.attachments) {
      if (a == null || a.network == null || a.network.id == null || a.addresses == null || a.addresses.isEmpty()) {
        continue;
      }
      String ip = a.addresses.get(0).split("/")[0];
      endpoints.computeIfAbsent(a.network.id, k -> new LinkedHashMap<>())
          .put(key, new Endpoint(key, nodeId, vniOf(a), ip));
      nets.add(a.network.id);
      dirtyNetworks.add(a.network.id);
    }
    if (!nets.isEmpty()) {
      taskNetworks.put(key, nets);
    }
  }

  /** Sends every session whose ingress view changed in the batch just committed its new view. */
  private void sendIngress() {
    if (!ingress.dirty()) {
      return;
    }
    ingress.clean();
    for (Session s : byNode.values()) {
      if (s.index >= 0) {
        sendIngress(s);
      }
    }
  }

  /**
   * Sends session {@code s} its ingress view when it differs from the last one sent; a node that lost its ingress
   * address gets an empty view (its mesh goes).
   */
  private void sendIngress(Session s) {
    IngressView v = ingress.viewFor(s.nodeId);
    if (v == null && s.sentIngress == null) {
      return;
    }
    if (v == null) {
      v = new IngressView();
    }
    String json = Json.toString(v);
    if (!json.equals(s.sentIngress)) {
      s.sentIngress = json;
      s.send(DispatcherMessage.ingress(v));
    }
  }

  private void nodeAddrChanged(Event e) {
    Node n = (Node) e.object();
    String addr = e.kind() == Event.Kind.DELETE ? null : underlayAddr(n);
    String before = e.kind() == Event.Kind.DELETE ? nodeAddrs.remove(n.id) : nodeAddrs.put(n.id, addr);
    if (!Objects.equals(before, addr)) {
      for (Map.Entry<String, Map<String, Endpoint>> en : endpoints.entrySet()) {
        if (en.getValue().values().stream().anyMatch(ep -> ep.nodeId.equals(n.id))) {
          dirtyNetworks.add(en.getKey());
        }
      }
    }
  }

  /** Sends every session what changed in the networks touched by the batch just committed. */
  private void sendEndpoints() {
    if (dirtyNetworks.isEmpty()) {
      return;
    }
    for (Session s : byNode.values()) {
      if (s.index < 0) {
        continue;
      }
      List<NetworkEndpoints> changes = new ArrayList<>();
      for (String net : dirtyNetworks) {
        NetworkEndpoints ne = endpointChanges(s, net);
        if (ne != null) {
          changes.add(ne);
        }
      }
      if (!changes.isEmpty()) {
        s.send(DispatcherMessage.endpoints(false, changes));
      }
    }
    dirtyNetworks.clear();
  }

  /** Sends every session the service records that changed in the batch just committed (see {@link ServiceRecordFeed}). */
  private void sendRecords() {
    if (!records.hasDirty()) {
      return;
    }
    for (Session s : byNode.values()) {
      if (s.index < 0) {
        continue;
      }
      List<io.jswarm.api.dispatcher.NetworkServices> changes = records.changes(s.nodeId, s.sentRecords);
      if (!changes.isEmpty()) {
        s.send(DispatcherMessage.services(false, changes));
      }
    }
    records.clearDirty();
  }

  /**
   * What session {@code s} must be told about network {@code net}, given what it was sent before (which this
   * updates): all of it when the node just joined the network (an endpoint of its own appeared), an empty full list
   * when it left, else the endpoints added or changed and those removed; null when nothing changed.
   */
  private NetworkEndpoints endpointChanges(Session s, String net) {
    Map<String, Endpoint> eps = endpoints.getOrDefault(net, Map.of());
    Map<String, NetworkEndpoints.Endpoint> want = null;
    Integer vni = null;
    if (eps.values().stream().anyMatch(ep -> ep.nodeId.equals(s.nodeId))) {
      want = new LinkedHashMap<>();
      for (Endpoint ep : eps.values()) {
        vni = vni == null ? ep.vni : vni;
        String nodeAddr = nodeAddrs.get(ep.nodeId);
        if (!ep.nodeId.equals(s.nodeId) && nodeAddr != null) {
          want.put(ep.taskId, new NetworkEndpoints.Endpoint(ep.taskId, ep.addr, NetworkEndpoints.macOf(ep.addr),
              nodeAddr));
        }
      }
    }
    Map<String, NetworkEndpoints.Endpoint> sent = s.sentEndpoints.get(net);
    if (want == null) {
      if (sent == null) {
        return null;
      }
      s.sentEndpoints.remove(net);
      return new NetworkEndpoints(net, null, true, List.of(), List.of());
    }
    s.sentEndpoints.put(net, want);
    if (sent == null) {
      return new NetworkEndpoints(net, vni, true, new ArrayList<>(want.values()), List.of());
    }
    List<NetworkEndpoints.Endpoint> upserts = new ArrayList<>();
    for (NetworkEndpoints.Endpoint ep : want.values()) {
      if (!ep.equals(sent.get(ep.taskId))) {
        upserts.add(ep);
      }
    }
    List<String> removed = new ArrayList<>();
    for (String id : sent.keySet()) {
      if (!want.containsKey(id)) {
        removed.add(id);
      }
    }
    return upserts.isEmpty() && removed.isEmpty() ? null : new NetworkEndpoints(net, vni, false, upserts, removed);
  }

  private static Integer vniOf(NetworkAttachment a) {
    Map<String, String> o = a.network.driverState == null ? null : a.network.driverState.options;
    String v = o == null ? null : o.get("com.docker.network.driver.overlay.vxlanid_list");
    try {
      return v == null ? null : Integer.valueOf(v.split(",")[0].trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The host part of {@code Node.Status.Addr} ({@code host}, {@code host:port} or {@code [v6]:port}), or null. */
  static String underlayAddr(Node n) {
    String a = n == null || n.status == null ? null : n.status.addr;
    if (a == null || a.isBlank()) {
      return null;
    }
    a = a.trim();
    if (a.startsWith("[")) {
      return a.substring(1, a.indexOf(']'));
    }
    int colon = a.indexOf(':');
    return colon >= 0 && a.indexOf(':', colon + 1) < 0 ? a.substring(0, colon) : a;
  }

  private void checkDeadlines() {
    Instant now = clock.instant();
    List<String> expired = new ArrayList<>();
    for (Iterator<Map.Entry<String, Instant>> it = deadlines.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Instant> en = it.next();
      if (now.isAfter(en.getValue())) {
        if (deadlines.remove(en.getKey(), en.getValue())) {
          expired.add(en.getKey());
        }
      }
    }
    for (String nodeId : expired) {
      Session s = byNode.get(nodeId);
      if (s != null) {
        closeSession(s);
      }
      log.info("node {} missed {} heartbeats: marking it down", nodeId, Dispatcher.GRACE_MULTIPLIER);
      try {
        markDown.accept(nodeId);
      } catch (RuntimeException ex) {
        log.warn("cannot mark node {} down: {}", nodeId, ex.getMessage());
      }
    }
    String m = Json.toString(currentManagers());
    if (lastManagers != null && !lastManagers.equals(m)) {
      for (Session s : byNode.values()) {
        if (s.index >= 0) {
          s.send(DispatcherMessage.session(s.id, periodNanos, currentManagers(), null));
        }
      }
    }
    lastManagers = m;
  }

  private void closeSession(Session s) {
    unregister(s);
    s.sink.close();
  }

  private List<DispatcherMessage.Manager> currentManagers() {
    List<DispatcherMessage.Manager> m = managers.get();
    return m == null ? List.of() : m;
  }

  /** Forwards store events to the events thread, in order; reopens the watch if the store replaced its state. */
  private void forwardEvents() {
    while (!ended) {
      try {
        Event e = watch.poll(WATCH_POLL_MS, TimeUnit.MILLISECONDS);
        if (e != null) {
          if (!runOnEvents(() -> handle(e))) {
            return;
          }
        } else if (watch.isClosed() && !ended) {
          log.warn("dispatcher watch ended ({}): resyncing every session", watch.closedReason());
          runOnEvents(this::resync);
          return;
        }
      } catch (InterruptedException ie) {
        return;
      }
    }
  }

  /** After the store state was replaced: a fresh watch, and every agent reconnects for a full set. */
  private void resync() {
    if (ended) {
      return;
    }
    openWatch();
    for (Session s : new ArrayList<>(byNode.values())) {
      closeSession(s);
    }
    outgoing.clear();
    watchThread = daemon(this::forwardEvents, "dispatcher-watch");
    watchThread.start();
  }

  // ---- status thread ----

  /** Writes queued statuses in batches of {@link Dispatcher#MAX_STATUS_BATCH}, forward moves only. */
  private void flushStatuses() {
    while (!queued.isEmpty() && !ended) {
      Map<String, Queued> batch = new LinkedHashMap<>();
      for (Iterator<String> it = queued.keySet().iterator(); it.hasNext() && batch.size() < Dispatcher.MAX_STATUS_BATCH; ) {
        String id = it.next();
        Queued q = queued.remove(id);
        if (q != null) {
          batch.put(id, q);
        }
      }
      writeStatuses(batch);
    }
  }

  private void writeStatuses(Map<String, Queued> batch) {
    for (int attempt = 1; ; attempt++) {
      try {
        int written = store.update(tx -> {
          int n = 0;
          for (Map.Entry<String, Queued> en : batch.entrySet()) {
            Task t = tx.tasks().get(en.getKey());
            Queued q = en.getValue();
            if (t == null || !q.nodeId.equals(t.nodeId)) {
              continue; // deleted, or moved to another node meanwhile
            }
            TaskState cur = t.status == null || t.status.state == null ? TaskState.NEW : t.status.state;
            if (!cur.canMoveTo(q.status.state) || sameJson(q.status, t.status)) {
              continue;
            }
            t.status = q.status;
            tx.tasks().update(t);
            n++;
          }
          return n;
        });
        log.debug("wrote {} of {} task statuses", written, batch.size());
        return;
      } catch (ConflictException | NotFoundException e) {
        if (attempt >= Dispatcher.MAX_CONFLICT_RETRIES) {
          log.warn("dropping {} task statuses after {} conflicting writes: {}", batch.size(), attempt, e.getMessage());
          return;
        }
      } catch (RuntimeException e) {
        log.warn("cannot write {} task statuses: {}", batch.size(), e.getMessage());
        return;
      }
    }
  }

  // ---- helpers ----

  /** The node a task is assigned to as far as its agent is concerned (state at least assigned), or null. */
  static String visibleNode(Task t) {
    if (t == null || t.nodeId == null || t.nodeId.isEmpty() || t.status == null || t.status.state == null) {
      return null;
    }
    return t.status.state.number() >= TaskState.ASSIGNED.number() ? t.nodeId : null;
  }

  /** Same task apart from its version, timestamps and observed status. */
  static boolean equalIgnoringStatus(Task a, Task b) {
    return Json.toString(stable(a)).equals(Json.toString(stable(b)));
  }

  private static boolean sameJson(Object a, Object b) {
    return a == null ? b == null : b != null && Json.toString(a).equals(Json.toString(b));
  }

  private static Task stable(Task t) {
    Task c = Json.copy(t);
    c.version = null;
    c.updatedAt = null;
    c.status = null;
    return c;
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
