package io.jswarm.manager.dispatcher;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.NetworkEndpoints;
import io.jswarm.api.dispatcher.StatusRequest;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.Task;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher for one leadership term: the store watch and the threads, routing each store event to the parts
 * that each do one job. Made by {@link Dispatcher#start}, thrown away by {@link Dispatcher#stop}, so nothing of an
 * old term leaks into the next one.
 * <ul>
 *   <li>{@link Sessions}: open sessions and heartbeat deadlines;</li>
 *   <li>{@link AssignmentFeed}: each node's tasks, full set then per-batch increments;</li>
 *   <li>{@link EndpointFeed}: overlay endpoints of the other nodes;</li>
 *   <li>{@link ServiceRecordFeed}: service discovery and the routing mesh (the ingress network's records);</li>
 *   <li>{@link StatusWriter}: reported task statuses, written in batches.</li>
 * </ul>
 *
 * <p>Threads: {@code dispatcher-events} owns the sessions and the feeds and handles, in order, store events
 * (forwarded by the {@code dispatcher-watch} thread), session registrations and deadline checks;
 * {@code dispatcher-status} writes queued task statuses. Heartbeat handlers only touch {@link Sessions}' concurrent
 * maps.
 */
final class LeaderTerm {
  private static final Logger log = LoggerFactory.getLogger(LeaderTerm.class);
  private static final long WATCH_POLL_MS = 200;
  /** The swarm's VXLAN port when {@code Swarm.DataPathPort} is not set. */
  static final long DEFAULT_DATA_PATH_PORT = 4789;

  private final MemoryStore store;
  private final Clock clock;
  private final Supplier<List<DispatcherMessage.Manager>> managers;
  private final Consumer<List<String>> markDown;

  private final ScheduledExecutorService events;
  private volatile Thread watchThread;
  private volatile Watch watch;
  private volatile boolean ended;
  /**
   * Sessions whose registration is queued on the events thread. When the term ends, the events thread's queue is
   * dropped: their streams are closed here, else each agent waited forever on an open stream that never said a word
   * (15 of 200 hollow nodes after a leader lost its term with their opens queued).
   */
  private final Set<Session> opening = ConcurrentHashMap.newKeySet();

  private final Sessions sessions;
  private final AssignmentFeed assignments;
  private final EndpointFeed endpoints = new EndpointFeed();
  /** Service discovery records per overlay network (also the routing mesh's: the ingress network). */
  private final ServiceRecordFeed records = new ServiceRecordFeed();
  private final StatusWriter statuses;
  /** The secrets and configs each node's tasks reference. */
  private final DependencyFeed dependencies = new DependencyFeed();
  /** The wait for the nodes that were ready when this term began (events thread). */
  private LeaderChangeGrace leaderChange;
  private boolean holdLogged;
  /** Index of the last store batch the events thread has read completely. */
  private long readIndex = -1;

  private volatile long periodNanos = Dispatcher.DEFAULT_HEARTBEAT_PERIOD.toNanos();
  private volatile long dataPathPort = DEFAULT_DATA_PATH_PORT;
  private String lastManagers;

  private LeaderTerm(MemoryStore store, Clock clock, Supplier<List<DispatcherMessage.Manager>> managers,
      Consumer<List<String>> markDown) {
    this.store = store;
    this.clock = clock;
    this.managers = managers;
    this.markDown = markDown;
    this.sessions = new Sessions(clock);
    this.assignments = new AssignmentFeed(sessions);
    this.statuses = new StatusWriter(store);
    this.events = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "dispatcher-events"));
    this.watchThread = daemon(this::forwardEvents, "dispatcher-watch");
  }

  static LeaderTerm begin(MemoryStore store, Clock clock, Supplier<List<DispatcherMessage.Manager>> managers,
      Consumer<List<String>> markDown) {
    LeaderTerm t = new LeaderTerm(store, clock, managers, markDown);
    List<String> ready = t.openWatch();
    // After a leader change the agents reach this one after random delays (the worker's ReconnectBackoff) and
    // perhaps a failed attempt or two while no leader was known: ready nodes get more than the usual grace, and are
    // not marked down while the others are still coming back (LeaderChangeGrace)
    LeaderChangeGrace lc = new LeaderChangeGrace(ready, clock.instant(), t.grace());
    t.leaderChange = lc;
    for (String id : ready) {
      t.sessions.deadline(id, lc.deadline());
    }
    long check = Dispatcher.DEADLINE_CHECK_INTERVAL.toMillis();
    t.events.scheduleWithFixedDelay(t::checkDeadlines, check, check, TimeUnit.MILLISECONDS);
    t.statuses.start(Dispatcher.TICK_INTERVAL);
    t.watchThread.start();
    log.info("dispatcher started: {} ready nodes get a grace of {} (longer while they keep coming back, at most {})",
        ready.size(), Duration.between(clock.instant(), lc.deadline()), LeaderChangeGrace.MAX_HOLD);
    return t;
  }

  /** Opens the store watch and loads every feed from its snapshot; returns the nodes that are ready now. */
  private List<String> openWatch() {
    WatchedView<List<String>> wv = store.viewAndWatch(tx -> {
      readPeriod(tx);
      List<String> ready = new ArrayList<>();
      endpoints.clear();
      records.clear();
      for (Node n : tx.nodes().all()) {
        if (n.status != null && "ready".equals(n.status.state)) {
          ready.add(n.id);
        }
        endpoints.loadNode(n);
        records.nodeChanged(n.id, n);
      }
      dependencies.clear();
      readIndex = tx.index();
      for (Network n : tx.networks().all()) {
        records.networkChanged(n.id, n);
      }
      for (Service sv : tx.services().all()) {
        records.serviceChanged(sv.id, sv);
      }
      // In place (no copy of every task under the store's lock at every leader change): the feeds only read them.
      tx.tasks().scanAll(t -> {
        endpoints.taskChanged(t, null);
        records.taskChanged(t.id, t);
        dependencies.taskChanged(t.id, t);
      });
      dependencies.clearDirty();
      endpoints.clearDirty();
      records.clearDirty();
      return ready;
    }, LeaderTerm::relevant, true); // the feeds only read the rows of events: no copy per event
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
    sessions.closeAll();
    events.shutdownNow();
    for (Session s : List.copyOf(opening)) { // their registrations were queued and are dropped
      opening.remove(s);
      s.sink.close();
    }
    statuses.stop();
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      watchThread.join(timeout.toMillis());
      events.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      statuses.awaitStopped(deadline - System.nanoTime());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Sessions registered while stopping.
    sessions.closeAll();
    sessions.clear();
    log.info("dispatcher stopped");
  }

  // ---- called by handlers ----

  boolean hasSession(String sessionId, String nodeId) {
    return sessions.has(sessionId, nodeId);
  }

  int sessionCount() {
    return sessions.count();
  }

  /** Extends the node's deadline; returns the period for the next heartbeat (ns). */
  long heartbeat(String nodeId) {
    sessions.heartbeat(nodeId, grace());
    return periodNanos;
  }

  /** Opens a session on the stream the server just started; the work happens on the events thread. */
  void open(String sessionId, String nodeId, StreamSink sink) {
    Session s = new Session(sessionId, nodeId, sink);
    opening.add(s);
    if (!runOnEvents(() -> register(s))) {
      opening.remove(s);
      sink.close();
      return;
    }
    sink.onClose(() -> runOnEvents(() -> unregister(s)));
  }

  void queueStatuses(String nodeId, List<StatusRequest.Update> updates) {
    statuses.queue(nodeId, updates);
  }

  CompletableFuture<Void> tick() {
    CompletableFuture<Void> deadlinesChecked = new CompletableFuture<>();
    CompletableFuture<Void> flushed = new CompletableFuture<>();
    if (!runOnEvents(() -> {
      CompletableFuture<Void> checked = checkDeadlines();
      // queued from the events thread, after the down marks of every earlier check (the periodic one too): when
      // the tick completes, those are written
      if (!statuses.execute(() -> complete(flushed, statuses::flush))) {
        flushed.complete(null);
      }
      checked.whenComplete((v, ex) -> deadlinesChecked.complete(null));
    })) {
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
    opening.remove(s);
    if (ended) {
      s.sink.close(); // the agent opens its next session with the next leader
      return;
    }
    if (!s.sink.isOpen()) {
      return;
    }
    AssignmentFeed.Full full = store.viewStale(tx -> AssignmentFeed.full(tx, s.nodeId));
    Node row = full.node();
    if (row != null && row.status != null && "down".equals(row.status.state)) {
      // Marked down after the open read the row ready (a deadline that expired meanwhile): the mark's event may have
      // come before this registration, so nothing else would end the session, and the node would stay down with a
      // live session (233 of 1,000 hollow nodes did). Ended, the agent opens another, which marks the node ready.
      log.info("node {} was marked down while its session opened: closing it (the agent reconnects)", s.nodeId);
      s.sink.close();
      return;
    }
    Session old = sessions.add(s, grace());
    if (old != null) {
      old.sink.close();
    }
    Instant now = clock.instant();
    if (leaderChange.returned(s.nodeId, now)) {
      log.info("every node ready when this leader started is back, after {}",
          Duration.between(leaderChange.start(), now));
    }
    s.index = full.index();
    s.send(DispatcherMessage.session(s.id, periodNanos, currentManagers(), full.node(), dataPathPort));
    // Always, even when empty (the agent drops what an earlier session sent), and before the tasks that need them.
    DependencyFeed.Delta need = DependencyFeed.needsOf(full.tasks());
    s.sentDependencies.secrets.addAll(need.addSecrets());
    s.sentDependencies.configs.addAll(need.addConfigs());
    s.send(store.viewStale(tx -> DependencyFeed.message(tx, true, need)));
    s.send(DispatcherMessage.fullAssignments(full.tasks()));
    List<NetworkEndpoints> eps = endpoints.full(s);
    if (!eps.isEmpty()) {
      // Nothing to say when the node is on no overlay network: its agent drops what an earlier session sent with
      // the sandboxes (each network it joins later comes as a full list).
      s.send(DispatcherMessage.endpoints(true, eps));
    }
    // Always, even when empty: the agent drops records an earlier session sent for networks not listed.
    s.send(DispatcherMessage.services(true, records.full(s.nodeId, s.sentRecords)));
    log.debug("session {} opened for node {} with {} tasks", s.id, s.nodeId, full.tasks().size());
  }

  private void unregister(Session s) {
    sessions.remove(s);
    assignments.forget(s);
  }

  private void closeSession(Session s) {
    unregister(s);
    s.sink.close();
  }

  private void handle(Event e) {
    boolean deleted = e.kind() == Event.Kind.DELETE;
    if (e.isCommit()) {
      readIndex = e.index();
      CommitFanout.dependencies(dependencies, sessions, store, readIndex); // before the assignments that need them
      assignments.flush();
      CommitFanout.endpoints(endpoints, sessions);
      CommitFanout.records(records, sessions);
    } else if (e.isIn(Tables.TASKS)) {
      assignments.taskChanged(e);
      Task t = (Task) e.object();
      endpoints.taskChanged(deleted ? null : t, deleted ? t.id : null);
      records.taskChanged(t.id, deleted ? null : t);
      dependencies.taskChanged(t.id, deleted ? null : t);
    } else if (e.isIn(Tables.SERVICES)) {
      records.serviceChanged(e.object().id, deleted ? null : (Service) e.object());
    } else if (e.isIn(Tables.NETWORKS)) {
      records.networkChanged(e.object().id, deleted ? null : (Network) e.object());
    } else if (e.isIn(Tables.NODES)) {
      Node n = (Node) e.object();
      endpoints.nodeChanged(n, deleted);
      if (deleted) {
        nodeRemoved(n.id);
      } else {
        assignments.nodeChanged(e);
        downWithSession(n, e.index());
      }
      records.nodeChanged(n.id, deleted ? null : n);
    } else if (e.isIn(Tables.CLUSTER) && !deleted) {
      updatePeriod((Swarm) e.object());
    }
  }

  /**
   * A node marked down by a write newer than its open session (a down mark the session open read stale, see
   * {@link Dispatcher}): the session ends, so that the agent opens a new one, which marks the node ready again.
   */
  private void downWithSession(Node n, long index) {
    Session s = sessions.ofNode(n.id);
    if (s != null && s.registered() && index > s.index && n.status != null && "down".equals(n.status.state)) {
      log.info("node {} was marked down while its session was open: closing it (the agent reconnects)", n.id);
      closeSession(s);
    }
  }

  private void nodeRemoved(String nodeId) {
    sessions.forgetDeadline(nodeId);
    leaderChange.forget(nodeId);
    Session s = sessions.ofNode(nodeId);
    if (s != null) {
      log.info("node {} was removed: closing its session", nodeId);
      closeSession(s);
    }
  }

  /**
   * Ends the sessions of nodes whose heartbeats stopped and has them marked down, in one write on the status thread
   * (the events thread never waits for Raft: with hundreds of nodes late at once under load, one blocking write per
   * node held it for minutes while sessions waited to register). Completes when the write is done.
   */
  private CompletableFuture<Void> checkDeadlines() {
    Instant now = clock.instant();
    List<String> expired = sessions.expire(now, id -> leaderChange.holds(id, now));
    if (!holdLogged && now.isAfter(leaderChange.deadline()) && leaderChange.missing() > 0) {
      holdLogged = true;
      log.info("{} node(s) ready when this leader started are not back after {}: marked down once none comes back "
          + "for {} (at most {} after the start)", leaderChange.missing(),
          Duration.between(leaderChange.start(), now), grace(), LeaderChangeGrace.MAX_HOLD);
    }
    for (String nodeId : expired) {
      Session s = sessions.ofNode(nodeId);
      if (s != null) {
        closeSession(s);
      }
      log.info("node {} missed {} heartbeats: marking it down", nodeId, Dispatcher.GRACE_MULTIPLIER);
    }
    CompletableFuture<Void> written = new CompletableFuture<>();
    if (expired.isEmpty() || !statuses.execute(() -> {
      try {
        markDown.accept(expired);
      } catch (RuntimeException ex) {
        log.warn("cannot mark {} node(s) down: {}", expired.size(), ex.getMessage());
      } finally {
        written.complete(null);
      }
    })) {
      written.complete(null);
    }
    String m = Json.toString(currentManagers());
    if (lastManagers != null && !lastManagers.equals(m)) {
      for (Session s : sessions.registered()) {
        s.send(DispatcherMessage.session(s.id, periodNanos, currentManagers(), null));
      }
    }
    lastManagers = m;
    return written;
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
    for (Session s : new ArrayList<>(sessions.all())) {
      closeSession(s);
    }
    assignments.clear();
    watchThread = daemon(this::forwardEvents, "dispatcher-watch");
    watchThread.start();
  }

  // ---- helpers ----

  static boolean sameJson(Object a, Object b) {
    return a == null ? b == null : b != null && Json.toString(a).equals(Json.toString(b));
  }

  static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
