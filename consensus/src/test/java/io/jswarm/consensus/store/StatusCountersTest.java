package io.jswarm.consensus.store;

import static io.jswarm.consensus.store.Fixtures.localStore;
import static io.jswarm.consensus.store.Fixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The tasks table's {@link Tables#STATUS_COUNTS} counter (what {@code service ls} reads) stays equal to a count
 * made by visiting every task, through creates, status and desired-state changes, node moves and deletes, and
 * inside a transaction with its own pending writes.
 */
class StatusCountersTest {
  private static final TaskState[] STATES = {TaskState.NEW, TaskState.ASSIGNED, TaskState.RUNNING,
      TaskState.COMPLETE, TaskState.FAILED, TaskState.SHUTDOWN};

  @Test
  void countersMatchAFullCountAfterEveryRandomChange() {
    MemoryStore s = localStore();
    Random r = new Random(14);
    List<String> ids = new ArrayList<>();
    for (int step = 0; step < 400; step++) {
      int op = ids.isEmpty() ? 0 : r.nextInt(4);
      if (op == 0) {
        Task t = task(r.nextBoolean() ? "svcA" : "svcB", r.nextInt(50), r.nextBoolean() ? null : "node" + r.nextInt(3),
            r.nextBoolean() ? TaskState.RUNNING : TaskState.SHUTDOWN);
        ids.add(s.update(tx -> tx.tasks().create(t)).id);
      } else if (op == 3 && r.nextInt(3) == 0) {
        String id = ids.remove(r.nextInt(ids.size()));
        s.update(tx -> {
          tx.tasks().delete(id);
          return null;
        });
      } else {
        String id = ids.get(r.nextInt(ids.size()));
        TaskState observed = STATES[r.nextInt(STATES.length)];
        TaskState desired = STATES[r.nextInt(STATES.length)];
        String node = r.nextBoolean() ? null : "node" + r.nextInt(3);
        s.update(tx -> {
          Task t = tx.tasks().get(id);
          t.status = new Task.TaskStatus();
          t.status.state = observed;
          t.desiredState = desired;
          t.nodeId = node;
          return tx.tasks().update(t);
        });
      }
      for (String svc : List.of("svcA", "svcB")) {
        SortedMap<String, Integer> expected = s.viewStale(tx -> fullCount(tx, svc));
        SortedMap<String, Integer> counted = s.viewStale(tx -> new TreeMap<>(tx.tasks().counts(Tables.STATUS_COUNTS,
            svc + "/")));
        assertEquals(expected, counted, "step " + step);
      }
    }
  }

  @Test
  void aTransactionCountsItsOwnPendingWrites() {
    MemoryStore s = localStore();
    String running = s.update(tx -> tx.tasks().create(task("svcA", 1, "n1", TaskState.RUNNING))).id;
    s.update(tx -> {
      Task t = tx.tasks().get(running);
      t.status = new Task.TaskStatus();
      t.status.state = TaskState.RUNNING;
      return tx.tasks().update(t);
    });
    s.update(tx -> {
      assertEquals(Map.of(Tables.statusCountKey("svcA", "n1", null, Tables.COUNT_RUNNING), 1,
          Tables.statusCountKey("svcA", "n1", null, Tables.COUNT_DESIRED), 1), tx.tasks().counts(Tables.STATUS_COUNTS,
          "svcA/"));
      tx.tasks().create(task("svcA", 2, null, TaskState.RUNNING));
      tx.tasks().delete(running);
      SortedMap<String, Integer> counted = new TreeMap<>(tx.tasks().counts(Tables.STATUS_COUNTS, "svcA/"));
      assertEquals(fullCount(tx, "svcA"), counted);
      assertEquals(Map.of(Tables.statusCountKey("svcA", null, null, Tables.COUNT_DESIRED), 1),
          tx.tasks().counts(Tables.STATUS_COUNTS, "svcA/"));
      return null;
    });
  }

  /** The counter's expected content, by visiting every task of {@code serviceId}. */
  private static SortedMap<String, Integer> fullCount(ReadTx tx, String serviceId) {
    SortedMap<String, Integer> out = new TreeMap<>();
    for (Task t : tx.tasks().find(Tables.BY_SERVICE, serviceId)) {
      Long it = t.jobIteration == null ? null : t.jobIteration.index;
      TaskState observed = t.status == null ? null : t.status.state;
      if (observed == TaskState.RUNNING) {
        out.merge(Tables.statusCountKey(serviceId, t.nodeId, it, Tables.COUNT_RUNNING), 1, Integer::sum);
      } else if (observed == TaskState.COMPLETE) {
        out.merge(Tables.statusCountKey(serviceId, t.nodeId, it, Tables.COUNT_COMPLETE), 1, Integer::sum);
      }
      if (t.desiredState != null && (!t.desiredState.isTerminal() || t.desiredState == TaskState.COMPLETE)) {
        out.merge(Tables.statusCountKey(serviceId, t.nodeId, it, Tables.COUNT_DESIRED), 1, Integer::sum);
      }
    }
    return out;
  }
}
