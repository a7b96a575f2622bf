package io.jswarm.worker.agent;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.HeartbeatRequest;
import io.jswarm.api.dispatcher.HeartbeatResponse;
import io.jswarm.api.dispatcher.SessionRequest;
import io.jswarm.api.dispatcher.StatusRequest;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker agent: keeps one dispatcher session with the leader and runs what it is assigned.
 *
 * <ul>
 *   <li>Session: tries the known managers in turn (the list given at construction, replaced by the list each
 *       {@code session} message carries) and follows {@code redirect} to the leader at once. When a session fails
 *       or ends, another known manager is tried ({@link ManagerRotation}; {@link TlsWarmup} keeps a TLS session to
 *       resume with each) after a random delay ({@link ReconnectBackoff}: within 1 s after an open session
 *       ended, the window doubling with each failed attempt up to 5 s), so that a thousand agents whose sessions
 *       end together do not reconnect together. Redirects are followed at once, and so is the next manager after
 *       one that refused the connection (nothing listens there: a killed leader).</li>
 *   <li>Heartbeats every period the dispatcher names; a failed heartbeat ends the session (and so reconnects).</li>
 *   <li>Assignments: a full set replaces the whole set of tasks, increments add, change or remove tasks; one
 *       {@link TaskController} per task. Removed tasks are shut down and forgotten.</li>
 *   <li>Status: the controllers' reports are sent in batches every {@link #STATUS_INTERVAL} (latest status per
 *       task); every new session first re-sends each task's current status, so nothing is lost to a leader
 *       change.</li>
 *   <li>Secrets and configs: kept in memory ({@link TaskDependencies}) for the executor, which reads them when a
 *       task's container starts.</li>
 *   <li>The node's own object, as the managers see it (role, availability), goes to {@link #addNodeListener}.</li>
 * </ul>
 *
 * <p>The transport and the executor belong to the caller, who closes them after {@link #close}. Many agents in one
 * process (hollow nodes) share their timer and task threads through {@link Threads#shared}.
 */
public final class Agent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  public static final Duration STATUS_INTERVAL = Duration.ofMillis(25);
  /** Most task statuses in one report. */
  public static final int MAX_STATUS_PER_REPORT = 500;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final DispatcherTransport transport;
  private final Executor executor;
  private final Supplier<SessionRequest> describe;
  private final Clock clock;

  private volatile List<String> managers;
  /** Node ids of the managers the last session message named (empty before the first). */
  private volatile java.util.Set<String> managerIds = java.util.Set.of();
  private final AssignedTasks assigned;
  private final Map<String, Task.TaskStatus> unsent = new ConcurrentHashMap<>();
  private final List<Consumer<Node>> nodeListeners = new CopyOnWriteArrayList<>();
  private final List<java.util.function.BiConsumer<Task, Task.TaskStatus>> statusListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<DispatcherMessage>> networkListeners = new CopyOnWriteArrayList<>();
  private volatile Node node;
  /** The secrets and configs of this node's tasks, in memory only. */
  private final TaskDependencies dependencies = new TaskDependencies();

  private final Threads threads;
  private final ScheduledExecutorService timer;
  private final ExecutorService taskPool;
  /** Repeated status reports of this agent (cancelled at close when the timer is shared). */
  private volatile ScheduledFuture<?> statusReports;
  private final Thread sessionThread;
  private final CountDownLatch closedLatch = new CountDownLatch(1);
  private volatile boolean closed;
  private volatile boolean started;
  private volatile ReconnectBackoff backoff = new ReconnectBackoff();
  private final TlsWarmup warmup;

  /** The open session, if any (set on the session thread). */
  private volatile Live live;

  /**
   * The threads an agent runs on: its own ({@link #own}, stopped by {@link #close}) or shared by many agents
   * ({@link #shared}, the caller's to stop).
   */
  public record Threads(ScheduledExecutorService timer, ExecutorService taskPool,
      java.util.concurrent.ThreadFactory sessionThreads, boolean owned) {
    /** Two timer threads (heartbeats never wait for reports) and a cached task pool for this agent alone. */
    public static Threads own() {
      return new Threads(Executors.newScheduledThreadPool(2, named("agent-timer")),
          Executors.newCachedThreadPool(named("agent-task")), named("agent-session"), true);
    }

    /** Threads shared by many agents; {@link Agent#close} leaves them running. */
    public static Threads shared(ScheduledExecutorService timer, ExecutorService taskPool,
        java.util.concurrent.ThreadFactory sessionThreads) {
      return new Threads(timer, taskPool, sessionThreads, false);
    }
  }

  /** One established session: where, its id, and its heartbeat. */
  private static final class Live {
    final DispatcherTransport.Session stream;
    final String addr;
    volatile String sessionId;
    volatile ScheduledFuture<?> heartbeat;
    /** What this session's last heartbeat said of the roots to trust ({@link HeartbeatResponse#rootsDigest}). */
    volatile String rootsDigest;

    Live(DispatcherTransport.Session stream, String addr) {
      this.stream = stream;
      this.addr = addr;
    }
  }

  /**
   * @param managers cluster addresses ({@code host:port}) of the managers known at start; at least one
   * @param transport how to reach them
   * @param executor runs the tasks
   * @param describe what the node reports at each session open (description and advertise address)
   * @param clock timestamps of task statuses
   */
  public Agent(List<String> managers, DispatcherTransport transport, Executor executor,
      Supplier<SessionRequest> describe, Clock clock) {
    this(managers, transport, executor, describe, clock, Threads.own());
  }

  /** @param threads where the agent's timers, task steps and session loop run */
  public Agent(List<String> managers, DispatcherTransport transport, Executor executor,
      Supplier<SessionRequest> describe, Clock clock, Threads threads) {
    if (managers == null || managers.isEmpty()) {
      throw new IllegalArgumentException("managers: at least one manager address (host:port) is needed");
    }
    this.managers = List.copyOf(managers);
    this.transport = Objects.requireNonNull(transport, "transport");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.describe = Objects.requireNonNull(describe, "describe");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.threads = Objects.requireNonNull(threads, "threads");
    this.timer = threads.timer();
    this.taskPool = threads.taskPool();
    this.sessionThread = threads.sessionThreads().newThread(this::run);
    executor.useDependencies(dependencies);
    this.assigned = new AssignedTasks(executor, taskPool, clock, this::statusChanged, unsent::remove);
    // rounds block on their calls: an agent's own 2 timer threads are its heartbeats', a shared timer has many
    this.warmup = new TlsWarmup(transport, timer, threads.owned() ? taskPool : timer);
  }

  /** The secrets and configs this node holds for its tasks (in memory only). */
  public TaskDependencies dependencies() {
    return dependencies;
  }

  /** Replaces the delays between session attempts (before {@link #start}; tests). */
  public void reconnectBackoff(ReconnectBackoff b) {
    this.backoff = Objects.requireNonNull(b, "backoff");
  }

  /** Connects and keeps connecting until {@link #close}. */
  public synchronized void start() {
    if (started || closed) {
      return;
    }
    started = true;
    long every = STATUS_INTERVAL.toMillis();
    statusReports = timer.scheduleWithFixedDelay(this::sendStatuses, every, every, TimeUnit.MILLISECONDS);
    sessionThread.start();
  }

  /**
   * Called with each status a task's controller reports, with the task as last assigned, on the controller's
   * thread (must not block): the node's container events listen here.
   */
  public void addStatusListener(java.util.function.BiConsumer<Task, Task.TaskStatus> listener) {
    statusListeners.add(listener);
  }

  /** Called with the node's object at each session start and whenever its spec changes. */
  public void addNodeListener(Consumer<Node> listener) {
    nodeListeners.add(listener);
  }

  /**
   * Called, on the session thread and in stream order, with each session message (the swarm's data path port and
   * this node's object with its underlay address), each overlay endpoints message ({@link
   * DispatcherMessage#ENDPOINTS}) and each service records message ({@link DispatcherMessage#SERVICES}, the routing
   * mesh's too: the ingress network's records); the overlay network driver and service discovery register here.
   */
  public void addNetworkListener(Consumer<DispatcherMessage> listener) {
    networkListeners.add(listener);
  }

  /** The node's object as last sent by the dispatcher, or null before the first session. */
  public Node node() {
    return node;
  }

  /** The managers this agent knows, in the order it tries them. */
  public List<String> managers() {
    return managers;
  }

  /** Node ids of the managers the dispatcher named last (empty before the first session). */
  public java.util.Set<String> managerIds() {
    return managerIds;
  }

  /** The manager of the open session, or null while (re)connecting. */
  public String connectedManager() {
    Live l = live;
    return l == null || l.sessionId == null ? null : l.addr;
  }

  /**
   * The roots to trust now as the leader's dispatcher said at this session's last heartbeat
   * ({@link HeartbeatResponse#rootsDigest}), or null while no session is open or before its first heartbeat.
   */
  public String rootsDigest() {
    Live l = live;
    return l == null || l.sessionId == null ? null : l.rootsDigest;
  }

  /** Each assigned task's last reported status, by task id. */
  public Map<String, Task.TaskStatus> taskStatuses() {
    Map<String, Task.TaskStatus> out = new LinkedHashMap<>();
    assigned.forEach((id, c) -> out.put(id, c.status()));
    return out;
  }

  /** Stops the session, heartbeats and controllers' threads. Tasks are left as they are in the executor. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    closedLatch.countDown();
    warmup.close();
    Live l = live;
    if (l != null) {
      l.stream.close();
    }
    sessionThread.interrupt();
    ScheduledFuture<?> reports = statusReports;
    if (reports != null) {
      reports.cancel(false);
    }
    if (threads.owned()) {
      timer.shutdownNow();
      taskPool.shutdownNow();
    }
    try {
      if (sessionThread.isAlive()) {
        sessionThread.join(CLOSE_TIMEOUT.toMillis());
      }
      if (threads.owned()) {
        timer.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        taskPool.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- the session thread ----

  private void run() {
    ManagerRotation rotation = new ManagerRotation();
    String addr = rotation.first(managers);
    while (!closed) {
      String redirect = null;
      boolean established = false;
      boolean refused = false;
      try {
        DispatcherTransport.Session stream = transport.open(addr, describe.get());
        Live l = new Live(stream, addr);
        live = l;
        try {
          if (closed) {
            break;
          }
          DispatcherMessage m;
          while (!closed && (m = stream.next()) != null) {
            if (DispatcherMessage.REDIRECT.equals(m.type)) {
              redirect = m.leaderAddr;
              log.debug("manager {} redirects to the leader at {}", addr, redirect);
              break;
            }
            if (DispatcherMessage.SESSION.equals(m.type)) {
              established = true;
              onSession(l, m);
              toNetworkListeners(m);
            } else if (DispatcherMessage.ENDPOINTS.equals(m.type) || DispatcherMessage.SERVICES.equals(m.type)) {
              toNetworkListeners(m);
            } else if (DispatcherMessage.DEPENDENCIES.equals(m.type)) {
              dependencies.apply(m); // before the assignments that need them
            } else if (DispatcherMessage.ASSIGNMENTS.equals(m.type)) {
              assigned.apply(m);
            } else if (DispatcherMessage.NODE.equals(m.type) && m.node != null) {
              setNode(m.node);
            }
          }
        } finally {
          end(l);
        }
        if (!closed && redirect == null) {
          log.info("session with manager {} ended", addr);
        }
      } catch (IOException | RuntimeException e) {
        refused = ManagerRotation.isRefused(e);
        if (!closed) {
          log.info("session with manager {} failed: {}", addr, e.toString());
        }
      }
      if (closed) {
        break;
      }
      ManagerRotation.Next next = rotation.after(managers, addr, established, redirect, refused, backoff);
      addr = next.addr();
      try {
        if (!next.delay().isZero() && closedLatch.await(next.delay().toMillis(), TimeUnit.MILLISECONDS)) {
          break;
        }
      } catch (InterruptedException e) {
        break;
      }
    }
  }

  private void onSession(Live l, DispatcherMessage m) {
    if (m.managers != null && !m.managers.isEmpty()) {
      List<String> addrs = new ArrayList<>();
      java.util.Set<String> ids = new java.util.HashSet<>();
      for (DispatcherMessage.Manager mg : m.managers) {
        if (mg.addr != null && !mg.addr.isBlank()) {
          addrs.add(mg.addr);
        }
        if (mg.nodeId != null) {
          ids.add(mg.nodeId);
        }
      }
      managerIds = java.util.Set.copyOf(ids);
      if (!addrs.isEmpty()) {
        managers = List.copyOf(addrs);
      }
    }
    if (m.node != null) {
      setNode(m.node);
    }
    if (l.sessionId != null) {
      return; // a later session message: the manager list changed
    }
    l.sessionId = m.sessionId;
    log.info("session {} open with manager {}", m.sessionId, l.addr);
    // Whatever was reported to an earlier leader may be lost: send every task's current status again.
    assigned.forEach((id, c) -> {
      Task.TaskStatus s = c.status();
      if (s.state.number() > TaskState.ASSIGNED.number()) {
        unsent.merge(id, s, Agent::later);
      }
    });
    scheduleHeartbeat(l, period(m.heartbeatPeriod));
    warmup.sessionOpened(l.addr, managers);
  }

  private void toNetworkListeners(DispatcherMessage m) {
    for (Consumer<DispatcherMessage> l : networkListeners) {
      try {
        l.accept(m);
      } catch (RuntimeException e) {
        log.warn("network listener failed on a {} message: {}", m.type, e.toString());
      }
    }
  }

  private void setNode(Node n) {
    node = n;
    for (Consumer<Node> l : nodeListeners) {
      try {
        l.accept(n);
      } catch (RuntimeException e) {
        log.warn("node listener failed: {}", e.toString());
      }
    }
  }

  private void end(Live l) {
    l.stream.close();
    ScheduledFuture<?> hb = l.heartbeat;
    if (hb != null) {
      hb.cancel(false);
    }
    l.sessionId = null;
    if (live == l) {
      live = null;
    }
  }

  // ---- heartbeats and status reports (timer thread) ----

  private void scheduleHeartbeat(Live l, Duration delay) {
    try {
      l.heartbeat = timer.schedule(() -> heartbeat(l), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException stopped) {
      // closing
    }
  }

  private void heartbeat(Live l) {
    String id = l.sessionId;
    if (id == null || live != l) {
      return;
    }
    try {
      HeartbeatResponse r = transport.heartbeat(l.addr, new HeartbeatRequest(id));
      l.rootsDigest = r.rootsDigest;
      scheduleHeartbeat(l, period(r.period));
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        log.info("heartbeat to manager {} failed ({}): reconnecting", l.addr, e.toString());
      }
      l.stream.close(); // the session thread sees the stream end and reconnects
    }
  }

  private void statusChanged(String taskId, Task.TaskStatus status) {
    TaskController c = assigned.get(taskId);
    if (c != null) {
      unsent.merge(taskId, status, Agent::later);
      for (java.util.function.BiConsumer<Task, Task.TaskStatus> l : statusListeners) {
        try {
          l.accept(c.task(), status);
        } catch (RuntimeException e) {
          log.warn("task status listener failed: {}", e.toString());
        }
      }
    }
  }

  private void sendStatuses() {
    Live l = live;
    if (l == null || l.sessionId == null || unsent.isEmpty()) {
      return;
    }
    StatusRequest req = new StatusRequest();
    req.sessionId = l.sessionId;
    for (Map.Entry<String, Task.TaskStatus> en : unsent.entrySet()) {
      if (req.updates.size() >= MAX_STATUS_PER_REPORT) {
        break;
      }
      if (unsent.remove(en.getKey(), en.getValue())) {
        req.updates.add(new StatusRequest.Update(en.getKey(), en.getValue()));
      }
    }
    try {
      transport.reportStatus(l.addr, req);
    } catch (IOException | RuntimeException e) {
      // Not retried: a broken connection also breaks the session, and every new session re-sends each task's
      // current status; a refusal (a task no longer ours) would only fail again.
      log.info("status report to manager {} failed: {}", l.addr, e.toString());
    }
  }

  private static Task.TaskStatus later(Task.TaskStatus a, Task.TaskStatus b) {
    return a.state.canMoveTo(b.state) ? b : a;
  }

  private static Duration period(Long nanos) {
    return nanos == null || nanos <= 0 ? Duration.ofSeconds(5) : Duration.ofNanos(nanos);
  }

  private static java.util.concurrent.ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
