package io.jswarm.reliability.check;

import io.jswarm.reliability.history.Op;
import io.jswarm.reliability.history.Outcome;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checker (a): is each service's history linearizable as a compare-and-set register? A Wing–Gong search (as in
 * Knossos and porcupine) over one key at a time (P-compositionality: a history is linearizable when each key's
 * sub-history is), with memoization of (operations linearized, register value). At each step any operation not
 * yet linearized may go next if no other pending operation completed before it was invoked.
 *
 * <p>Failed operations did not happen and are dropped. Unknown ones (timeouts) may take effect at any point
 * after their invocation, or never: they never block another operation, and the search succeeds once every
 * acknowledged one is placed. Reads with an unknown outcome carry no information and are dropped.
 *
 * <p>Written values are unique, which lets three sound rewrites keep long histories with many timeouts tractable
 * ({@link #settle}): an unknown write whose value someone saw did happen, before the first such observer completed;
 * an unknown compare-and-set whose value nobody saw can be taken as never applied (whatever followed it on its value
 * could only be a delete, which applies to the value before it just as well); and the search tries acknowledged
 * operations before unknown ones, so it does not place timeouts early and backtrack. A read that can go now goes now
 * without branching (see {@link Search#dfs}).
 */
public final class CasRegisterChecker {
  public static final String NAME = "linearizable";
  /** Search states per key before giving up on it as undecided (reported, not counted as an anomaly). */
  static final int MAX_STATES = 2_000_000;

  /** Keys the last {@link #check} could not decide within {@link #MAX_STATES}. */
  private final List<String> undecided = new ArrayList<>();

  public List<Anomaly> check(List<Op> history) {
    undecided.clear();
    Map<String, List<Op>> byKey = new LinkedHashMap<>();
    for (Op op : history) {
      if (op.outcome() == Outcome.FAILED || (op.type() == Op.Type.READ && op.outcome() != Outcome.OK)) {
        continue;
      }
      byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
    }
    List<Anomaly> out = new ArrayList<>();
    byKey.forEach((key, ops) -> {
      Search s = new Search(settle(ops));
      Boolean ok = s.run();
      if (ok == null) {
        undecided.add(key);
      } else if (!ok) {
        out.add(new Anomaly(NAME, key, "no linearization of " + ops.size() + " operations as a CAS register; at"
            + " most " + s.deepest + " could be ordered. Operations: " + s.ops));
      }
    });
    return out;
  }

  public List<String> undecided() {
    return List.copyOf(undecided);
  }

  /**
   * One key's operations with each unknown write either settled as happened (its value was seen by an operation
   * that happened: it then completes, at the latest, when the first of those did) or, for a compare-and-set whose
   * value nobody saw, dropped. Unknown creates and deletes nobody can tell apart stay unknown.
   */
  static List<Op> settle(List<Op> ops) {
    List<Op> out = new ArrayList<>(ops);
    boolean changed = true;
    while (changed) { // a settled write is itself an observer of the value it replaced: repeat to the fixpoint
      changed = false;
      Map<String, Long> firstSeen = new HashMap<>();
      for (Op o : out) {
        String seen = o.outcome() != Outcome.OK ? null
            : o.type() == Op.Type.READ ? o.value() : o.type() == Op.Type.CAS ? o.expected() : null;
        if (seen != null) {
          firstSeen.merge(seen, o.complete(), Math::min);
        }
      }
      for (int i = 0; i < out.size(); i++) {
        Op o = out.get(i);
        boolean unknownWrite = o.outcome() == Outcome.UNKNOWN
            && (o.type() == Op.Type.CREATE || o.type() == Op.Type.CAS);
        Long seenBy = unknownWrite ? firstSeen.get(o.value()) : null;
        if (seenBy != null && seenBy >= o.invoke()) {
          out.set(i, new Op(o.process(), o.type(), o.key(), o.expected(), o.value(), o.invoke(), seenBy,
              Outcome.OK, o.via()));
          changed = true;
        }
        // seen before it was even sent: left unknown, so the search reports the read from the future
      }
    }
    Set<String> seenAnywhere = new HashSet<>();
    for (Op o : out) {
      if (o.outcome() == Outcome.OK && o.type() == Op.Type.READ && o.value() != null) {
        seenAnywhere.add(o.value());
      } else if (o.type() == Op.Type.CAS) {
        seenAnywhere.add(o.expected());
      }
    }
    out.removeIf(o -> o.outcome() == Outcome.UNKNOWN && o.type() == Op.Type.CAS && !seenAnywhere.contains(o.value()));
    return out;
  }

  /** Depth-first Wing–Gong search over one key's operations. */
  private static final class Search {
    final List<Op> ops;
    final int mustPlace;
    final Set<Object> seen = new HashSet<>();
    int deepest;

    /** Per written value, the acknowledged operations that need the register at it (its reads, CAS from it). */
    final Map<String, List<Integer>> needs = new HashMap<>();

    Search(List<Op> ops) {
      this.ops = new ArrayList<>(ops);
      this.ops.sort(Comparator.comparingLong(Op::invoke));
      this.mustPlace = (int) ops.stream().filter(o -> o.outcome() == Outcome.OK).count();
      for (int i = 0; i < this.ops.size(); i++) {
        Op o = this.ops.get(i);
        String need = o.outcome() != Outcome.OK ? null
            : o.type() == Op.Type.READ ? o.value() : o.type() == Op.Type.CAS ? o.expected() : null;
        if (need != null) {
          needs.computeIfAbsent(need, k -> new ArrayList<>()).add(i);
        }
      }
    }

    /**
     * False when {@code op} (at {@code index}) would move the register off {@code value} while an acknowledged
     * operation still needs it there: values are written once, so the register never comes back to it.
     */
    private boolean mayLeave(String value, int index, BitSet done) {
      if (value == null) {
        return true; // "absent" comes back after every delete
      }
      for (int j : needs.getOrDefault(value, List.of())) {
        if (j != index && !done.get(j)) {
          return false;
        }
      }
      return true;
    }

    /** True: linearizable; false: not; null: budget exhausted. */
    Boolean run() {
      // one stack frame per operation placed: a long key's search runs on a thread with a deep stack
      Boolean[] result = new Boolean[1];
      RuntimeException[] failure = new RuntimeException[1];
      Thread t = new Thread(null, () -> {
        try {
          result[0] = dfs(new BitSet(ops.size()), 0, null);
        } catch (BudgetExceeded e) {
          result[0] = null;
        } catch (RuntimeException e) {
          failure[0] = e;
        }
      }, "linearizability-search", 1L << 30);
      t.start();
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      if (failure[0] != null) {
        throw failure[0];
      }
      return result[0];
    }

    private boolean dfs(BitSet done, int placedOk, String value) {
      if (placedOk == mustPlace) {
        return true;
      }
      if (!seen.add(List.of(done.clone(), memoValue(value)))) {
        return false;
      }
      if (seen.size() > MAX_STATES) {
        throw new BudgetExceeded();
      }
      deepest = Math.max(deepest, done.cardinality());
      long minComplete = Long.MAX_VALUE;
      for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
        minComplete = Math.min(minComplete, ops.get(i).complete());
      }
      // a read that may go now and sees the current value goes now, without trying alternatives: in any order
      // that places it later, the value is the same then, and moving it forward breaks no real-time order (it was
      // invoked before every pending operation completed)
      for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
        Op op = ops.get(i);
        if (op.invoke() > minComplete) {
          break;
        }
        if (op.type() == Op.Type.READ && Objects.equals(op.value(), value)) {
          done.set(i);
          boolean found = dfs(done, placedOk + 1, value);
          done.clear(i);
          return found;
        }
      }
      // acknowledged operations first: an unknown one placed early mostly leads to a dead end
      for (boolean acknowledged : new boolean[] {true, false}) {
        // of operations with the same effect here (deletes; creates of values nobody needs) only the one that
        // completes first is tried: any order placing another now can swap the two
        int firstDelete = -1;
        int firstUnseenCreate = -1;
        for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
          Op op = ops.get(i);
          if (op.invoke() > minComplete) {
            break;
          }
          if ((op.outcome() == Outcome.OK) == acknowledged) {
            if (op.type() == Op.Type.DELETE && earlier(i, firstDelete)) {
              firstDelete = i;
            } else if (op.type() == Op.Type.CREATE && !needs.containsKey(op.value()) && earlier(i, firstUnseenCreate)) {
              firstUnseenCreate = i;
            }
          }
        }
        for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
          Op op = ops.get(i);
          if (op.invoke() > minComplete) {
            break; // sorted by invoke: no later op may go before the one that completed at minComplete
          }
          if ((op.outcome() == Outcome.OK) != acknowledged
              || (op.type() == Op.Type.DELETE && i != firstDelete)
              || (op.type() == Op.Type.CREATE && !needs.containsKey(op.value()) && i != firstUnseenCreate)) {
            continue;
          }
          Step next = apply(op, value);
          if (next == null || (op.isWrite() && !mayLeave(value, i, done))) {
            continue;
          }
          done.set(i);
          boolean found = dfs(done, placedOk + (acknowledged ? 1 : 0), next.value);
          done.clear(i);
          if (found) {
            return true;
          }
        }
      }
      return false;
    }

    private boolean earlier(int i, int best) {
      return best < 0 || ops.get(i).complete() < ops.get(best).complete();
    }

    /** The register value as the memo sees it: values no acknowledged operation needs are all alike. */
    private Object memoValue(String value) {
      return value == null ? ABSENT : needs.containsKey(value) ? value : UNSEEN;
    }

    /** The register after {@code op} on {@code value}, or null when {@code op} cannot happen there. */
    private static Step apply(Op op, String value) {
      return switch (op.type()) {
        case CREATE -> value == null ? new Step(op.value()) : null;
        case CAS -> value != null && value.equals(op.expected()) ? new Step(op.value()) : null;
        case READ -> Objects.equals(value, op.value()) ? new Step(value) : null;
        case DELETE -> value != null ? new Step(null) : null;
      };
    }
  }

  private record Step(String value) {}

  private static final Object ABSENT = new Object();
  private static final Object UNSEEN = new Object();

  private static final class BudgetExceeded extends RuntimeException {
    BudgetExceeded() {
      super(null, null, false, false);
    }
  }
}
