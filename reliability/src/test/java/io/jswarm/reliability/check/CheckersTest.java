package io.jswarm.reliability.check;

import static io.jswarm.reliability.history.Outcome.FAILED;
import static io.jswarm.reliability.history.Outcome.OK;
import static io.jswarm.reliability.history.Outcome.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.TaskState;
import io.jswarm.reliability.history.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each checker on hand-written histories: each anomaly is found, valid concurrent histories pass. */
class CheckersTest {
  private final CasRegisterChecker linearizable = new CasRegisterChecker();

  @Test
  void validConcurrentHistoryIsLinearizable() {
    List<Op> h = List.of(
        Op.create(1, "s", "a", 0, 10, OK),
        // two overlapping CAS from a: only one may win; p3's read overlaps both and sees b
        Op.cas(1, "s", "a", "b", 20, 40, OK),
        Op.cas(2, "s", "a", "c", 25, 45, FAILED),
        Op.read(3, "s", "b", 30, 35),
        // a CAS whose answer never came, and a later read that shows it took effect after all
        Op.cas(2, "s", "b", "d", 50, 0, UNKNOWN),
        Op.read(1, "s", "b", 55, 60),
        Op.read(3, "s", "d", 70, 80),
        // an unknown create of another key that never happened does not block anything
        Op.create(4, "t", "x", 5, 0, UNKNOWN),
        Op.read(4, "t", null, 90, 95));
    assertEquals(List.of(), linearizable.check(h));
  }

  @Test
  void staleReadIsNotLinearizable() {
    List<Op> h = List.of(
        Op.create(1, "s", "a", 0, 10, OK),
        Op.cas(1, "s", "a", "b", 20, 30, OK),
        Op.read(2, "s", "a", 40, 50)); // after b was acknowledged
    List<Anomaly> found = linearizable.check(h);
    assertEquals(1, found.size(), found.toString());
    assertEquals("s", found.get(0).subject());
  }

  @Test
  void twoAcknowledgedCasFromTheSameValueAreNotLinearizable() {
    List<Op> h = List.of(
        Op.create(1, "s", "a", 0, 10, OK),
        Op.cas(1, "s", "a", "b", 20, 40, OK),
        Op.cas(2, "s", "a", "c", 25, 45, OK)); // both won: a lost update
    assertEquals(1, linearizable.check(h).size());
  }

  @Test
  void readOfAValueNeverWrittenIsNotLinearizable() {
    List<Op> h = List.of(Op.create(1, "s", "a", 0, 10, OK), Op.read(2, "s", "zz", 20, 30));
    assertEquals(1, linearizable.check(h).size());
  }

  @Test
  void randomSequentialHistoriesWithConcurrencyAndTimeoutsPass() {
    Random r = new Random(42);
    for (int run = 0; run < 50; run++) {
      // a real register driven by 4 clients; each op takes effect at a random point inside its span
      List<Op> h = new ArrayList<>();
      String value = null;
      long t = 0;
      int writes = 0;
      for (int i = 0; i < 40; i++) {
        int p = r.nextInt(4);
        long invoke = t + r.nextInt(5);
        long at = invoke + 1 + r.nextInt(5);
        long complete = at + 1 + r.nextInt(20);
        boolean lost = r.nextInt(10) == 0; // answer lost: unknown outcome
        int kind = r.nextInt(4);
        String next = "v" + (++writes);
        Op op;
        if (kind == 0) {
          op = value == null ? Op.create(p, "k", next, invoke, complete, lost ? UNKNOWN : OK)
              : Op.create(p, "k", next, invoke, complete, FAILED);
          value = value == null ? next : value;
        } else if (kind == 1 && value != null) {
          op = Op.cas(p, "k", value, next, invoke, complete, lost ? UNKNOWN : OK);
          value = next;
        } else if (kind == 2 && value != null) {
          op = Op.delete(p, "k", invoke, complete, lost ? UNKNOWN : OK);
          value = null;
        } else {
          op = Op.read(p, "k", value, invoke, complete);
        }
        h.add(op);
        t = at; // the next op takes effect after this one: overlapping spans, a valid order
      }
      assertEquals(List.of(), linearizable.check(h), "run " + run + ": " + h);
    }
  }

  @Test
  void longHistoriesWithManyTimeoutsAreDecided() {
    // the shape of long nemesis runs on one key: thousands of operations, heavy overlap, writes that time out and
    // half of those never take effect; the plain search ran out of its budget on such histories
    for (int[] shape : new int[][] {{3_000, 10, 100}, {8_000, 4, 300}}) {
      List<Op> h = registerHistory(new Random(shape[0]), shape[0], shape[1], shape[2]);
      assertEquals(List.of(), linearizable.check(h), "shape " + List.of(shape[0], shape[1], shape[2]));
      assertEquals(List.of(), linearizable.undecided(), "undecided");
      // and the same history with one stale read in the middle is still caught
      Op cas = h.stream().filter(o -> o.type() == Op.Type.CAS && o.outcome() == OK).skip(200).findFirst().orElseThrow();
      List<Op> stale = new ArrayList<>(h);
      stale.add(Op.read(9, "k", cas.expected(), cas.complete() + 1_000, cas.complete() + 1_001));
      assertEquals(1, linearizable.check(stale).size());
    }
  }

  /**
   * A real register driven by 8 clients: each op takes effect inside its span; one write in {@code lossEvery} times
   * out (unknown), and half of those never take effect.
   */
  private static List<Op> registerHistory(Random r, int n, int lossEvery, int maxSpan) {
    List<Op> h = new ArrayList<>();
    String value = null;
    long t = 0;
    for (int i = 0; i < n; i++) {
      int p = r.nextInt(8);
      long invoke = t + r.nextInt(5);
      long at = invoke + 1 + r.nextInt(5);
      long complete = at + 1 + r.nextInt(maxSpan);
      boolean lost = r.nextInt(lossEvery) == 0;
      boolean applied = !lost || r.nextBoolean();
      int kind = r.nextInt(10);
      String next = "v" + i;
      if (kind < 2) {
        h.add(Op.create(p, "k", next, invoke, complete, value != null ? FAILED : lost ? UNKNOWN : OK));
        value = value == null && applied ? next : value;
      } else if (kind < 7 && value != null) {
        h.add(Op.cas(p, "k", value, next, invoke, complete, lost ? UNKNOWN : OK));
        value = applied ? next : value;
      } else if (kind < 8 && value != null) {
        h.add(Op.delete(p, "k", invoke, complete, lost ? UNKNOWN : OK));
        value = applied ? null : value;
      } else {
        h.add(Op.read(p, "k", value, invoke, complete));
      }
      t = at;
    }
    return h;
  }

  @Test
  void aReportLineParsesBackToItsOperation() {
    for (Op op : List.of(Op.create(-1, "s", "p1-2", 3, 4, OK).via("172.29.0.2:2375"), Op.cas(2, "node:w1", "p1-2", "p2-3", 5, 0,
        UNKNOWN), Op.read(3, "s", null, 6, 7), Op.delete(4, "s", 8, 9, FAILED))) {
      assertEquals(op, Op.parse(op.toString()));
    }
    assertEquals(null, Op.parse("t=12.3s partition majority/minority"));
  }

  @Test
  void unknownWritesAreSettledByWhatWasSeen() {
    List<Op> h = List.of(
        Op.create(1, "s", "a", 0, 10, OK),
        Op.cas(2, "s", "a", "b", 20, 0, UNKNOWN), // seen below: it happened, by 40 at the latest
        Op.cas(3, "s", "a", "c", 21, 0, UNKNOWN), // never seen: as if it never happened
        Op.read(1, "s", "b", 30, 40),
        Op.delete(1, "s", 50, 60, OK),
        Op.create(4, "s", "d", 55, 0, UNKNOWN)); // nobody can tell: stays unknown
    List<Op> settled = CasRegisterChecker.settle(h.stream().filter(o -> o.key().equals("s")).toList());
    assertEquals(5, settled.size(), settled.toString());
    Op b = settled.stream().filter(o -> "b".equals(o.value()) && o.type() == Op.Type.CAS).findFirst().orElseThrow();
    assertEquals(OK, b.outcome());
    assertEquals(40, b.complete());
    assertEquals(UNKNOWN, settled.get(settled.size() - 1).outcome());
    assertEquals(List.of(), linearizable.check(h));
    // a value read before its unknown write was sent is a read from the future, not a settled write
    List<Op> future = List.of(Op.create(1, "s", "a", 0, 10, OK), Op.read(1, "s", "b", 12, 15),
        Op.cas(2, "s", "a", "b", 20, 0, UNKNOWN));
    assertEquals(1, linearizable.check(future).size());
  }

  @Test
  void lostWriteIsFound() {
    List<Op> h = List.of(
        Op.create(1, "s", "a", 0, 10, OK),
        Op.cas(1, "s", "a", "b", 20, 30, OK));
    List<Anomaly> found = new LostWriteChecker().check(h, Map.of("s", "a"));
    assertEquals(1, found.size(), found.toString());
    assertTrue(found.get(0).detail().contains("lost"), found.toString());
    List<Anomaly> gone = new LostWriteChecker().check(h, Map.of());
    assertEquals(2, gone.size(), "both acknowledged writes are gone: " + gone);
  }

  @Test
  void finalValueFromAConcurrentOrLaterWriteIsNoLostWrite() {
    List<Op> h = List.of(
        Op.create(1, "s", "a", 0, 10, OK),
        Op.cas(1, "s", "a", "b", 20, 30, OK),
        Op.cas(2, "s", "b", "c", 25, 0, UNKNOWN),
        Op.create(3, "t", "x", 0, 10, OK),
        Op.delete(3, "t", 12, 0, UNKNOWN));
    assertEquals(List.of(), new LostWriteChecker().check(h, Map.of("s", "c")));
  }

  @Test
  void regressedTaskStateIsFoundAndConcurrentListingsMayDisagree() {
    TaskStateChecker c = new TaskStateChecker();
    List<TaskStateChecker.Observation> ok = List.of(
        new TaskStateChecker.Observation("t1", TaskState.ASSIGNED, 0, 10, "m1#1"),
        new TaskStateChecker.Observation("t1", TaskState.RUNNING, 5, 15, "m2#1"),
        new TaskStateChecker.Observation("t1", TaskState.ASSIGNED, 8, 20, "m3#1"), // overlaps m2#1: fine
        new TaskStateChecker.Observation("t1", TaskState.SHUTDOWN, 30, 40, "m1#2"));
    assertEquals(List.of(), c.check(new ArrayList<>(ok)));
    List<TaskStateChecker.Observation> bad = new ArrayList<>(ok);
    bad.add(new TaskStateChecker.Observation("t1", TaskState.RUNNING, 50, 60, "m2#2"));
    List<Anomaly> found = c.check(bad);
    assertEquals(1, found.size(), found.toString());
    assertTrue(found.get(0).detail().contains("SHUTDOWN"), found.toString());
  }

  @Test
  void doubledSlotMissingSlotAndNodeDisagreementAreFound() {
    SlotChecker c = new SlotChecker();
    List<SlotChecker.Task> fine = List.of(
        new SlotChecker.Task("a", "svc", 1, "n1", "running", "running"),
        new SlotChecker.Task("b", "svc", 2, "n2", "running", "running"),
        new SlotChecker.Task("old", "svc", 2, "n1", "shutdown", "shutdown"));
    assertEquals(List.of(), c.check(Map.of("svc", 2), fine, Map.of("n1", Set.of("a"), "n2", Set.of("b"))));

    List<SlotChecker.Task> doubled = new ArrayList<>(fine);
    doubled.add(new SlotChecker.Task("c", "svc", 1, "n2", "running", "running"));
    List<Anomaly> found = c.check(Map.of("svc", 2), doubled, Map.of());
    assertEquals(1, found.size(), found.toString());
    assertEquals("svc.1", found.get(0).subject());

    assertEquals(1, c.check(Map.of("svc", 3), fine, Map.of()).size(), "slot 3 has no running task");
    List<Anomaly> disagree = c.check(Map.of("svc", 2), fine, Map.of("n1", Set.of("a", "ghost")));
    assertEquals(1, disagree.size(), disagree.toString());
    assertTrue(disagree.get(0).detail().contains("ghost"));
  }

  @Test
  void leftoverResourceIsFound() {
    LeakChecker c = new LeakChecker();
    assertEquals(List.of(), c.check(Set.of("netns:x"), Set.of("netns:x")));
    List<Anomaly> found = c.check(Set.of(), Set.of("link:jsmabc1", "nft:table inet jsmabc"));
    assertEquals(2, found.size());
  }
}
