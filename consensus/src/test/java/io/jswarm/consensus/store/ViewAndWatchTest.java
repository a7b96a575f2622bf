package io.jswarm.consensus.store;

import static io.jswarm.consensus.store.Fixtures.localStore;
import static io.jswarm.consensus.store.Fixtures.node;
import static io.jswarm.consensus.store.Fixtures.service;
import static io.jswarm.consensus.store.Fixtures.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ViewAndWatchTest {
  private static final int WRITES = 300;

  private record Snapshot(long index, Set<String> taskIds) {}

  /**
   * A writer creates {@link #WRITES} tasks (and touches an unrelated service after every tenth) while another
   * thread opens viewAndWatch at a seeded moment. Whatever the moment, the snapshot plus the watched events
   * must account for every task exactly once.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void snapshotPlusEventsSeeEveryWriteExactlyOnce(long seed) throws Exception {
    MemoryStore s = localStore(new TestClock(Fixtures.T0), seed);
    String noise = s.update(tx -> tx.services().create(service("noise")).id);
    int openAfter = new Random(seed).nextInt(WRITES + 1);
    AtomicInteger written = new AtomicInteger();
    CyclicBarrier start = new CyclicBarrier(2);
    AtomicReference<Throwable> failure = new AtomicReference<>();

    Thread writer = new Thread(() -> {
      try {
        start.await();
        for (int i = 0; i < WRITES; i++) {
          int slot = i;
          s.update(tx -> tx.tasks().create(task("svc", slot, "node1", TaskState.RUNNING)));
          if (i % 10 == 0) {
            s.update(tx -> tx.services().update(tx.services().get(noise)));
          }
          written.incrementAndGet();
        }
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "writer");
    writer.start();
    start.await();
    while (written.get() < openAfter) {
      Thread.onSpinWait();
    }
    WatchedView<Snapshot> wv = s.viewAndWatch(
        tx -> new Snapshot(tx.index(), new HashSet<>(tx.tasks().all().stream().map(t -> t.id).toList())),
        e -> e.isIn(Tables.TASKS));
    writer.join(TimeUnit.SECONDS.toMillis(10));
    assertFalse(writer.isAlive());
    assertNull(failure.get());

    Set<String> seen = new HashSet<>(wv.snapshot().taskIds());
    long lastCommit = wv.snapshot().index();
    long pendingRowIndex = -1;
    int creates = 0;
    for (Event e = wv.watch().poll(); e != null; e = wv.watch().poll()) {
      if (e.isCommit()) {
        assertTrue(e.index() > lastCommit, "commit indexes increase: " + e.index() + " after " + lastCommit);
        assertTrue(pendingRowIndex == -1 || pendingRowIndex == e.index(), "row events precede their commit");
        lastCommit = e.index();
        pendingRowIndex = -1;
      } else {
        assertEquals(Event.Kind.CREATE, e.kind(), "the filter lets only task events through");
        assertTrue(e.index() > wv.snapshot().index(), "no event from before the snapshot");
        assertTrue(seen.add(e.as(Tables.TASKS).id), "no duplicate of a row already seen");
        assertEquals(e.index(), e.object().versionIndex());
        pendingRowIndex = e.index();
        creates++;
      }
    }
    assertEquals(WRITES, seen.size(), "snapshot (" + wv.snapshot().taskIds().size() + ") + creates (" + creates
        + ") == all writes");
    assertEquals(s.appliedIndex(), lastCommit, "every batch after the snapshot ended in a commit event");
    wv.watch().close();
  }

  @Test
  void commitEventsPassEveryFilterAndRowEventsOnlyMatchingOnes() {
    MemoryStore s = localStore();
    Watch nodesOnly = s.watch(e -> e.isIn(Tables.NODES));
    s.update(tx -> tx.services().create(service("web")));
    s.update(tx -> tx.nodes().create(node("n1", "host")));
    List<Event> events = drain(nodesOnly);
    assertEquals(List.of("COMMIT@1", "CREATE@2", "COMMIT@2"), describe(events));
    assertEquals("n1", events.get(1).as(Tables.NODES).id);
    assertThrows(IllegalArgumentException.class, () -> events.get(1).as(Tables.SERVICES));
  }

  @Test
  void updateAndDeleteEventsCarryTheOldAndRemovedRow() {
    MemoryStore s = localStore();
    String id = s.update(tx -> tx.services().create(service("web")).id);
    Watch w = s.watch(e -> true);
    s.update(tx -> {
      Service svc = tx.services().get(id);
      svc.spec.name = "api";
      return tx.services().update(svc);
    });
    s.update(tx -> {
      tx.services().delete(id);
      return null;
    });
    List<Event> events = drain(w);
    assertEquals(List.of("UPDATE@2", "COMMIT@2", "DELETE@3", "COMMIT@3"), describe(events));
    assertEquals("api", ((Service) events.get(0).object()).spec.name);
    assertEquals("web", ((Service) events.get(0).old()).spec.name);
    assertEquals(1, events.get(0).old().versionIndex());
    assertEquals("api", ((Service) events.get(2).object()).spec.name, "a delete carries the removed row");
    assertNull(events.get(2).old());
  }

  @Test
  void aRejectedBatchProducesNoEvents() {
    MemoryStore s = localStore();
    String id = s.update(tx -> tx.services().create(service("web")).id);
    Watch w = s.watch(e -> true);
    byte[] stale = ChangeBatch.encode(List.of(new Change(Change.Op.DELETE, Tables.SERVICES, id, 99, null)));
    assertFalse(s.apply(2, stale).isOk());
    assertNull(w.poll());
  }

  @Test
  void eventsHoldCopiesOfTheirOwn() {
    MemoryStore s = localStore();
    Watch a = s.watch(e -> true);
    Watch b = s.watch(e -> true);
    String id = s.update(tx -> tx.services().create(service("web")).id);
    String hash = s.contentHash();

    Service fromA = (Service) a.poll().object();
    fromA.spec.name = "mutated";
    fromA.spec.labels.put("k", "v");
    assertEquals(hash, s.contentHash());
    assertEquals("web", s.viewStale(tx -> tx.services().get(id)).spec.name);
    assertEquals("web", ((Service) b.poll().object()).spec.name, "each watcher has its own copy");
  }

  @Test
  void closingAWatchStopsItsEvents() throws Exception {
    MemoryStore s = localStore();
    WatchedView<Integer> wv = s.viewAndWatch(tx -> tx.services().count(), e -> true);
    assertEquals(0, wv.snapshot());
    Watch w = wv.watch();
    s.update(tx -> tx.services().create(service("web")));
    assertFalse(w.isClosed());
    assertNull(w.closedReason());
    w.close();
    assertTrue(w.isClosed());
    assertEquals("closed by its owner", w.closedReason());
    s.update(tx -> tx.services().create(service("db")));

    assertEquals(List.of("CREATE@1", "COMMIT@1"), describe(drain(w)), "events queued before the close remain");
    assertNull(w.poll(1, TimeUnit.MINUTES), "a closed, drained watch returns at once");
  }

  @Test
  void aTaskEventCanBeReadAsATask() {
    MemoryStore s = localStore();
    Watch w = s.watch(e -> e.isIn(Tables.TASKS) && e.as(Tables.TASKS).nodeId.equals("n2"));
    s.update(tx -> {
      tx.tasks().create(task("svc", 1, "n1", TaskState.RUNNING));
      tx.tasks().create(task("svc", 2, "n2", TaskState.RUNNING));
      return null;
    });
    List<Event> events = drain(w);
    assertEquals(List.of("CREATE@1", "COMMIT@1"), describe(events));
    Task t = events.get(0).as(Tables.TASKS);
    assertEquals(2L, t.slot);
  }

  static List<Event> drain(Watch w) {
    List<Event> out = new ArrayList<>();
    for (Event e = w.poll(); e != null; e = w.poll()) {
      out.add(e);
    }
    return out;
  }

  static List<String> describe(List<Event> events) {
    return events.stream().map(e -> e.kind() + "@" + e.index()).toList();
  }
}
