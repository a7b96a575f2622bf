package io.jswarm.manager.schedulerloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Node;
import io.jswarm.api.types.Placement;
import io.jswarm.api.types.Platform;
import io.jswarm.api.types.ResourceRequirements;
import io.jswarm.api.types.Resources;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.Timestamps;
import io.jswarm.consensus.store.ApplyResult;
import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.LocalProposer;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Proposer;
import io.jswarm.consensus.store.Tables;
import io.jswarm.consensus.store.Watch;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SchedulerLoopTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.5Z");
  private static final long CPU = 1_000_000_000L;

  private final Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
  private MemoryStore store;
  private SchedulerLoop loop;

  private void open(Proposer wrapper, LocalProposer local) {
    store = new MemoryStore(wrapper, clock, IdGenerator.fromRandom(new Random(7)));
    local.bind(store);
    loop = new SchedulerLoop(store, clock);
  }

  private void open() {
    LocalProposer p = new LocalProposer();
    open(p, p);
  }

  @AfterEach
  void close() {
    if (loop != null) {
      loop.stop();
    }
    if (store != null) {
      store.close();
    }
  }

  private static Node node(String id, String zone) {
    Node n = new Node();
    n.id = id;
    n.spec = new Node.Spec();
    n.spec.role = "worker";
    n.spec.availability = "active";
    n.spec.labels = new HashMap<>(Map.of("zone", zone));
    n.status = new Node.Status();
    n.status.state = "ready";
    n.description = new Node.Description();
    n.description.hostname = id;
    n.description.platform = new Platform();
    n.description.platform.os = "linux";
    n.description.platform.architecture = "x86_64";
    n.description.resources = new Resources();
    n.description.resources.nanoCPUs = 2 * CPU;
    n.description.resources.memoryBytes = 1L << 32;
    return n;
  }

  private static Task task(String id, String serviceId, Consumer<Task> tweak) {
    Task t = new Task();
    t.id = id;
    t.serviceId = serviceId;
    t.spec = new TaskSpec();
    t.desiredState = TaskState.RUNNING;
    t.status = new Task.TaskStatus();
    t.status.state = TaskState.NEW;
    tweak.accept(t);
    return t;
  }

  private void create(Node... nodes) {
    store.update(tx -> {
      for (Node n : nodes) {
        tx.nodes().create(n);
      }
      return null;
    });
  }

  private void create(List<Task> tasks) {
    store.update(tx -> {
      tasks.forEach(t -> tx.tasks().create(t));
      return null;
    });
  }

  private Task get(String id) {
    return store.view(tx -> tx.tasks().get(id));
  }

  @Test
  void movesNewTasksToAssignedInOneWriteSpreadOverNodes() {
    open();
    create(node("n1", "a"), node("n2", "b"));
    List<Task> tasks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      tasks.add(task("t" + i, "web", t -> { }));
    }
    create(tasks);
    long before = store.appliedIndex();
    assertEquals(4, loop.runOnce(), "4 tasks from NEW to ASSIGNED");
    assertEquals(1, store.appliedIndex() - before, "one Raft commit, not one to PENDING and one to ASSIGNED");
    Map<String, Integer> perNode = new HashMap<>();
    for (int i = 0; i < 4; i++) {
      Task t = get("t" + i);
      assertEquals(TaskState.ASSIGNED, t.status.state);
      assertEquals(SchedulerLoop.ASSIGNED_MESSAGE, t.status.message);
      assertEquals(Timestamps.format(T0), t.status.timestamp);
      perNode.merge(t.nodeId, 1, Integer::sum);
    }
    assertEquals(Map.of("n1", 2, "n2", 2), perNode);
    assertEquals(0, loop.runOnce(), "nothing left to do");
  }

  @Test
  void unplaceableTasksStayPendingWithTheReasonUntilANodeFits() {
    open();
    create(node("n1", "a"), node("n2", "b"));
    create(List.of(task("t", "db", t -> {
      t.spec.placement = new Placement();
      t.spec.placement.constraints = List.of("node.labels.zone==c");
    })));
    assertEquals(1, loop.runOnce(), "NEW -> PENDING with the reason, in one write");
    Task t = get("t");
    assertEquals(TaskState.PENDING, t.status.state);
    assertNull(t.nodeId);
    assertEquals("no suitable node (scheduling constraints not satisfied on 2 nodes)", t.status.err,
        "in Status.Err, where docker service ps shows it (ERROR)");
    assertEquals("pending task scheduling", t.status.message);
    long version = t.versionIndex();
    assertEquals(0, loop.runOnce(), "an unchanged explanation is not written again");
    assertEquals(version, get("t").versionIndex());

    store.update(tx -> {
      Node n = tx.nodes().get("n2");
      n.spec.labels.put("zone", "c");
      return tx.nodes().update(n);
    });
    assertEquals(1, loop.runOnce());
    t = get("t");
    assertEquals(TaskState.ASSIGNED, t.status.state);
    assertEquals("n2", t.nodeId);
    assertNull(t.status.err, "placed: the reason is gone");
  }

  @Test
  void runningTasksKeepTheirReservationsAndFinishedOnesFreeThem() {
    open();
    create(node("n1", "a"), node("n2", "b"));
    Consumer<Task> oneAndHalfCpu = t -> {
      t.spec.resources = new ResourceRequirements();
      t.spec.resources.reservations = new Resources();
      t.spec.resources.reservations.nanoCPUs = 3 * CPU / 2;
    };
    Task running = task("old", "other", oneAndHalfCpu.andThen(t -> {
      t.nodeId = "n1";
      t.status.state = TaskState.RUNNING;
    }));
    Task finished = task("done", "other", oneAndHalfCpu.andThen(t -> {
      t.nodeId = "n2";
      t.status.state = TaskState.COMPLETE;
    }));
    create(List.of(running, finished, task("a", "web", oneAndHalfCpu), task("b", "web", oneAndHalfCpu)));
    loop.runOnce();
    Task a = get("a");
    assertEquals("n2", a.nodeId, "n1's CPUs are held by a running task; n2's finished task holds nothing");
    Task b = get("b");
    assertEquals(TaskState.PENDING, b.status.state);
    assertEquals("no suitable node (insufficient resources on 2 nodes)", b.status.err);

    store.update(tx -> {
      Task old = tx.tasks().get("old");
      old.status.state = TaskState.FAILED;
      return tx.tasks().update(old);
    });
    loop.runOnce();
    assertEquals("n1", get("b").nodeId);
  }

  @Test
  void aPassLooksAtTheWaitingTasksNotAtEveryRunningOneAndKeepsCountingThem() {
    open();
    Consumer<Task> oneCpu = t -> {
      t.spec.resources = new ResourceRequirements();
      t.spec.resources.reservations = new Resources();
      t.spec.resources.reservations.nanoCPUs = CPU / 1000;
    };
    create(node("n1", "a"), node("n2", "b"));
    List<Task> running = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      String id = String.format("r%04d", i);
      running.add(task(id, "web", oneCpu.andThen(t -> {
        t.nodeId = "n1";
        t.status.state = TaskState.RUNNING;
      })));
    }
    create(running);
    create(List.of(task("new", "web", t -> { })));
    assertEquals(1, loop.runOnce());
    assertEquals(1, loop.lastPassVisited(), "one task waited; the 2,000 running ones cost the pass nothing");
    assertEquals("n2", get("new").nodeId, "n1's 2,000 tasks of web still count: spread puts the new one on n2");

    // The running tasks end: their node's count goes down task by task.
    store.update(tx -> {
      for (int i = 0; i < 2000; i++) {
        Task t = tx.tasks().get(String.format("r%04d", i));
        t.status.state = TaskState.COMPLETE;
        tx.tasks().update(t);
      }
      return null;
    });
    create(List.of(task("x", "web", t -> { }), task("y", "web", t -> { })));
    assertEquals(2, loop.runOnce());
    assertEquals(2, loop.lastPassVisited());
    assertEquals("n1", get("x").nodeId, "n1 is empty again, n2 has one: the first new task goes to n1");
  }

  @Test
  void leavesTasksThatShouldNotRunAlone() {
    open();
    create(node("n1", "a"));
    create(List.of(task("stop", "web", t -> t.desiredState = TaskState.SHUTDOWN),
        task("pend", "web", t -> {
          t.status.state = TaskState.PENDING;
          t.desiredState = TaskState.SHUTDOWN;
        })));
    assertEquals(0, loop.runOnce());
    assertEquals(TaskState.NEW, get("stop").status.state);
    assertEquals(TaskState.PENDING, get("pend").status.state);
  }

  @Test
  void confirmsOrRefusesTasksThatComeWithANode() {
    open();
    Node drained = node("n2", "b");
    drained.spec.availability = "drain";
    create(node("n1", "a"), drained);
    create(List.of(task("g1", "agent", t -> t.nodeId = "n1"), task("g2", "agent", t -> t.nodeId = "n2")));
    loop.runOnce();
    Task g1 = get("g1");
    assertEquals(TaskState.ASSIGNED, g1.status.state);
    assertEquals(SchedulerLoop.CONFIRMED_MESSAGE, g1.status.message);
    Task g2 = get("g2");
    assertEquals(TaskState.PENDING, g2.status.state);
    assertEquals("n2", g2.nodeId);
    assertEquals("1 node not available for new tasks", g2.status.err);
  }

  @Test
  void writesInBatchesOfAtMostBatchSize() {
    open();
    create(node("n1", "a"), node("n2", "b"));
    List<Task> tasks = new ArrayList<>();
    for (int i = 0; i < 450; i++) {
      tasks.add(task(String.format("t%03d", i), "web", t -> { }));
    }
    create(tasks);
    long before = store.appliedIndex();
    assertEquals(450, loop.runOnce());
    assertEquals(3, store.appliedIndex() - before, "3 batches from NEW to ASSIGNED");
  }

  @Test
  void reReadsAndRetriesWhenAConcurrentWriteWinsTheRace() {
    LocalProposer local = new LocalProposer();
    AtomicBoolean raced = new AtomicBoolean();
    MemoryStore[] self = new MemoryStore[1];
    Proposer racing = new Proposer() {
      @Override
      public CompletableFuture<ApplyResult> propose(byte[] batch) {
        // The first scheduler write loses: another writer changes the task between read and commit.
        if (Thread.currentThread().getName().equals("race-armed") && raced.compareAndSet(false, true)) {
          Thread.currentThread().setName("race-fired");
          self[0].update(tx -> {
            Task t = tx.tasks().get("t");
            t.labels = Map.of("touched", "yes");
            return tx.tasks().update(t);
          });
        }
        return local.propose(batch);
      }

      @Override
      public CompletableFuture<Void> readBarrier() {
        return local.readBarrier();
      }
    };
    open(racing, local);
    self[0] = store;
    create(node("n1", "a"));
    create(List.of(task("t", "web", t -> { })));
    String name = Thread.currentThread().getName();
    Thread.currentThread().setName("race-armed");
    try {
      loop.runOnce();
    } finally {
      Thread.currentThread().setName(name);
    }
    assertTrue(raced.get());
    Task t = get("t");
    assertEquals(TaskState.ASSIGNED, t.status.state, "retried from a fresh read");
    assertEquals("yes", t.labels.get("touched"), "the concurrent write is kept");
  }

  @Test
  void theLoopThreadSchedulesOnItsOwnAndStopsCleanly() throws Exception {
    open();
    create(node("n1", "a"));
    loop.start();
    loop.start(); // no second thread
    try (Watch w = store.watch(e -> e.isIn(Tables.TASKS))) {
      create(List.of(task("t", "web", t -> { })));
      Task assigned = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (assigned == null && System.nanoTime() < deadline) {
        Event e = w.poll(1, TimeUnit.SECONDS);
        if (e != null && !e.isCommit() && e.as(Tables.TASKS).status.state == TaskState.ASSIGNED) {
          assigned = e.as(Tables.TASKS);
        }
      }
      assertNotNull(assigned, "the loop assigned the task");
      assertEquals("n1", assigned.nodeId);
    }
    loop.stop();
    loop.stop();
    assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("scheduler-loop")));
  }

  /**
   * The scheduler's writes travel as patches of the status and the node ({@code "op":"patch"}, a fraction of the task
   * row), and store what a whole-row write would: the assignment replaces the status whole, so the refusal's
   * {@code Err} goes back to null; the rest of the row stays as stored.
   */
  @Test
  void writesTheStatusAndTheNodeAsAPatch() {
    LocalProposer local = new LocalProposer();
    List<String> entries = new ArrayList<>();
    open(new Proposer() {
      @Override
      public CompletableFuture<ApplyResult> propose(byte[] batch) {
        entries.add(new String(batch, java.nio.charset.StandardCharsets.UTF_8));
        return local.propose(batch);
      }

      @Override
      public CompletableFuture<Void> readBarrier() {
        return local.readBarrier();
      }
    }, local);
    create(node("n1", "a"));
    create(List.of(task("t", "db", t -> {
      t.labels = Map.of("keep", "me");
      t.spec.placement = new Placement();
      t.spec.placement.constraints = List.of("node.labels.zone==c");
    })));
    String spec = store.view(tx -> io.jswarm.api.json.Json.toString(tx.tasks().get("t").spec));
    entries.clear();
    assertEquals(1, loop.runOnce(), "NEW -> PENDING with the reason");
    assertEquals(1, entries.size());
    assertTrue(entries.get(0).contains("\"op\":\"patch\""), entries.get(0));
    assertTrue(!entries.get(0).contains("\"Spec\""), "the task's spec does not travel: " + entries.get(0));
    assertNotNull(get("t").status.err);

    store.update(tx -> {
      Node n = tx.nodes().get("n1");
      n.spec.labels.put("zone", "c");
      return tx.nodes().update(n);
    });
    entries.clear();
    assertEquals(1, loop.runOnce(), "PENDING -> ASSIGNED");
    assertEquals(1, entries.size());
    assertTrue(entries.get(0).contains("\"op\":\"patch\"") && entries.get(0).contains("\"NodeID\":\"n1\""),
        entries.get(0));
    Task t = get("t");
    assertEquals(TaskState.ASSIGNED, t.status.state);
    assertEquals("n1", t.nodeId);
    assertNull(t.status.err, "the status is replaced whole: the refusal's reason is gone");
    assertEquals(SchedulerLoop.ASSIGNED_MESSAGE, t.status.message);
    assertEquals(Map.of("keep", "me"), t.labels, "fields the patch does not set stay as stored");
    assertEquals(spec, io.jswarm.api.json.Json.toString(t.spec));
  }
}
