package io.jswarm.manager.dispatcher;

import io.jswarm.consensus.store.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.Tables;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AssignmentFeedTest {
  private final Sessions sessions = new Sessions(new TestClock(DispatcherHarness.T0));
  private final AssignmentFeed feed = new AssignmentFeed(sessions);

  private static Task task(String id, String node, TaskState state) {
    Task t = new Task();
    t.id = id;
    t.serviceId = "svc";
    t.nodeId = node;
    t.desiredState = TaskState.RUNNING;
    t.status = new Task.TaskStatus();
    t.status.state = state;
    return t;
  }

  private static Event update(long index, Task before, Task after) {
    return new Event(Event.Kind.UPDATE, index, Tables.TASKS, after, before);
  }

  private FakeSink session(String node, long index) {
    FakeSink sink = new FakeSink();
    Session s = new Session("s-" + node, node, sink);
    s.index = index;
    sessions.add(s, Duration.ofSeconds(15));
    return sink;
  }

  @Test
  void changesOfOneBatchGoOutAsOneMessagePerNodeAtTheCommit() throws Exception {
    FakeSink n1 = session("n1", 10);
    FakeSink n2 = session("n2", 10);
    Task a = task("a", "n1", TaskState.ASSIGNED);
    feed.taskChanged(new Event(Event.Kind.CREATE, 11, Tables.TASKS, a, null));
    Task moved = task("a", "n2", TaskState.ASSIGNED); // moved to n2 in the same batch
    feed.taskChanged(update(11, a, moved));
    assertEquals(0, n1.pending(), "nothing goes out before the commit");
    feed.flush();

    DispatcherMessage m1 = n1.next();
    assertEquals(List.of(), m1.tasks);
    assertEquals(List.of("a"), m1.removed);
    DispatcherMessage m2 = n2.next();
    assertEquals(List.of("a"), m2.tasks.stream().map(t -> t.id).toList());
    feed.flush();
    assertEquals(0, n1.pending() + n2.pending(), "a flush without changes sends nothing");
  }

  @Test
  void theAgentsOwnReportsAndChangesItsFullSetHasAreNotSentBack() throws Exception {
    FakeSink n1 = session("n1", 10);
    Task running = task("a", "n1", TaskState.RUNNING);
    Task before = Json.copy(running);
    before.status.state = TaskState.STARTING;
    feed.taskChanged(update(11, before, running)); // the agent's own report, echoed by the store
    feed.taskChanged(new Event(Event.Kind.CREATE, 9, Tables.TASKS, task("b", "n1", TaskState.ASSIGNED), null));
    feed.flush();
    assertEquals(0, n1.pending());

    Task shutdown = Json.copy(running);
    shutdown.desiredState = TaskState.SHUTDOWN; // the manager's decision: sent
    feed.taskChanged(update(12, running, shutdown));
    feed.flush();
    assertEquals(TaskState.SHUTDOWN, n1.next().tasks.get(0).desiredState);
  }

  @Test
  void onlyTasksAtLeastAssignedAreVisible() {
    assertNull(AssignmentFeed.visibleNode(task("a", "n1", TaskState.PENDING)));
    assertEquals("n1", AssignmentFeed.visibleNode(task("a", "n1", TaskState.ASSIGNED)));
    assertNull(AssignmentFeed.visibleNode(task("a", null, TaskState.RUNNING)));
  }

  /**
   * The dispatcher's watch carries the stored rows themselves (shared with every reader of the store): the echo
   * check must read them without ever changing them, not even for a moment (it once cleared three fields and put
   * them back, which another thread encoding the same row could see).
   */
  @Test
  void theEchoCheckNeverChangesTheRowsItCompares() throws Exception {
    Task before = task("a", "n1", TaskState.ASSIGNED);
    Task after = task("a", "n1", TaskState.RUNNING);
    after.version = new io.jswarm.api.types.Version(12);
    after.updatedAt = "2026-01-01T00:00:00Z";
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger seenCleared = new java.util.concurrent.atomic.AtomicInteger();
    Thread reader = new Thread(() -> {
      while (!stop.get()) {
        String json = Json.toString(after); // as the API or a session encodes a stored row
        if (!json.contains("\"Status\"") || !json.contains("\"Version\"") || !json.contains("\"UpdatedAt\"")) {
          seenCleared.incrementAndGet();
        }
      }
    });
    reader.start();
    try {
      for (int i = 0; i < 20_000; i++) {
        assertEquals(true, AssignmentFeed.equalIgnoringStatus(before, after));
      }
    } finally {
      stop.set(true);
      reader.join();
    }
    assertEquals(0, seenCleared.get(), "another reader saw the row with fields cleared");
    assertEquals(TaskState.RUNNING, after.status.state);
  }

  /**
   * A status patch leaves every other field of the task the same object: the echo check tells so without encoding
   * either row. A field that holds another object falls back to the JSON comparison, which still sees equal content as
   * equal and a changed field as a change.
   */
  @Test
  void theEchoCheckComparesFieldsByIdentityBeforeEncoding() {
    Task before = task("a", "n1", TaskState.STARTING);
    before.spec = new io.jswarm.api.types.TaskSpec();
    before.labels = java.util.Map.of("k", "v");
    Task patched = before.shallowCopy(); // as the store's patch apply makes it
    patched.status = new Task.TaskStatus();
    patched.status.state = TaskState.RUNNING;
    patched.version = new io.jswarm.api.types.Version(13);
    patched.updatedAt = "2026-01-01T00:00:01Z";
    assertEquals(true, AssignmentFeed.sameFieldsIgnoringStatus(before, patched));
    assertEquals(true, AssignmentFeed.equalIgnoringStatus(before, patched));

    Task decoded = Json.copy(patched); // a whole row decoded from the log: the same content, other objects
    assertEquals(false, AssignmentFeed.sameFieldsIgnoringStatus(before, decoded));
    assertEquals(true, AssignmentFeed.equalIgnoringStatus(before, decoded));

    Task changed = patched.shallowCopy();
    changed.desiredState = TaskState.SHUTDOWN;
    assertEquals(false, AssignmentFeed.sameFieldsIgnoringStatus(before, changed));
    assertEquals(false, AssignmentFeed.equalIgnoringStatus(before, changed));
  }
}
