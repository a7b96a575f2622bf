package io.jswarm.manager.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jswarm.api.dispatcher.StatusRequest;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StatusWriterTest {
  private final DispatcherHarness h = new DispatcherHarness();
  private final StatusWriter writer = new StatusWriter(h.store);

  @AfterEach
  void tearDown() {
    writer.stop();
    h.close();
  }

  private static StatusRequest.Update update(String task, TaskState s) {
    Task.TaskStatus st = new Task.TaskStatus();
    st.state = s;
    st.message = s.json();
    return new StatusRequest.Update(task, st);
  }

  @Test
  void keepsTheFurthestStateAndOnlyTheAssignedNodesReports() {
    h.addNode("n1", "ready");
    h.addTask("t1", "n1", TaskState.ASSIGNED);
    h.addTask("t2", "n1", TaskState.ASSIGNED);
    writer.queue("n1", List.of(update("t1", TaskState.RUNNING), update("t1", TaskState.STARTING)));
    writer.queue("n2", List.of(update("t2", TaskState.RUNNING))); // not n2's task
    writer.flush();
    assertEquals(TaskState.RUNNING, h.task("t1").status.state);
    assertEquals(TaskState.ASSIGNED, h.task("t2").status.state);

    writer.queue("n1", List.of(update("t1", TaskState.PREPARING))); // backwards: ignored by the store write
    writer.flush();
    assertEquals(TaskState.RUNNING, h.task("t1").status.state);
  }

  @Test
  void writesMoreThanOneBatchInOneFlush() {
    h.addNode("n1", "ready");
    List<StatusRequest.Update> all = new ArrayList<>();
    int n = Dispatcher.MAX_STATUS_BATCH * 2 + 3;
    for (int i = 0; i < n; i++) {
      h.addTask("t" + i, "n1", TaskState.ASSIGNED);
      all.add(update("t" + i, TaskState.RUNNING));
    }
    long before = h.store.viewStale(tx -> tx.index());
    StatusWriter w = writer; // not started: only the test flushes
    w.queue("n1", all.subList(0, 1));
    w.flush();
    w.queue("n1", all);
    w.flush();
    for (int i = 0; i < n; i++) {
      assertEquals(TaskState.RUNNING, h.task("t" + i).status.state);
    }
    long writes = h.store.viewStale(tx -> tx.index()) - before;
    assertEquals(1 + 3, writes, "one store write per batch of " + Dispatcher.MAX_STATUS_BATCH);
  }
}
