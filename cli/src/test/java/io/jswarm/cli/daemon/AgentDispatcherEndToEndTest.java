package io.jswarm.cli.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.SessionRequest;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.LocalProposer;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Watch;
import io.jswarm.manager.dispatcher.Dispatcher;
import io.jswarm.transport.http.Router;
import io.jswarm.worker.agent.Agent;
import io.jswarm.worker.agent.SimulatedExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A worker agent with the simulated executor against two managers' dispatchers on one store, wired through
 * their routers (no network): assignments run and their states reach the store, a follower redirects, the
 * agent follows a leader change without its node going down, and a dead agent's node goes down.
 */
class AgentDispatcherEndToEndTest {
  private static final Duration PERIOD = Duration.ofMillis(300);

  private final AtomicReference<String> leader = new AtomicReference<>("m1");
  private MemoryStore store;
  private Dispatcher d1;
  private Dispatcher d2;
  private InMemoryDispatcherTransport transport;
  private SimulatedExecutor executor;
  private Agent agent;
  private Watch changes;

  @BeforeEach
  void setUp() {
    LocalProposer p = new LocalProposer();
    store = new MemoryStore(p, Clock.systemUTC(), IdGenerator.fromRandom(new Random(3)));
    p.bind(store);
    store.update(tx -> {
      Swarm s = new Swarm();
      s.spec = new Swarm.Spec();
      s.spec.name = Swarm.DEFAULT_NAME;
      s.spec.dispatcher = new Swarm.Dispatcher();
      s.spec.dispatcher.heartbeatPeriod = PERIOD.toNanos();
      tx.cluster().create(s);
      Node n = new Node();
      n.id = "n1";
      n.spec = new Node.Spec();
      n.spec.role = "worker";
      n.status = new Node.Status();
      n.status.state = "unknown";
      tx.nodes().create(n);
      return null;
    });
    changes = store.watch(e -> true);
    List<DispatcherMessage.Manager> managers = List.of(new DispatcherMessage.Manager("m1", "m1:2377"),
        new DispatcherMessage.Manager("m2", "m2:2377"));
    transport = new InMemoryDispatcherTransport("n1");
    d1 = new Dispatcher(store, Clock.systemUTC(), () -> leader.get().equals("m1"), () -> leader.get() + ":2377",
        () -> managers);
    d2 = new Dispatcher(store, Clock.systemUTC(), () -> leader.get().equals("m2"), () -> leader.get() + ":2377",
        () -> managers);
    Router r1 = new Router();
    d1.routes(r1);
    Router r2 = new Router();
    d2.routes(r2);
    transport.addManager("m1:2377", r1);
    transport.addManager("m2:2377", r2);
    d1.start();
    executor = new SimulatedExecutor();
  }

  @AfterEach
  void tearDown() {
    if (agent != null) {
      agent.close();
    }
    executor.close();
    d1.close();
    d2.close();
    changes.close();
    store.close();
  }

  private void startAgent(String firstManager) {
    agent = new Agent(List.of(firstManager), transport, executor, () -> {
      SessionRequest r = new SessionRequest();
      r.addr = "127.0.0.11";
      r.description = new Node.Description();
      r.description.hostname = "worker-1";
      return r;
    }, Clock.systemUTC());
    agent.start();
  }

  /** Waits up to 10 s for {@code cond}, re-checking after every store change. */
  private void await(String what, BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!cond.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("timed out waiting for " + what);
      }
      changes.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
    }
  }

  private void addTask(String id, TaskState desired, String... env) {
    store.update(tx -> {
      Task t = new Task();
      t.id = id;
      t.serviceId = "svc";
      t.slot = 1L;
      t.nodeId = "n1";
      t.desiredState = desired;
      t.status = new Task.TaskStatus();
      t.status.state = TaskState.ASSIGNED;
      t.spec = new TaskSpec();
      t.spec.containerSpec = new ContainerSpec();
      t.spec.containerSpec.image = "busybox";
      t.spec.containerSpec.env = List.of(env);
      return tx.tasks().create(t);
    });
  }

  private Task task(String id) {
    return store.viewStale(tx -> tx.tasks().get(id));
  }

  private String nodeState() {
    return store.viewStale(tx -> tx.nodes().get("n1")).status.state;
  }

  private void awaitTask(String id, TaskState state) throws InterruptedException {
    await(id + " " + state.json(), () -> task(id).status.state == state);
  }

  @Test
  void assignmentsRunAndTheirStatesReachTheStore() throws Exception {
    startAgent("m2:2377"); // a follower: redirects to m1
    await("node ready", () -> "ready".equals(nodeState()));
    assertEquals("127.0.0.11", store.viewStale(tx -> tx.nodes().get("n1")).status.addr);
    await("session with the leader", () -> "m1:2377".equals(agent.connectedManager()));

    addTask("web", TaskState.RUNNING);
    addTask("job", TaskState.RUNNING, SimulatedExecutor.EXIT_ENV + "=2", SimulatedExecutor.RUN_MS_ENV + "=50");
    awaitTask("web", TaskState.RUNNING);
    awaitTask("job", TaskState.FAILED);
    assertEquals("task: non-zero exit (2)", task("job").status.err);

    store.update(tx -> {
      Task t = tx.tasks().get("web");
      t.desiredState = TaskState.SHUTDOWN;
      return tx.tasks().update(t);
    });
    awaitTask("web", TaskState.SHUTDOWN);
    assertEquals(List.of("m1:2377", "m2:2377"), agent.managers());
  }

  @Test
  void aLeaderChangeMovesTheSessionWithoutMarkingTheNodeDown() throws Exception {
    startAgent("m1:2377");
    addTask("web", TaskState.RUNNING);
    awaitTask("web", TaskState.RUNNING);

    // m1 loses leadership: its sessions close and it now redirects to m2.
    leader.set("m2");
    d1.stop();
    d2.start();
    await("session with the new leader", () -> "m2:2377".equals(agent.connectedManager()));
    addTask("api", TaskState.RUNNING);
    awaitTask("api", TaskState.RUNNING);

    // Well past the grace the new leader gave: the node kept heartbeating, so it never went down.
    long until = System.nanoTime() + PERIOD.multipliedBy(5).toNanos();
    while (System.nanoTime() < until) {
      assertEquals("ready", nodeState());
      changes.poll(PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }
    assertEquals("ready", nodeState());
    assertEquals(TaskState.RUNNING, task("web").status.state);
  }

  @Test
  void aDeadAgentsNodeGoesDown() throws Exception {
    startAgent("m1:2377");
    await("node ready", () -> "ready".equals(nodeState()));
    await("session", () -> agent.connectedManager() != null);
    agent.close();
    long closedAt = System.nanoTime();
    await("node down", () -> "down".equals(nodeState()));
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedAt);
    assertTrue(tookMs <= PERIOD.multipliedBy(4).toMillis() + 500, "down after " + tookMs + " ms");
    assertEquals(Dispatcher.HEARTBEAT_FAILURE, store.viewStale(tx -> tx.nodes().get("n1")).status.message);
  }
}
