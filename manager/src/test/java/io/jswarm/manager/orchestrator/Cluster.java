package io.jswarm.manager.orchestrator;

import io.jswarm.consensus.store.TestClock;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Placement;
import io.jswarm.api.types.RestartPolicy;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.ServiceMode;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.Timestamps;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.LocalProposer;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Tables;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A store on a {@link LocalProposer} with a manual clock, the orchestrators on it, and stand-ins for the
 * scheduler and the workers, which write task node and status directly. Every write moves the clock by a
 * millisecond so that task ages are distinct.
 */
final class Cluster implements AutoCloseable {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration TICK = Duration.ofMillis(1);

  final TestClock clock = new TestClock(T0);
  final MemoryStore store;
  final Orchestrators orchestrators;

  Cluster(long seed) {
    LocalProposer p = new LocalProposer();
    store = new MemoryStore(p, clock, IdGenerator.fromRandom(new Random(seed)));
    p.bind(store);
    orchestrators = new Orchestrators(store, clock);
  }

  Cluster() {
    this(42);
  }

  @Override
  public void close() {
    orchestrators.stop();
    store.close();
  }

  /** One synchronous pass of every loop. */
  void reconcile() {
    orchestrators.reconcileAll();
  }

  // ---- services ----

  static TaskSpec template(String image) {
    TaskSpec t = new TaskSpec();
    t.containerSpec = new ContainerSpec();
    t.containerSpec.image = image;
    return t;
  }

  Service replicated(String name, long replicas, Consumer<TaskSpec> tweak) {
    return createService(name, ServiceMode.replicated(replicas), tweak);
  }

  Service replicated(String name, long replicas) {
    return replicated(name, replicas, t -> {});
  }

  Service global(String name, Consumer<TaskSpec> tweak) {
    return createService(name, ServiceMode.global(), tweak);
  }

  /** A job service (its JobStatus as the control API sets it at create: iteration 0). */
  Service job(String name, ServiceMode mode, Consumer<TaskSpec> tweak) {
    return createService(name, mode, tweak);
  }

  private Service createService(String name, ServiceMode mode, Consumer<TaskSpec> tweak) {
    Service s = new Service();
    s.spec = new Service.ServiceSpec();
    s.spec.name = name;
    s.spec.labels = new LinkedHashMap<>(Map.of("team", "a"));
    s.spec.mode = mode;
    s.spec.taskTemplate = template("busybox:1");
    tweak.accept(s.spec.taskTemplate);
    if (mode.isJob()) {
      s.jobStatus = new Service.JobStatus();
      s.jobStatus.jobIteration = new io.jswarm.api.types.Version(0);
    }
    clock.advance(TICK);
    return store.update(tx -> tx.services().create(s));
  }

  Service updateService(String id, Consumer<Service.ServiceSpec> change) {
    clock.advance(TICK);
    return store.update(tx -> {
      Service s = tx.services().get(id);
      change.accept(s.spec);
      return tx.services().update(s);
    });
  }

  void deleteService(String id) {
    store.update(tx -> {
      tx.services().delete(id);
      return null;
    });
  }

  static Consumer<TaskSpec> restart(String condition, Duration delay, long maxAttempts, Duration window) {
    return t -> {
      t.restartPolicy = new RestartPolicy();
      t.restartPolicy.condition = condition;
      t.restartPolicy.delay = delay == null ? null : delay.toNanos();
      t.restartPolicy.maxAttempts = maxAttempts;
      t.restartPolicy.window = window == null ? null : window.toNanos();
    };
  }

  static Consumer<TaskSpec> constraints(String... cs) {
    return t -> {
      t.placement = new Placement();
      t.placement.constraints = List.of(cs);
    };
  }

  void setRetention(long limit) {
    store.update(tx -> {
      Swarm s = tx.cluster().byName(Swarm.DEFAULT_NAME);
      if (s == null) {
        s = new Swarm();
        s.spec = new Swarm.Spec();
        s.spec.name = Swarm.DEFAULT_NAME;
      }
      s.spec.orchestration = new Swarm.Orchestration();
      s.spec.orchestration.taskHistoryRetentionLimit = limit;
      return s.version == null ? tx.cluster().create(s) : tx.cluster().update(s);
    });
  }

  // ---- nodes ----

  Node node(String id, Map<String, String> labels) {
    Node n = new Node();
    n.id = id;
    n.spec = new Node.Spec();
    n.spec.role = "worker";
    n.spec.availability = "active";
    n.spec.labels = new LinkedHashMap<>(labels);
    n.description = new Node.Description();
    n.description.hostname = "host-" + id;
    n.status = new Node.Status();
    n.status.state = "ready";
    return store.update(tx -> tx.nodes().create(n));
  }

  Node node(String id) {
    return node(id, Map.of());
  }

  void changeNode(String id, Consumer<Node> change) {
    store.update(tx -> {
      Node n = tx.nodes().get(id);
      change.accept(n);
      return tx.nodes().update(n);
    });
  }

  void availability(String id, String availability) {
    changeNode(id, n -> n.spec.availability = availability);
  }

  void nodeState(String id, String state) {
    changeNode(id, n -> n.status.state = state);
  }

  void deleteNode(String id) {
    store.update(tx -> {
      tx.nodes().delete(id);
      return null;
    });
  }

  // ---- tasks: reads ----

  List<Task> tasks(String serviceId) {
    return store.viewStale(tx -> tx.tasks().find(Tables.BY_SERVICE, serviceId));
  }

  List<Task> allTasks() {
    return store.viewStale(tx -> tx.tasks().all());
  }

  Task task(String id) {
    return store.viewStale(tx -> tx.tasks().get(id));
  }

  List<Task> runnable(String serviceId) {
    return tasks(serviceId).stream().filter(TaskFacts::runnable).collect(Collectors.toList());
  }

  /** Runnable tasks by slot number. */
  TreeMap<Long, List<Task>> runnableBySlot(String serviceId) {
    TreeMap<Long, List<Task>> out = new TreeMap<>();
    for (Task t : runnable(serviceId)) {
      out.computeIfAbsent(t.slot, s -> new ArrayList<>()).add(t);
    }
    return out;
  }

  Task runnableIn(String serviceId, long slot) {
    List<Task> r = runnableBySlot(serviceId).getOrDefault(slot, List.of());
    if (r.size() > 1) {
      throw new AssertionError("slot " + slot + " has " + r.size() + " runnable tasks");
    }
    return r.isEmpty() ? null : r.get(0);
  }

  List<Task> inSlot(String serviceId, long slot) {
    return store.viewStale(tx -> tx.tasks().find(Tables.BY_SLOT, Tables.slotKey(serviceId, slot)));
  }

  // ---- tasks: the scheduler's and the workers' writes ----

  /** Writes a task's observed state (and exit code), as a worker report through the dispatcher would. */
  void report(String taskId, TaskState state, Long exitCode) {
    clock.advance(TICK);
    store.update(tx -> {
      Task t = tx.tasks().get(taskId);
      t.status.state = t.status.state.moveTo(state);
      t.status.timestamp = Timestamps.format(clock.instant());
      if (exitCode != null) {
        t.status.containerStatus = new Task.ContainerStatus();
        t.status.containerStatus.exitCode = exitCode;
      }
      return tx.tasks().update(t);
    });
  }

  void report(String taskId, TaskState state) {
    report(taskId, state, null);
  }

  /** Places a task on a node (ASSIGNED), as the scheduler would. */
  void assign(String taskId, String nodeId) {
    clock.advance(TICK);
    store.update(tx -> {
      Task t = tx.tasks().get(taskId);
      t.nodeId = nodeId;
      t.status.state = t.status.state.moveTo(TaskState.ASSIGNED);
      return tx.tasks().update(t);
    });
  }

  /**
   * Scheduler plus obedient workers: every runnable task not yet placed goes to a node (round robin over
   * {@code nodes}; global tasks stay on theirs) and runs; every task told to stop that is placed reports
   * SHUTDOWN.
   */
  void settleWorkers(List<String> nodes) {
    int i = 0;
    for (Task t : allTasks()) {
      TaskState s = TaskFacts.observed(t);
      if (TaskFacts.runnable(t) && s.number() < TaskState.RUNNING.number()) {
        if (t.nodeId == null) {
          assign(t.id, nodes.get(i++ % nodes.size()));
        }
        report(t.id, TaskState.RUNNING);
      } else if (!TaskFacts.runnable(t) && !s.isTerminal() && s.number() >= TaskState.ASSIGNED.number()) {
        report(t.id, TaskState.SHUTDOWN);
      }
    }
  }

  /** Waits up to {@code timeout} for {@code condition}, re-checking whenever the store changes (at least every 100 ms). */
  void await(java.time.Duration timeout, String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (io.jswarm.consensus.store.Watch w = store.watch(e -> true)) {
      while (!condition.getAsBoolean()) {
        if (System.nanoTime() > deadline) {
          org.junit.jupiter.api.Assertions.fail("timed out waiting for " + what);
        }
        w.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
        while (w.poll() != null) {
          // drained: wait for the next change
        }
      }
    }
  }
}
