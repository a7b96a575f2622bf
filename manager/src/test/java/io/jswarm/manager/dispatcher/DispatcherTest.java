package io.jswarm.manager.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.HeartbeatRequest;
import io.jswarm.api.dispatcher.HeartbeatResponse;
import io.jswarm.api.dispatcher.StatusRequest;
import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.JswarmException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.api.json.Json;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.Router;
import java.util.Map;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.pki.RootCA;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DispatcherTest {
  private final DispatcherHarness h = new DispatcherHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  private static List<String> ids(List<Task> tasks) {
    return tasks.stream().map(t -> t.id).sorted().collect(Collectors.toList());
  }

  private static Task.TaskStatus status(TaskState s, String message) {
    Task.TaskStatus st = new Task.TaskStatus();
    st.state = s;
    st.message = message;
    st.timestamp = "2026-01-01T00:00:01Z";
    return st;
  }

  private HttpResponse report(String node, String session, String task, TaskState s) throws Exception {
    StatusRequest r = new StatusRequest();
    r.sessionId = session;
    r.updates.add(new StatusRequest.Update(task, status(s, s.json())));
    return h.call("/dispatcher/status", DispatcherHarness.peer(node), r);
  }

  private long heartbeat(String node, String session) throws Exception {
    return heartbeatAnswer(node, session).period;
  }

  @Test
  void sessionMarksNodeReadyAndStreamsFullThenIncrementalAssignments() throws Exception {
    h.addNode("n1", "unknown");
    h.addNode("n2", "ready");
    h.addTask("t1", "n1", TaskState.ASSIGNED);
    h.addTask("t2", "n1", TaskState.PENDING); // not yet assigned: invisible
    h.addTask("t3", "n2", TaskState.ASSIGNED);
    h.dispatcher.start();

    FakeSink s = h.open("n1", "127.0.0.5:2377");
    DispatcherMessage session = s.next();
    assertEquals(DispatcherMessage.SESSION, session.type);
    assertEquals(Dispatcher.DEFAULT_HEARTBEAT_PERIOD.toNanos(), session.heartbeatPeriod);
    assertEquals("127.0.0.1:2377", session.managers.get(0).addr);
    assertEquals("n1", session.node.id);
    assertEquals("ready", h.node("n1").status.state);
    assertEquals("127.0.0.5:2377", h.node("n1").status.addr);
    assertEquals("127.0.0.5:7946", h.node("n1").status.clusterAddr); // where managers fetch its task logs
    assertEquals("reported-n1", h.node("n1").description.hostname);

    DispatcherMessage full = s.next();
    assertEquals(DispatcherMessage.ASSIGNMENTS, full.type);
    assertTrue(full.isFull());
    assertEquals(List.of("t1"), ids(full.tasks));

    h.editTask("t2", t -> t.status.state = TaskState.ASSIGNED);
    DispatcherMessage inc = s.next();
    assertFalse(inc.isFull());
    assertEquals(List.of("t2"), ids(inc.tasks));
    assertEquals(List.of(), inc.removed);

    // The agent's own report coming back is not news; the next message is the desired-state change.
    h.editTask("t1", t -> t.status.state = TaskState.RUNNING);
    h.editTask("t1", t -> t.desiredState = TaskState.SHUTDOWN);
    inc = s.next();
    assertEquals(List.of("t1"), ids(inc.tasks));
    assertEquals(TaskState.SHUTDOWN, inc.tasks.get(0).desiredState);

    h.editTask("t1", t -> t.nodeId = "n2");
    assertEquals(List.of("t1"), s.next().removed);
    h.store.update(tx -> {
      tx.tasks().delete("t2");
      return null;
    });
    assertEquals(List.of("t2"), s.next().removed);

    h.store.update(tx -> {
      var n = tx.nodes().get("n1");
      n.spec.availability = "drain";
      return tx.nodes().update(n);
    });
    DispatcherMessage nodeMsg = s.next();
    assertEquals(DispatcherMessage.NODE, nodeMsg.type);
    assertEquals("drain", nodeMsg.node.spec.availability);
    assertEquals(0, s.pending());
  }

  @Test
  void followerRedirectsToTheLeaderOrAnswers503() throws Exception {
    h.addNode("n1", "ready");
    h.leader.set(false);
    assertThrows(UnavailableException.class, () -> h.open("n1", null));

    h.leaderAddr.set("127.0.0.9:2377");
    FakeSink s = h.open("n1", null);
    DispatcherMessage m = s.next();
    assertEquals(DispatcherMessage.REDIRECT, m.type);
    assertEquals("127.0.0.9:2377", m.leaderAddr);
    assertTrue(s.awaitClosed());
    assertEquals(0, s.pending());
  }

  @Test
  void anyManagerNamesTheLeaderItKnowsToACertifiedNodeWithoutASession() throws Exception {
    h.addNode("n1", "ready");
    h.leader.set(false);
    Router.Match m = h.router.match("GET", "/dispatcher/leader");
    HttpRequest noCert = new HttpRequest("GET", "/dispatcher/leader", Map.of(), Map.of(), new byte[0], Map.of(), null);
    JswarmException e = assertThrows(JswarmException.class, () -> m.handler().handle(noCert));
    assertEquals(403, e.httpStatus());
    HttpRequest req = new HttpRequest("GET", "/dispatcher/leader", Map.of(), Map.of(), new byte[0], Map.of(),
        DispatcherHarness.peer("n1"));
    HttpResponse none = m.handler().handle(req);
    assertEquals(200, none.status);
    assertEquals("", Json.fromBytes(none.body, Map.class).get("LeaderAddr"), "no leader known yet");
    h.leaderAddr.set("127.0.0.9:2377");
    assertEquals("127.0.0.9:2377", Json.fromBytes(m.handler().handle(req).body, Map.class).get("LeaderAddr"));
    assertEquals(0, h.dispatcher.sessionCount(), "no session, no node row written");
  }

  @Test
  void callersNeedACertificateAndAKnownNode() throws Exception {
    h.dispatcher.start();
    JswarmException e = assertThrows(JswarmException.class, () -> h.call("/dispatcher/session", null, null));
    assertEquals(403, e.httpStatus());
    assertThrows(NotFoundException.class, () -> h.open("removed-node", null));
    ConflictException c = assertThrows(ConflictException.class, () -> heartbeat("n1", "no-such-session"));
    assertTrue(c.getMessage().contains("open a new session"), c.getMessage());
  }

  @Test
  void statusReportsAreBatchedForwardOnlyAndLimitedToTheCallersTasks() throws Exception {
    h.addNode("n1", "ready");
    h.addNode("n2", "ready");
    h.addTask("a", "n1", TaskState.ASSIGNED);
    h.addTask("b", "n1", TaskState.ASSIGNED);
    h.addTask("foreign", "n2", TaskState.ASSIGNED);
    h.dispatcher.start();
    FakeSink s = h.open("n1", null);
    String session = s.next().sessionId;

    JswarmException denied = assertThrows(JswarmException.class,
        () -> report("n1", session, "foreign", TaskState.RUNNING));
    assertEquals(403, denied.httpStatus());
    assertThrows(ConflictException.class, () -> report("n2", session, "a", TaskState.RUNNING)); // not n2's session

    report("n1", session, "a", TaskState.RUNNING);
    report("n1", session, "b", TaskState.PREPARING);
    h.dispatcher.tick();
    Task a = h.task("a");
    Task b = h.task("b");
    assertEquals(TaskState.RUNNING, a.status.state);
    assertEquals(TaskState.PREPARING, b.status.state);
    assertEquals(a.versionIndex(), b.versionIndex(), "both reports were written in one store batch");
    assertEquals(TaskState.ASSIGNED, h.task("foreign").status.state);

    report("n1", session, "a", TaskState.STARTING); // backwards: ignored
    report("n1", session, "b", TaskState.FAILED);
    h.dispatcher.tick();
    assertEquals(TaskState.RUNNING, h.task("a").status.state);
    assertEquals(a.versionIndex(), h.task("a").versionIndex());
    assertEquals(TaskState.FAILED, h.task("b").status.state);
  }

  @Test
  void missedHeartbeatsMarkTheNodeDownAndCloseItsSession() throws Exception {
    h.addNode("n1", "ready");
    h.dispatcher.start();
    FakeSink s = h.open("n1", null);
    String session = s.next().sessionId;
    s.next();
    assertEquals(Dispatcher.DEFAULT_HEARTBEAT_PERIOD.toNanos(), heartbeat("n1", session));

    h.clock.advance(Duration.ofSeconds(14));
    h.dispatcher.tick();
    assertEquals("ready", h.node("n1").status.state);
    heartbeat("n1", session);
    h.clock.advance(Duration.ofSeconds(15));
    h.dispatcher.tick();
    assertEquals("ready", h.node("n1").status.state, "exactly three periods is not yet late");

    h.clock.advance(Duration.ofSeconds(1));
    h.dispatcher.tick();
    assertEquals("down", h.node("n1").status.state);
    assertEquals(Dispatcher.HEARTBEAT_FAILURE, h.node("n1").status.message);
    assertTrue(s.awaitClosed());
    assertThrows(ConflictException.class, () -> heartbeat("n1", session));

    // Coming back: a new session makes it ready again.
    FakeSink again = h.open("n1", null);
    again.next();
    assertEquals("ready", h.node("n1").status.state);
  }

  @Test
  void nodesLateTogetherAreMarkedDownInOneWrite() throws Exception {
    for (String id : List.of("a", "b", "c")) {
      h.addNode(id, "ready");
    }
    h.dispatcher.start();
    List<FakeSink> sinks = List.of(h.open("a", null), h.open("b", null), h.open("c", null));
    for (FakeSink s : sinks) {
      s.next();
    }
    h.clock.advance(Duration.ofSeconds(16));
    h.dispatcher.tick();
    for (FakeSink s : sinks) {
      assertTrue(s.awaitClosed());
    }
    List<Long> indexes = List.of("a", "b", "c").stream().map(id -> h.node(id).version.index).toList();
    assertEquals(List.of("down", "down", "down"),
        List.of("a", "b", "c").stream().map(id -> h.node(id).status.state).toList());
    assertEquals(1, indexes.stream().distinct().count(), "one Raft write for the three: " + indexes);
  }

  @Test
  void aReconnectToAReadyRowWritesNothingAndADownMarkAfterTheOpenEndsTheSession() throws Exception {
    h.addNode("n1", "unknown");
    h.dispatcher.start();
    FakeSink first = h.open("n1", "192.168.60.1:2377");
    first.next();
    long written = h.node("n1").version.index;
    assertEquals("ready", h.node("n1").status.state);
    first.close();

    // the agent comes back (a new leader, a dropped connection) with the same description and addresses
    FakeSink again = h.open("n1", "192.168.60.1:2377");
    assertEquals(DispatcherMessage.SESSION, again.next().type);
    assertEquals(written, h.node("n1").version.index, "the row already said all of it: no Raft write");

    // a down mark the open did not see (committed after it read the row): the session ends, the next one writes
    h.store.update(tx -> {
      Node n = tx.nodes().get("n1");
      n.status.state = "down";
      return tx.nodes().update(n);
    });
    assertTrue(again.awaitClosed());
    h.open("n1", "192.168.60.1:2377").next();
    assertEquals("ready", h.node("n1").status.state);
    assertTrue(h.node("n1").version.index > written);
  }

  @Test
  void aNodeMarkedDownBetweenItsOpenAndItsRegistrationLosesTheSessionAndTheNextOneMarksItReady() throws Exception {
    h.addNode("n1", "unknown");
    h.dispatcher.start();
    HttpResponse opened = h.openResponse("n1", "192.168.60.1:2377"); // wrote the row ready
    assertEquals("ready", h.node("n1").status.state);
    // a deadline of an earlier session expires now: the down mark commits before this session registers
    h.store.update(tx -> {
      Node n = tx.nodes().get("n1");
      n.status.state = "down";
      return tx.nodes().update(n);
    });
    FakeSink s = new FakeSink();
    opened.streamer.accept(s);
    assertTrue(s.awaitClosed(), "a live session on a node that stays down");
    FakeSink again = h.open("n1", "192.168.60.1:2377");
    assertEquals(DispatcherMessage.SESSION, again.next().type);
    assertEquals("ready", h.node("n1").status.state);
  }

  @Test
  void aHeartbeatNamesTheRootsToTrustAndARotationChangesThem() throws Exception {
    RootCA old = RootCA.create("cluster", java.time.Clock.systemUTC());
    RootCA next = RootCA.create("cluster", java.time.Clock.systemUTC());
    setRoots(old.certPem(), null);
    h.addNode("n1", "ready");
    h.dispatcher.start();
    FakeSink s = h.open("n1", null);
    String session = s.next().sessionId;
    assertEquals(RootCA.digest(old.certificate()), heartbeatAnswer("n1", session).rootsDigest);
    setRoots(old.certPem(), next.certPem()); // the rotation starts: both roots
    String both = heartbeatAnswer("n1", session).rootsDigest;
    assertEquals(RootCA.rootsDigest(List.of(next.certificate(), old.certificate())), both);
    assertNotEquals(RootCA.digest(old.certificate()), both);
    setRoots(next.certPem(), null); // and ends
    assertEquals(RootCA.digest(next.certificate()), heartbeatAnswer("n1", session).rootsDigest);
  }

  private void setRoots(String caCert, String rotationCACert) {
    h.store.update(tx -> {
      var c = tx.cluster().all().get(0);
      c.rootCA = new io.jswarm.api.types.Swarm.RootCAState();
      c.rootCA.caCert = caCert;
      c.rootCA.rotationCACert = rotationCACert;
      return tx.cluster().update(c);
    });
  }

  private HeartbeatResponse heartbeatAnswer(String node, String session) throws Exception {
    HttpResponse r = h.call("/dispatcher/heartbeat", DispatcherHarness.peer(node), new HeartbeatRequest(session));
    return Json.fromBytes(r.body, HeartbeatResponse.class);
  }

  @Test
  void heartbeatPeriodComesFromTheClusterSpec() throws Exception {
    h.store.update(tx -> {
      var c = tx.cluster().all().get(0);
      c.spec.dispatcher = new io.jswarm.api.types.Swarm.Dispatcher();
      c.spec.dispatcher.heartbeatPeriod = Duration.ofSeconds(1).toNanos();
      return tx.cluster().update(c);
    });
    h.addNode("n1", "ready");
    h.dispatcher.start();
    FakeSink s = h.open("n1", null);
    assertEquals(Duration.ofSeconds(1).toNanos(), s.next().heartbeatPeriod);
    h.clock.advance(Duration.ofMillis(3100));
    h.dispatcher.tick();
    assertEquals("down", h.node("n1").status.state);
  }

  @Test
  void theGraceAtALeaderChangeGrowsWithTheReadyNodesUpToAMinute() {
    assertEquals(Duration.ofSeconds(10), LeaderChangeGrace.extra(0));
    assertEquals(Duration.ofMillis(10_060), LeaderChangeGrace.extra(3));
    assertEquals(Duration.ofSeconds(30), LeaderChangeGrace.extra(1_000), "1,000 nodes reconnect in 25-37 s");
    assertEquals(Duration.ofSeconds(60), LeaderChangeGrace.extra(10_000));
  }

  /** Opens a session for each node in {@code nodes}, returning its session id by node. */
  private java.util.Map<String, String> openAll(List<String> nodes) throws Exception {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String n : nodes) {
      out.put(n, h.open(n, null).next().sessionId);
    }
    return out;
  }

  /** Moves the clock, heartbeats every session in {@code open} and runs the periodic work. */
  private void advance(Duration d, java.util.Map<String, String> open) throws Exception {
    h.clock.advance(d);
    for (java.util.Map.Entry<String, String> en : open.entrySet()) {
      heartbeat(en.getKey(), en.getValue());
    }
    h.dispatcher.tick();
  }

  @Test
  void nodesOfTheOldLeaderAreNotMarkedDownWhileTheOthersKeepComingBack() throws Exception {
    for (String n : List.of("a", "b", "late", "dead")) {
      h.addNode(n, "ready");
    }
    h.dispatcher.start();
    Duration base = Duration.ofSeconds(15).plus(LeaderChangeGrace.extra(4));
    java.util.Map<String, String> open = new java.util.LinkedHashMap<>();
    advance(base.minusSeconds(1), open);
    open.putAll(openAll(List.of("a"))); // 1 s before the base deadline
    advance(Duration.ofSeconds(2), open);
    assertEquals("ready", h.node("late").status.state, "past the base deadline, but a node came back 2 s ago");
    advance(Duration.ofSeconds(10), open);
    open.putAll(openAll(List.of("b")));
    advance(Duration.ofSeconds(14), open);
    assertEquals("ready", h.node("dead").status.state, "the last came back 14 s ago: the leader is still at it");
    open.putAll(openAll(List.of("late"))); // 26 s past the base deadline
    advance(Duration.ofSeconds(14), open);
    assertEquals("ready", h.node("dead").status.state);
    advance(Duration.ofSeconds(2), open);
    assertEquals("down", h.node("dead").status.state, "none came back for 16 s: the one still missing is down");
    assertEquals(Dispatcher.HEARTBEAT_FAILURE, h.node("dead").status.message);
    for (String n : List.of("a", "b", "late")) {
      assertEquals("ready", h.node(n).status.state, n);
    }
  }

  @Test
  void aNodeThatDiedWithTheOldLeaderIsDownAtMostThreeMinutesAfterTheStartHoweverTheOthersTrickleBack()
      throws Exception {
    List<String> others = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      others.add("n" + i);
      h.addNode("n" + i, "ready");
    }
    h.addNode("dead", "ready");
    h.dispatcher.start();
    java.util.Map<String, String> open = new java.util.LinkedHashMap<>();
    Duration step = Duration.ofSeconds(10);
    Duration at = Duration.ZERO;
    int next = 0;
    while (at.plus(step).compareTo(LeaderChangeGrace.MAX_HOLD) < 0) {
      advance(step, open);
      at = at.plus(step);
      open.putAll(openAll(List.of(others.get(next++)))); // one comes back every 10 s
      assertEquals("ready", h.node("dead").status.state, "at " + at);
    }
    advance(LeaderChangeGrace.MAX_HOLD.minus(at).plusMillis(100), open);
    assertEquals("down", h.node("dead").status.state, "marked down at the hold's bound");
    assertEquals("down", h.node(others.get(next)).status.state, "and every other node still missing");
    assertEquals("ready", h.node(others.get(next - 1)).status.state, "one that came back stays ready");
    assertEquals("ready", h.node(others.get(0)).status.state);
  }

  @Test
  void withNoNodeComingBackTheBaseDeadlineStands() throws Exception {
    h.addNode("gone", "ready");
    h.dispatcher.start();
    h.clock.advance(Duration.ofSeconds(15).plus(LeaderChangeGrace.extra(1)).plusMillis(1));
    h.dispatcher.tick();
    assertEquals("down", h.node("gone").status.state);
  }

  @Test
  void aNewLeaderGivesReadyNodesAGracePeriod() throws Exception {
    h.addNode("back", "ready");
    h.addNode("gone", "ready");
    h.addNode("already-down", "down");
    h.dispatcher.start();
    h.clock.advance(Duration.ofSeconds(14).plus(LeaderChangeGrace.extra(2)));
    h.dispatcher.tick();
    assertEquals("ready", h.node("gone").status.state);

    FakeSink s = h.open("back", null);
    String session = s.next().sessionId;
    h.clock.advance(Duration.ofSeconds(2));
    heartbeat("back", session);
    h.dispatcher.tick();
    assertEquals("ready", h.node("gone").status.state, "past its deadline, but a node came back 2 s ago");
    h.clock.advance(Duration.ofSeconds(14));
    heartbeat("back", session);
    h.dispatcher.tick();
    assertEquals("ready", h.node("back").status.state);
    assertEquals("down", h.node("gone").status.state, "none came back for 16 s");
    assertNull(h.node("already-down").status.message);
  }

  @Test
  void stopClosesEverySessionAndStartBeginsAFreshTerm() throws Exception {
    h.addNode("n1", "ready");
    h.dispatcher.start();
    FakeSink s = h.open("n1", null);
    String session = s.next().sessionId;
    s.next();
    h.dispatcher.stop();
    assertTrue(s.awaitClosed());
    assertThrows(ConflictException.class, () -> heartbeat("n1", session));

    h.dispatcher.start();
    h.clock.advance(Duration.ofSeconds(14));
    h.dispatcher.tick();
    assertEquals("ready", h.node("n1").status.state, "the new term starts with a full grace");
    FakeSink again = h.open("n1", null);
    assertEquals(DispatcherMessage.SESSION, again.next().type);
    assertEquals(1, h.dispatcher.sessionCount());
  }

  @Test
  void aSecondSessionOfTheSameNodeReplacesTheFirst() throws Exception {
    h.addNode("n1", "ready");
    h.dispatcher.start();
    FakeSink first = h.open("n1", null);
    String firstId = first.next().sessionId;
    FakeSink second = h.open("n1", null);
    second.next();
    assertTrue(first.awaitClosed());
    assertThrows(ConflictException.class, () -> heartbeat("n1", firstId));
    assertEquals(1, h.dispatcher.sessionCount());
  }
}
