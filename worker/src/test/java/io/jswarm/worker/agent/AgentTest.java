package io.jswarm.worker.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.SessionRequest;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.TaskState;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AgentTest {
  private final FakeTransport transport = new FakeTransport();
  private final SimulatedExecutor executor = new SimulatedExecutor();
  private final List<Set<String>> retained = new java.util.concurrent.CopyOnWriteArrayList<>();
  private Agent agent;

  @AfterEach
  void tearDown() {
    if (agent != null) {
      agent.close();
    }
    executor.close();
  }

  private Agent start(String... managers) {
    Executor recording = new Executor() {
      @Override
      public TaskRuntime runtime(Task task) {
        return executor.runtime(task);
      }

      @Override
      public void retainOnly(Set<String> taskIds) {
        retained.add(Set.copyOf(taskIds));
      }

      @Override
      public void close() {}
    };
    agent = new Agent(List.of(managers), transport, recording, () -> {
      SessionRequest r = new SessionRequest();
      r.addr = "127.0.0.7";
      return r;
    }, Clock.systemUTC());
    agent.start();
    return agent;
  }

  static Task task(String id, TaskState desired, String... env) {
    Task t = new Task();
    t.id = id;
    t.nodeId = "n1";
    t.desiredState = desired;
    t.status = new Task.TaskStatus();
    t.status.state = TaskState.ASSIGNED;
    t.spec = new TaskSpec();
    t.spec.containerSpec = new ContainerSpec();
    t.spec.containerSpec.image = "busybox";
    t.spec.containerSpec.env = List.of(env);
    return t;
  }

  private static DispatcherMessage session(String id, Node node, String... managers) {
    List<DispatcherMessage.Manager> ms = new ArrayList<>();
    for (String m : managers) {
      ms.add(new DispatcherMessage.Manager("id-" + m, m));
    }
    return DispatcherMessage.session(id, TimeUnit.HOURS.toNanos(1), ms, node);
  }

  @Test
  void controllersFollowAssignments() throws Exception {
    start("m1");
    FakeTransport.FakeSession s = transport.nextSession();
    assertEquals("127.0.0.7", s.request.addr);
    s.push(session("s1", null));
    s.push(DispatcherMessage.fullAssignments(List.of(task("t1", TaskState.RUNNING))));
    transport.awaitState("t1", TaskState.RUNNING);
    assertTrue(transport.reports().stream().allMatch(r -> r.sessionId.equals("s1")));
    TaskState prev = TaskState.ASSIGNED;
    for (Task.TaskStatus st : transport.statuses("t1")) {
      assertTrue(prev.canMoveTo(st.state), "reports move forward only: " + prev + " then " + st.state);
      prev = st.state;
    }

    s.push(DispatcherMessage.incrementalAssignments(List.of(task("t1", TaskState.SHUTDOWN)), List.of()));
    assertEquals("shutdown", transport.awaitState("t1", TaskState.SHUTDOWN).message);

    // A full set replaces everything: t1 is forgotten, t2 starts.
    s.push(DispatcherMessage.fullAssignments(List.of(task("t2", TaskState.RUNNING))));
    transport.awaitState("t2", TaskState.RUNNING);
    assertEquals(Set.of("t2"), agent.taskStatuses().keySet());

    s.push(DispatcherMessage.incrementalAssignments(List.of(), List.of("t2")));
    transport.await("t2 forgotten", () -> agent.taskStatuses().isEmpty());
  }

  @Test
  void sessionAndEndpointsMessagesReachTheNetworkListenerInOrder() throws Exception {
    start("m1");
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    agent.addNetworkListener(m -> seen.add(m.type + (m.dataPathPort == null ? "" : ":" + m.dataPathPort)
        + (m.networks == null ? "" : ":" + m.networks.get(0).networkId)));
    FakeTransport.FakeSession s = transport.nextSession();
    s.push(DispatcherMessage.session("s1", TimeUnit.HOURS.toNanos(1), List.of(), null, 4790));
    s.push(DispatcherMessage.fullAssignments(List.of(task("t1", TaskState.RUNNING))));
    s.push(DispatcherMessage.endpoints(true, List.of(new io.jswarm.api.dispatcher.NetworkEndpoints("netA", 4100,
        true, List.of(), List.of()))));
    transport.await("both messages", () -> seen.size() == 2);
    assertEquals(List.of("session:4790", "endpoints:netA"), seen);
  }

  @Test
  void theExecutorIsReconciledOnceWithTheFirstCompleteAssignmentSet() throws Exception {
    start("m1");
    FakeTransport.FakeSession s = transport.nextSession();
    s.push(session("s1", null));
    s.push(DispatcherMessage.incrementalAssignments(List.of(task("t0", TaskState.RUNNING)), List.of()));
    transport.awaitState("t0", TaskState.RUNNING);
    assertEquals(List.of(), retained, "an incremental set says nothing about the other tasks");
    s.push(DispatcherMessage.fullAssignments(List.of(task("t1", TaskState.RUNNING), task("t2", TaskState.RUNNING))));
    transport.awaitState("t2", TaskState.RUNNING);
    s.push(DispatcherMessage.fullAssignments(List.of(task("t1", TaskState.RUNNING))));
    transport.await("t2 forgotten", () -> !agent.taskStatuses().containsKey("t2"));
    assertEquals(List.of(Set.of("t1", "t2")), retained);
  }

  @Test
  void reconnectsAfterTheStreamBreaksAndReportsAgain() throws Exception {
    start("m1");
    FakeTransport.FakeSession s = transport.nextSession();
    s.push(session("s1", null));
    s.push(DispatcherMessage.fullAssignments(List.of(task("t1", TaskState.RUNNING))));
    transport.awaitState("t1", TaskState.RUNNING);
    s.fail();

    FakeTransport.FakeSession again = transport.nextSession();
    assertEquals("m1", again.addr);
    again.push(session("s2", null));
    transport.await("t1 reported again on s2", () -> transport.reports().stream()
        .anyMatch(r -> r.sessionId.equals("s2") && r.updates.stream().anyMatch(u -> u.taskId.equals("t1")
            && u.status.state == TaskState.RUNNING)));
    assertEquals("m1", agent.connectedManager());
  }

  @Test
  void aFailedSessionGoesToTheNextManagerNotTheDeadLeader() throws Exception {
    start("m1", "m2", "m3");
    // which of the two others comes first is drawn (ManagerRotation); here the draw is the first after m1
    agent.reconnectBackoff(new ReconnectBackoff(Duration.ZERO, Duration.ZERO, () -> 0.0, bound -> 0));
    FakeTransport.FakeSession s = transport.nextSession();
    assertEquals("m1", s.addr);
    s.push(session("s1", null, "m1", "m2", "m3"));
    transport.await("session s1", () -> "m1".equals(agent.connectedManager()));
    transport.unreachable.add("m1"); // the leader died
    s.fail();
    FakeTransport.FakeSession next = transport.nextSession();
    assertEquals("m2", next.addr, "not the dead leader again");
    assertEquals(List.of("m1", "m2"), transport.openedAddrs(), "the dead leader was not retried first");
  }

  @Test
  void aFailedSessionWithTheLeaderARedirectNamedGoesToTheManagerAfterItNotBackToIt() throws Exception {
    Agent a = new Agent(List.of("m1", "m2", "m3"), transport, executor, SessionRequest::new, Clock.systemUTC());
    agent = a;
    a.reconnectBackoff(new ReconnectBackoff(Duration.ZERO, Duration.ZERO, () -> 0.0));
    transport.unreachable.add("m1"); // down at start: the agent moves on to m2
    transport.redirects.put("m2", "m3"); // which names the leader m3
    a.start();
    FakeTransport.FakeSession s = transport.nextSession();
    assertEquals("m3", s.addr);
    s.push(session("s1", null, "m1", "m2", "m3"));
    transport.await("session s1", () -> "m3".equals(a.connectedManager()));
    transport.unreachable.remove("m1");
    transport.unreachable.add("m3"); // the leader died
    s.fail();
    FakeTransport.FakeSession next = transport.nextSession();
    assertEquals("m1", next.addr, "the manager after the failed leader in the list, not the dead leader again");
    assertEquals(List.of("m1", "m2", "m3", "m1"), transport.openedAddrs());
  }

  @Test
  void aSessionThatEndedIsReopenedAfterTheDrawnDelayNotAtOnce() throws Exception {
    Agent a = new Agent(List.of("m1", "m2"), transport, executor, SessionRequest::new, Clock.systemUTC());
    agent = a;
    // every draw is 0.75 of a 800 ms window: 600 ms after the session ends, 1.2 s after a failed attempt
    a.reconnectBackoff(new ReconnectBackoff(Duration.ofMillis(800), Duration.ofSeconds(5), () -> 0.75));
    a.start();
    FakeTransport.FakeSession s = transport.nextSession();
    s.push(session("s1", null, "m1", "m2"));
    transport.await("session s1", () -> "m1".equals(a.connectedManager()));
    long ended = System.nanoTime();
    s.fail();
    FakeTransport.FakeSession next = transport.nextSession();
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ended);
    assertEquals("m2", next.addr);
    assertTrue(waitedMs >= 600, "reopened after " + waitedMs + " ms: every agent would reconnect at once");
  }

  @Test
  void aManagerThatRefusesTheConnectionIsPassedAtOnceNotAfterABackoff() throws Exception {
    Agent a = new Agent(List.of("m1", "m2", "m3"), transport, executor, SessionRequest::new, Clock.systemUTC());
    agent = a;
    // every draw is 0.75 of a 2 s window: 1.5 s after the session ends, 3 s after a failed attempt; after an open
    // session ended, the manager right after it
    a.reconnectBackoff(new ReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(5), () -> 0.75, bound -> 0));
    transport.redirects.put("m2", "m3"); // a follower
    a.start();
    FakeTransport.FakeSession s = transport.nextSession();
    s.push(session("s1", null, "m3", "m1", "m2"));
    transport.await("session s1", () -> "m1".equals(a.connectedManager()));
    s.fail(); // m1's session ended...
    transport.refusing.add("m1"); // ... and m1 is gone for good: it refuses
    transport.redirects.put("m2", "m1"); // a follower that still names it as the leader
    FakeTransport.FakeSession next = transport.nextSession();
    assertEquals("m3", next.addr);
    assertEquals(List.of("m1", "m2", "m1", "m3"), transport.openedAddrs(),
        "the dead leader m2 named refused: the manager after m2 at once, without a delay");
    transport.redirects.clear();
    next.push(session("s2", null, "m3", "m1", "m2"));
    transport.await("session s2", () -> "m3".equals(a.connectedManager()));
    transport.refusing.addAll(List.of("m1", "m2", "m3")); // nothing listens anywhere: no loop, the backoff as usual
    next.fail(); // 1.5 s, m1, m2 and m3 refuse at once, then 3 s
    Thread.sleep(3_000);
    assertEquals(List.of("m1", "m2", "m1", "m3", "m1", "m2", "m3"), transport.openedAddrs(),
        "one turn through the list, then a delay");
  }

  @Test
  void aManagerThatRefusesIsSkippedWithoutTheDelay() throws Exception {
    Agent a = new Agent(List.of("m1", "m2"), transport, executor, SessionRequest::new, Clock.systemUTC());
    agent = a;
    a.reconnectBackoff(new ReconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(5), () -> 0.75));
    a.start();
    FakeTransport.FakeSession s = transport.nextSession();
    s.push(session("s1", null, "m1", "m2"));
    transport.await("session s1", () -> "m1".equals(a.connectedManager()));
    transport.refusing.add("m2");
    s.fail(); // 1.5 s, then m2 refuses: m1 again at once
    long ended = System.nanoTime();
    FakeTransport.FakeSession next = transport.nextSession();
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ended);
    assertEquals("m1", next.addr);
    assertEquals(List.of("m1", "m2", "m1"), transport.openedAddrs());
    assertTrue(waitedMs >= 1_400 && waitedMs < 2_900, "one delay (1.5 s), not two: " + waitedMs + " ms");
  }

  @Test
  void unreachableManagersAreSkippedAndTheListComesFromTheSession() throws Exception {
    transport.unreachable.add("m1");
    start("m1", "m2");
    FakeTransport.FakeSession s = transport.nextSession();
    assertEquals("m2", s.addr);
    s.push(session("s1", null, "m2", "m3"));
    transport.await("manager list", () -> agent.managers().equals(List.of("m2", "m3")));
  }

  @Test
  void followsARedirectToTheLeader() throws Exception {
    transport.redirects.put("m1", "leader:2377");
    start("m1");
    FakeTransport.FakeSession s = transport.nextSession();
    assertEquals("leader:2377", s.addr);
    s.push(session("s1", null));
    transport.await("connected", () -> "leader:2377".equals(agent.connectedManager()));
    assertEquals(List.of("m1", "leader:2377"), transport.openedAddrs());
  }

  @Test
  void aFailedHeartbeatEndsTheSession() throws Exception {
    start("m1");
    FakeTransport.FakeSession s = transport.nextSession();
    transport.heartbeatPeriod = TimeUnit.MILLISECONDS.toNanos(20);
    s.push(DispatcherMessage.session("s1", TimeUnit.MILLISECONDS.toNanos(20), List.of(), null));
    transport.await("heartbeats", () -> transport.heartbeats().size() >= 3);
    assertTrue(transport.heartbeats().stream().allMatch("s1"::equals));
    transport.failHeartbeats = true;
    FakeTransport.FakeSession again = transport.nextSession();
    assertTrue(s.isClosed());
    assertEquals("m1", again.addr);
  }

  @Test
  void theRootsTheDispatcherNamesAreKnownWhileTheSessionLasts() throws Exception {
    start("m1");
    FakeTransport.FakeSession s = transport.nextSession();
    transport.heartbeatPeriod = TimeUnit.MILLISECONDS.toNanos(20);
    transport.rootsDigest = "root-a";
    assertNull(agent.rootsDigest(), "no session yet");
    s.push(DispatcherMessage.session("s1", TimeUnit.MILLISECONDS.toNanos(20), List.of(), null));
    transport.await("the first heartbeat's roots", () -> "root-a".equals(agent.rootsDigest()));
    transport.rootsDigest = "root-a,root-b"; // a rotation starts
    transport.await("the rotation's roots", () -> "root-a,root-b".equals(agent.rootsDigest()));
    s.end();
    FakeTransport.FakeSession again = transport.nextSession();
    assertNull(agent.rootsDigest(), "a session that ended tells nothing: the node asks a manager instead");
    again.close();
  }

  @Test
  void simulatedExitsAreReported() throws Exception {
    start("m1");
    FakeTransport.FakeSession s = transport.nextSession();
    s.push(session("s1", null));
    s.push(DispatcherMessage.fullAssignments(List.of(
        task("fails", TaskState.RUNNING, SimulatedExecutor.EXIT_ENV + "=3", SimulatedExecutor.RUN_MS_ENV + "=20"),
        task("ends", TaskState.RUNNING, SimulatedExecutor.EXIT_ENV + "=0"),
        task("bad-env", TaskState.RUNNING, SimulatedExecutor.EXIT_ENV + "=three"))));
    Task.TaskStatus failed = transport.awaitState("fails", TaskState.FAILED);
    assertEquals("task: non-zero exit (3)", failed.err);
    assertEquals(3L, failed.containerStatus.exitCode);
    Task.TaskStatus done = transport.awaitState("ends", TaskState.COMPLETE);
    assertEquals("finished", done.message);
    assertNull(done.err);
    Task.TaskStatus rejected = transport.awaitState("bad-env", TaskState.REJECTED);
    assertTrue(rejected.err.contains(SimulatedExecutor.EXIT_ENV), rejected.err);
  }

  @Test
  void theNodeObjectReachesListeners() throws Exception {
    List<String> roles = new CopyOnWriteArrayList<>();
    agent = new Agent(List.of("m1"), transport, executor, SessionRequest::new, Clock.systemUTC());
    agent.addNodeListener(n -> roles.add(n.spec.role));
    agent.start();
    FakeTransport.FakeSession s = transport.nextSession();
    s.push(session("s1", node("worker")));
    s.push(DispatcherMessage.node(node("manager")));
    transport.await("node messages", () -> roles.size() == 2);
    assertEquals(List.of("worker", "manager"), roles);
    assertEquals("manager", agent.node().spec.role);
  }

  @Test
  void closeStopsEveryThread() throws Exception {
    start("m1");
    FakeTransport.FakeSession s = transport.nextSession();
    s.push(DispatcherMessage.session("s1", TimeUnit.MILLISECONDS.toNanos(10), List.of(), null));
    s.push(DispatcherMessage.fullAssignments(List.of(task("t1", TaskState.RUNNING))));
    transport.awaitState("t1", TaskState.RUNNING);
    agent.close();
    assertTrue(s.isClosed());
    // a pool counts as terminated as its last worker starts to exit: the thread itself may live a moment longer
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    List<String> alive;
    do {
      alive = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.isAlive() && t.getName().startsWith("agent-")).map(Thread::getName).toList();
    } while (!alive.isEmpty() && System.nanoTime() < deadline && sleep(20));
    assertEquals(List.of(), alive);
  }

  private static boolean sleep(long ms) throws InterruptedException {
    Thread.sleep(ms);
    return true;
  }

  private static Node node(String role) {
    Node n = new Node();
    n.id = "n1";
    n.spec = new Node.Spec();
    n.spec.role = role;
    return n;
  }
}
