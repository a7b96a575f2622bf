package io.jswarm.consensus.store;

import static io.jswarm.consensus.store.Fixtures.localStore;
import static io.jswarm.consensus.store.Fixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Node;
import io.jswarm.api.types.StoreObject;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link Table} keeps each row's index and counter keys from when it was stored and moves those on an update or a
 * delete instead of computing the old row's again: every index and counter must still answer exactly what a scan
 * that computes every row's keys afresh gives, after random creates, updates (fields of every index, the status
 * only, nothing) and deletes, and after a snapshot is restored into another store and changed further.
 */
class StoredIndexKeysTest {
  private static final TaskState[] STATES = {TaskState.NEW, TaskState.ASSIGNED, TaskState.RUNNING,
      TaskState.COMPLETE, TaskState.FAILED, TaskState.SHUTDOWN};

  @Test
  void indexesAndCountersMatchRecomputedKeysThroughRandomChangesAndASnapshot() throws Exception {
    MemoryStore s = localStore();
    Random r = new Random(16);
    List<String> tasks = new ArrayList<>();
    List<String> nodes = new ArrayList<>();
    randomChanges(s, r, tasks, nodes, 600);
    assertTrue(tasks.size() > 20 && nodes.size() > 3, "the random run left rows to index");
    assertIndexesMatchAScan(s, "before the snapshot");

    ByteArrayOutputStream snap = new ByteArrayOutputStream();
    s.writeSnapshot(snap);
    MemoryStore restored = localStore(new TestClock(Fixtures.T0), 7);
    restored.restoreSnapshot(new ByteArrayInputStream(snap.toByteArray()));
    assertEquals(s.contentHash(), restored.contentHash());
    assertIndexesMatchAScan(restored, "right after the restore");
    randomChanges(restored, r, tasks, nodes, 300);
    assertIndexesMatchAScan(restored, "after changes on the restored store");
  }

  private static void randomChanges(MemoryStore s, Random r, List<String> tasks, List<String> nodes, int steps) {
    for (int step = 0; step < steps; step++) {
      int op = r.nextInt(10);
      if (op == 0 || nodes.isEmpty()) {
        Node n = Fixtures.node(null, "host-" + r.nextInt(8));
        if (r.nextBoolean()) {
          n.spec = new Node.Spec();
          n.spec.name = "name-" + r.nextInt(8);
        }
        nodes.add(s.update(tx -> tx.nodes().create(n)).id);
      } else if (op == 1) {
        String id = nodes.get(r.nextInt(nodes.size()));
        String host = r.nextInt(4) == 0 ? null : "host-" + r.nextInt(8);
        s.update(tx -> {
          Node n = tx.nodes().get(id);
          n.description.hostname = host;
          return tx.nodes().update(n);
        });
      } else if (op <= 4 || tasks.isEmpty()) {
        Task t = task(r.nextBoolean() ? "svcA" : "svcB", r.nextInt(20), r.nextBoolean() ? null : nodeId(r),
            STATES[r.nextInt(STATES.length)]);
        tasks.add(s.update(tx -> tx.tasks().create(t)).id);
      } else if (op == 5) {
        String id = tasks.remove(r.nextInt(tasks.size()));
        s.update(tx -> {
          tx.tasks().delete(id);
          return null;
        });
      } else {
        String id = tasks.get(r.nextInt(tasks.size()));
        int what = r.nextInt(4); // 0: the status only, 1: every indexed field, 2: nothing, 3: some
        TaskState observed = STATES[r.nextInt(STATES.length)];
        TaskState desired = STATES[r.nextInt(STATES.length)];
        String node = r.nextInt(3) == 0 ? null : nodeId(r);
        String service = r.nextInt(5) == 0 ? null : r.nextBoolean() ? "svcA" : "svcB";
        long slot = r.nextInt(20);
        s.update(tx -> {
          Task t = tx.tasks().get(id);
          if (what != 2) {
            t.status = new Task.TaskStatus();
            t.status.state = observed;
          }
          if (what == 1 || what == 3 && r.nextBoolean()) {
            t.nodeId = node;
          }
          if (what == 1 || what == 3 && r.nextBoolean()) {
            t.desiredState = desired;
          }
          if (what == 1) {
            t.serviceId = service;
            t.slot = r.nextBoolean() ? null : slot;
            t.name = r.nextBoolean() ? null : service + "." + slot;
          }
          return tx.tasks().update(t);
        });
      }
    }
  }

  private static String nodeId(Random r) {
    return "node" + r.nextInt(4);
  }

  private static void assertIndexesMatchAScan(MemoryStore s, String when) {
    s.viewStale(tx -> {
      assertTableMatchesAScan(Tables.TASKS, tx.tasks(), when);
      assertTableMatchesAScan(Tables.NODES, tx.nodes(), when);
      return null;
    });
  }

  /** Every key of every index and counter, as a scan computing each row's keys now finds them. */
  private static <T extends StoreObject> void assertTableMatchesAScan(TableSpec<T> spec, TableReader<T> table,
      String when) {
    List<T> rows = table.all();
    for (String index : spec.indexes().keySet()) {
      Map<String, TreeSet<String>> expected = new TreeMap<>();
      for (T row : rows) {
        for (String key : spec.keys(index, row)) {
          expected.computeIfAbsent(key, k -> new TreeSet<>()).add(row.id);
        }
      }
      for (Map.Entry<String, TreeSet<String>> e : expected.entrySet()) {
        assertEquals(new ArrayList<>(e.getValue()), table.find(index, e.getKey()).stream().map(o -> o.id).toList(),
            when + ": index " + index + " key " + e.getKey());
      }
      assertEquals(List.of(), table.find(index, "no-such-key"), when);
    }
    for (String counter : spec.counters().keySet()) {
      SortedMap<String, Integer> expected = new TreeMap<>();
      for (T row : rows) {
        for (String key : spec.counterKeys(counter, row)) {
          expected.merge(key, 1, Integer::sum);
        }
      }
      assertEquals(expected, new TreeMap<>(table.counts(counter, "")), when + ": counter " + counter);
    }
  }
}
