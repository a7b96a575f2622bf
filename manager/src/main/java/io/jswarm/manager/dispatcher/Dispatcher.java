package io.jswarm.manager.dispatcher;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.HeartbeatRequest;
import io.jswarm.api.dispatcher.HeartbeatResponse;
import io.jswarm.api.dispatcher.SessionRequest;
import io.jswarm.api.dispatcher.StatusRequest;
import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.Task;
import io.jswarm.consensus.store.IdGenerator;
import com.codahale.metrics.Counter;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.transport.http.StreamSink;
import io.jswarm.transport.metrics.BucketHistogram;
import io.jswarm.transport.metrics.Metrics;
import io.jswarm.consensus.store.Tx;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import io.jswarm.manager.ca.RootRotation;
import io.jswarm.transport.pki.PeerIdentity;
import io.jswarm.transport.pki.RootCA;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The leader's dispatcher: the manager side of the worker protocol ({@code io.jswarm.api.dispatcher}).
 *
 * <p>Routes (cluster port, client certificate required; the node is the one its certificate names):
 * <ul>
 *   <li>{@code POST /dispatcher/session}: marks the node ready (description, address) and streams
 *       newline-delimited {@link DispatcherMessage}s: {@code session}, then the complete assignment set, then
 *       increments as the store changes, and {@code node} when the node's spec changes. A manager that is not
 *       the leader answers one {@code redirect} with the leader's cluster address (503 when none is known).</li>
 *   <li>{@code POST /dispatcher/heartbeat}: extends the node's deadline; unknown session -> 409.</li>
 *   <li>{@code POST /dispatcher/status}: task status reports, only for tasks on the caller's node; queued and
 *       written to the store in batches, keeping forward moves only.</li>
 *   <li>{@code GET /dispatcher/leader}: the leader this manager knows, on any manager ({@link #leader}).</li>
 * </ul>
 *
 * <p>Assignments are the tasks whose {@code NodeID} is the node and whose observed state is at least
 * {@code assigned}. A node whose heartbeats stop for {@value #GRACE_MULTIPLIER} periods (period from the cluster
 * object's {@code Spec.Dispatcher.HeartbeatPeriod}, default 5 s) is marked {@code down} with the message
 * {@value #HEARTBEAT_FAILURE} and its session is closed. {@link #start} gives every node that is ready at
 * that moment the same grace, so a leader change marks nobody down whose agent reconnects in time.
 *
 * <p>Lifecycle: {@link #routes} once; {@link #start} when this manager becomes leader, {@link #stop} when it
 * stops being leader (closes every session so agents go to the new leader). Queued statuses are flushed every
 * {@link #TICK_INTERVAL} and deadlines checked every {@link #DEADLINE_CHECK_INTERVAL} against the injected {@link
 * Clock}; tests call {@link #tick} after moving a fake clock.
 *
 * <p>The session handler writes the node row (a Raft write) before it answers, so handlers must run off the
 * server's I/O threads; the stream itself is fed from the dispatcher's own threads.
 */
public final class Dispatcher implements AutoCloseable {
  public static final Duration DEFAULT_HEARTBEAT_PERIOD = Duration.ofSeconds(5);
  /** Missed heartbeat periods before a node is down; also the grace every ready node gets at {@link #start}. */
  public static final int GRACE_MULTIPLIER = 3;
  public static final String HEARTBEAT_FAILURE = "heartbeat failure";
  /** Most nodes marked down in one store write. */
  static final int DOWN_BATCH = 200;
  /** How often queued statuses are written (so at most one status batch per interval). */
  public static final Duration TICK_INTERVAL = Duration.ofMillis(25);
  /**
   * How often the heartbeat deadlines (and the manager list sessions were sent) are looked at: each look walks every
   * node's deadline, which at 1,000 nodes every {@link #TICK_INTERVAL} was a fifth of an idle leader's samples
   * (docs/scale.md, thirteenth round); a node is down after {@value #GRACE_MULTIPLIER} heartbeat periods (15 s by
   * default), so a quarter second later is nothing.
   */
  public static final Duration DEADLINE_CHECK_INTERVAL = Duration.ofMillis(250);
  /** Most task updates in one store write; a full queue is flushed without waiting for the next tick. */
  public static final int MAX_STATUS_BATCH = io.jswarm.consensus.store.Proposer.MAX_ROWS_PER_ENTRY;
  /** Media type of the session stream: one JSON message per line. */
  public static final String STREAM_CONTENT_TYPE = "application/x-ndjson";

  static final int MAX_CONFLICT_RETRIES = 10;
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  private final MemoryStore store;
  private final Clock clock;
  private final BooleanSupplier isLeader;
  private final Supplier<String> leaderClusterAddr;
  private final Supplier<List<DispatcherMessage.Manager>> managers;
  private final IdGenerator sessionIds = IdGenerator.secure();
  private final Object lifecycle = new Object();
  private volatile RootsDigest roots;
  private volatile LeaderTerm term;
  private final Counter heartbeats;
  private final Counter missed;
  private final Counter messages;
  private final BucketHistogram statusBatch;

  /**
   * @param store the cluster store (this manager's replica)
   * @param clock time for heartbeat deadlines
   * @param isLeader whether this manager is the Raft leader now
   * @param leaderClusterAddr the leader's cluster address ({@code host:port}) for redirects; null or empty when
   *     no leader is known
   * @param managers every manager's node id and cluster address, sent to agents so they can fail over
   */
  public Dispatcher(MemoryStore store, Clock clock, BooleanSupplier isLeader, Supplier<String> leaderClusterAddr,
      Supplier<List<DispatcherMessage.Manager>> managers) {
    this(store, clock, isLeader, leaderClusterAddr, managers, new Metrics());
  }

  /** As above, counting on the daemon's {@code metrics} ({@code jswarm_dispatcher_*}). */
  public Dispatcher(MemoryStore store, Clock clock, BooleanSupplier isLeader, Supplier<String> leaderClusterAddr,
      Supplier<List<DispatcherMessage.Manager>> managers, Metrics metrics) {
    metrics.gauge("jswarm_dispatcher_sessions", "Agent sessions open on this dispatcher (the leader's).",
        this::sessionCount);
    this.heartbeats = metrics.counter("jswarm_dispatcher_heartbeats_total", "Heartbeats received from agents.");
    this.missed = metrics.counter("jswarm_dispatcher_heartbeats_missed_total",
        "Nodes marked down because their heartbeats stopped.");
    this.messages = metrics.counter("jswarm_dispatcher_messages_sent_total",
        "Messages (assignments, dependencies, endpoints, ...) streamed to agents.");
    this.statusBatch = metrics.histogram("jswarm_dispatcher_status_batch_size",
        "Task status updates per report an agent sends.", Metrics.SIZES);
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.isLeader = Objects.requireNonNull(isLeader, "isLeader");
    this.leaderClusterAddr = Objects.requireNonNull(leaderClusterAddr, "leaderClusterAddr");
    this.managers = Objects.requireNonNull(managers, "managers");
  }

  /** Adds the four {@code /dispatcher/...} routes. */
  public void routes(Router r) {
    r.get("/dispatcher/leader", this::leader);
    r.post("/dispatcher/session", this::session);
    r.post("/dispatcher/heartbeat", this::heartbeat);
    r.post("/dispatcher/status", this::status);
  }

  /** Starts serving sessions: call when this manager becomes leader. Idempotent. */
  public void start() {
    synchronized (lifecycle) {
      if (term == null) {
        term = LeaderTerm.begin(store, clock, managers, this::markDown);
      }
    }
  }

  /** Stops serving: closes every session stream and drops queued statuses (agents report again). Idempotent. */
  public void stop() {
    synchronized (lifecycle) {
      LeaderTerm t = term;
      term = null;
      if (t != null) {
        t.end(STOP_TIMEOUT);
      }
    }
  }

  @Override
  public void close() {
    stop();
  }

  public boolean isRunning() {
    return term != null;
  }

  /**
   * Runs the periodic work now and waits for it: marks nodes past their deadline down and writes queued task
   * statuses. Runs by itself while started (statuses every {@link #TICK_INTERVAL}, deadlines every {@link
   * #DEADLINE_CHECK_INTERVAL}).
   */
  public void tick() {
    LeaderTerm t = term;
    if (t == null) {
      return;
    }
    try {
      t.tick().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("dispatcher tick failed: " + e.getMessage(), e);
    }
  }

  /** Number of open sessions (for status pages and tests). */
  public int sessionCount() {
    LeaderTerm t = term;
    return t == null ? 0 : t.sessionCount();
  }

  // ---- handlers ----

  HttpResponse session(HttpRequest req) {
    PeerIdentity peer = requirePeer(req);
    SessionRequest body = req.body() == null || req.body().length == 0 ? new SessionRequest()
        : req.json(SessionRequest.class);
    if (!isLeader.getAsBoolean()) {
      String leader = leaderClusterAddr.get();
      if (leader == null || leader.isBlank()) {
        throw new UnavailableException("this manager is not the leader and no leader is known yet; retry once an "
            + "election has finished");
      }
      byte[] line = line(DispatcherMessage.redirect(leader));
      return HttpResponse.stream(200, STREAM_CONTENT_TYPE, sink -> {
        sink.send(line);
        sink.close();
      });
    }
    LeaderTerm t = term;
    if (t == null) {
      throw new UnavailableException("the dispatcher is not running yet on this leader; retry");
    }
    markReady(peer.nodeId(), body);
    String sessionId = sessionIds.newId();
    return HttpResponse.stream(200, STREAM_CONTENT_TYPE, sink -> t.open(sessionId, peer.nodeId(), counting(sink)));
  }

  /**
   * {@code GET /dispatcher/leader}: the leader's cluster address as this manager knows it ({@code LeaderAddr}, empty
   * when none is known). Cheap on purpose: agents call every manager they have no session with once in a while to
   * hold a resumable TLS session with it ({@code worker/.../agent/TlsWarmup}), so that the reconnects of a leader
   * change skip the full handshake.
   */
  HttpResponse leader(HttpRequest req) {
    requirePeer(req);
    String leader = leaderClusterAddr.get();
    return HttpResponse.ok(java.util.Map.of("LeaderAddr", leader == null ? "" : leader));
  }

  HttpResponse heartbeat(HttpRequest req) {
    PeerIdentity peer = requirePeer(req);
    HeartbeatRequest hb = req.json(HeartbeatRequest.class);
    LeaderTerm t = requireSession(hb.sessionId, peer);
    heartbeats.inc();
    return HttpResponse.ok(new HeartbeatResponse(t.heartbeat(peer.nodeId()), rootsDigest()));
  }

  /** The roots every node must trust now, as {@link HeartbeatResponse#rootsDigest}; null before the CA exists. */
  String rootsDigest() {
    Swarm cluster = store.viewStale(tx -> tx.cluster().byName(Swarm.DEFAULT_NAME));
    if (cluster == null || cluster.rootCA == null || cluster.rootCA.caCert == null) {
      return null;
    }
    String bundle = RootRotation.trustBundle(cluster);
    RootsDigest last = roots;
    if (last == null || !last.bundle().equals(bundle)) { // parsed once per bundle, not per heartbeat
      last = new RootsDigest(bundle, RootCA.rootsDigest(RootCA.parseCertificates(bundle, "root CA certificate")));
      roots = last;
    }
    return last.digest();
  }

  private record RootsDigest(String bundle, String digest) {}

  HttpResponse status(HttpRequest req) {
    PeerIdentity peer = requirePeer(req);
    StatusRequest sr = req.json(StatusRequest.class);
    LeaderTerm t = requireSession(sr.sessionId, peer);
    List<StatusRequest.Update> updates = sr.updates == null ? List.of() : sr.updates;
    for (int i = 0; i < updates.size(); i++) {
      StatusRequest.Update u = updates.get(i);
      if (u == null || u.taskId == null || u.taskId.isEmpty()) {
        throw new InvalidArgumentException("Updates[" + i + "].TaskID: required");
      }
      if (u.status == null || u.status.state == null) {
        throw new InvalidArgumentException("Updates[" + i + "].Status.State: required (a task state such as running)");
      }
    }
    String node = peer.nodeId();
    store.viewStale(tx -> {
      for (StatusRequest.Update u : updates) {
        String owner = tx.tasks().read(u.taskId, task -> task == null ? null : task.nodeId);
        if (owner != null && !node.equals(owner)) {
          throw new PermissionDeniedException("task " + u.taskId + " is not assigned to node " + node
              + ": a node may only report its own tasks");
        }
      }
      return null;
    });
    statusBatch.observe(updates.size());
    t.queueStatuses(node, updates);
    return HttpResponse.empty(200);
  }

  /** {@code sink}, counting the messages sent through it. */
  private StreamSink counting(StreamSink sink) {
    return new StreamSink() {
      @Override
      public boolean send(byte[] chunk) {
        messages.inc();
        return sink.send(chunk);
      }

      @Override
      public void close() {
        sink.close();
      }

      @Override
      public void onClose(Runnable r) {
        sink.onClose(r);
      }

      @Override
      public boolean isOpen() {
        return sink.isOpen();
      }
    };
  }

    private static PeerIdentity requirePeer(HttpRequest req) {
    PeerIdentity peer = req.peer();
    if (peer == null || peer.nodeId() == null || peer.nodeId().isEmpty()) {
      throw new PermissionDeniedException("the dispatcher needs a client certificate issued by the cluster CA");
    }
    return peer;
  }

  private LeaderTerm requireSession(String sessionId, PeerIdentity peer) {
    LeaderTerm t = term;
    if (t == null || sessionId == null || !t.hasSession(sessionId, peer.nodeId())) {
      throw new ConflictException("session " + sessionId + " is not open on this dispatcher (it expired, or the "
          + "leader changed): open a new session");
    }
    return t;
  }

  static byte[] line(DispatcherMessage m) {
    byte[] json = Json.toBytes(m);
    byte[] out = new byte[json.length + 1];
    System.arraycopy(json, 0, out, 0, json.length);
    out[json.length] = '\n';
    return out;
  }

  // ---- node rows ----

  /**
   * Records what the agent reports and marks the node ready; no write when the node's row says so already (an agent
   * that reconnects, e.g. to a new leader: with 1,000 nodes a leader change made 1,000 Raft writes, each holding an
   * HTTP handler thread until it committed, and heartbeats queued behind them). A row read stale here (a down mark
   * committed but not applied yet) is caught by the term: a node marked down after its session opened loses the
   * session ({@link LeaderTerm}), and the agent's next session writes.
   */
  private void markReady(String nodeId, SessionRequest body) {
    if (store.viewStale(tx -> alreadyReady(tx.nodes().get(nodeId), body))) {
      return;
    }
    updateNode(tx -> {
      Node n = tx.nodes().get(nodeId);
      if (n == null) {
        throw new NotFoundException("node " + nodeId + " is not part of this swarm (it was removed): join again");
      }
      if (body.description != null) {
        n.description = body.description;
      }
      if (n.status == null) {
        n.status = new Node.Status();
      }
      n.status.state = "ready";
      n.status.message = null;
      if (body.addr != null && !body.addr.isBlank()) {
        n.status.addr = body.addr;
      }
      if (body.clusterAddr != null && !body.clusterAddr.isBlank()) {
        n.status.clusterAddr = body.clusterAddr;
      }
      tx.nodes().update(n);
      return null;
    });
  }

  /** Whether node row {@code n} is ready with everything session request {@code body} would write. */
  static boolean alreadyReady(Node n, SessionRequest body) {
    return n != null && n.status != null && "ready".equals(n.status.state) && n.status.message == null
        && (body.description == null || LeaderTerm.sameJson(n.description, body.description))
        && (body.addr == null || body.addr.isBlank() || body.addr.equals(n.status.addr))
        && (body.clusterAddr == null || body.clusterAddr.isBlank() || body.clusterAddr.equals(n.status.clusterAddr));
  }

  /**
   * Marks nodes down after missed heartbeats (those gone or already down are skipped), at most
   * {@value #DOWN_BATCH} in one write: a leader that lost many sessions at once writes them together, not one Raft
   * round per node.
   */
  private void markDown(List<String> nodeIds) {
    missed.inc(nodeIds.size());
    for (int from = 0; from < nodeIds.size(); from += DOWN_BATCH) {
      List<String> batch = nodeIds.subList(from, Math.min(nodeIds.size(), from + DOWN_BATCH));
      updateNode(tx -> {
        for (String nodeId : batch) {
          Node n = tx.nodes().get(nodeId);
          if (n == null || (n.status != null && "down".equals(n.status.state))) {
            continue;
          }
          if (n.status == null) {
            n.status = new Node.Status();
          }
          n.status.state = "down";
          n.status.message = HEARTBEAT_FAILURE;
          tx.nodes().update(n);
        }
        return null;
      });
    }
  }

  private void updateNode(Function<Tx, Void> fn) {
    for (int attempt = 1; ; attempt++) {
      try {
        store.update(fn);
        return;
      } catch (ConflictException e) {
        if (attempt >= MAX_CONFLICT_RETRIES) {
          throw e;
        }
      }
    }
  }
}
