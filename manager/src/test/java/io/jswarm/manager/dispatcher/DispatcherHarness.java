package io.jswarm.manager.dispatcher;

import io.jswarm.consensus.store.TestClock;
import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.SessionRequest;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.LocalProposer;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import io.jswarm.transport.pki.PeerIdentity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** A dispatcher on a local store, called through its routes as the HTTP server would. */
final class DispatcherHarness implements AutoCloseable {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  final TestClock clock = new TestClock(T0);
  final MemoryStore store;
  final AtomicBoolean leader = new AtomicBoolean(true);
  final AtomicReference<String> leaderAddr = new AtomicReference<>();
  final AtomicReference<List<DispatcherMessage.Manager>> managers =
      new AtomicReference<>(List.of(new DispatcherMessage.Manager("m1", "127.0.0.1:2377")));
  final Dispatcher dispatcher;
  final Router router = new Router();

  DispatcherHarness() {
    LocalProposer p = new LocalProposer();
    store = new MemoryStore(p, clock, IdGenerator.fromRandom(new Random(7)));
    p.bind(store);
    store.update(tx -> {
      Swarm s = new Swarm();
      s.spec = new Swarm.Spec();
      s.spec.name = Swarm.DEFAULT_NAME;
      return tx.cluster().create(s);
    });
    dispatcher = new Dispatcher(store, clock, leader::get, leaderAddr::get, managers::get);
    dispatcher.routes(router);
  }

  static PeerIdentity peer(String nodeId) {
    return new PeerIdentity(nodeId, PeerIdentity.WORKER_ROLE, null);
  }

  Node addNode(String id, String state) {
    return store.update(tx -> {
      Node n = new Node();
      n.id = id;
      n.spec = new Node.Spec();
      n.spec.role = "worker";
      n.spec.availability = "active";
      n.description = new Node.Description();
      n.description.hostname = "host-" + id;
      n.status = new Node.Status();
      n.status.state = state;
      return tx.nodes().create(n);
    });
  }

  Task addTask(String id, String nodeId, TaskState state) {
    return store.update(tx -> {
      Task t = new Task();
      t.id = id;
      t.serviceId = "svc";
      t.slot = 1L;
      t.nodeId = nodeId;
      t.desiredState = TaskState.RUNNING;
      t.status = new Task.TaskStatus();
      t.status.state = state;
      return tx.tasks().create(t);
    });
  }

  /** Changes a task in the store. */
  void editTask(String id, java.util.function.Consumer<Task> edit) {
    store.update(tx -> {
      Task t = tx.tasks().get(id);
      edit.accept(t);
      return tx.tasks().update(t);
    });
  }

  Task task(String id) {
    return store.viewStale(tx -> tx.tasks().get(id));
  }

  Node node(String id) {
    return store.viewStale(tx -> tx.nodes().get(id));
  }

  HttpResponse call(String path, PeerIdentity peer, Object body) throws Exception {
    byte[] bytes = body == null ? new byte[0] : Json.toBytes(body);
    HttpRequest req = new HttpRequest("POST", path, Map.of(), Map.of(), bytes, Map.of(), peer);
    Router.Match m = router.match("POST", path);
    return m.handler().handle(req.withPathParams(m.params()));
  }

  /** Opens a session for {@code nodeId} and starts its stream on a fresh sink. */
  FakeSink open(String nodeId, String addr) throws Exception {
    FakeSink sink = new FakeSink();
    openResponse(nodeId, addr).streamer.accept(sink);
    return sink;
  }

  /** The answer to a session open, its stream not started yet (the node row is written, the session not registered). */
  HttpResponse openResponse(String nodeId, String addr) throws Exception {
    SessionRequest req = new SessionRequest();
    req.addr = addr;
    req.clusterAddr = addr == null ? null : addr.replaceFirst(":\\d+$", "") + ":7946";
    req.description = new Node.Description();
    req.description.hostname = "reported-" + nodeId;
    HttpResponse r = call("/dispatcher/session", peer(nodeId), req);
    if (!r.isStream()) {
      throw new AssertionError("session answered " + r.status + " without a stream");
    }
    return r;
  }

  @Override
  public void close() {
    dispatcher.close();
    store.close();
  }
}
