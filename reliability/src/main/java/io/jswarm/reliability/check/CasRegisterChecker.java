package io.jswarm.reliability.check;

import io.jswarm.reliability.history.Op;
import io.jswarm.reliability.history.Outcome;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
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
      Search s = new Search(ops);
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

  /** Depth-first Wing–Gong search over one key's operations. */
  private static final class Search {
    final List<Op> ops;
    final int mustPlace;
    final Set<Object> seen = new HashSet<>();
    int deepest;

    Search(List<Op> ops) {
      this.ops = new ArrayList<>(ops);
      this.ops.sort(Comparator.comparingLong(Op::invoke));
      this.mustPlace = (int) ops.stream().filter(o -> o.outcome() == Outcome.OK).count();
    }

    /** True: linearizable; false: not; null: budget exhausted. */
    Boolean run() {
      try {
        return dfs(new BitSet(ops.size()), 0, null);
      } catch (BudgetExceeded e) {
        return null;
      }
    }

    private boolean dfs(BitSet done, int placedOk, String value) {
      if (placedOk == mustPlace) {
        return true;
      }
      if (!seen.add(List.of(done.clone(), Objects.requireNonNullElse(value, "\u0000absent")))) {
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
      for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
        Op op = ops.get(i);
        if (op.invoke() > minComplete) {
          break; // sorted by invoke: no later op may go before the one that completed at minComplete
        }
        Step next = apply(op, value);
        if (next == null) {
          continue;
        }
        done.set(i);
        boolean found = dfs(done, placedOk + (op.outcome() == Outcome.OK ? 1 : 0), next.value);
        done.clear(i);
        if (found) {
          return true;
        }
      }
      return false;
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

  private static final class BudgetExceeded extends RuntimeException {
    BudgetExceeded() {
      super(null, null, false, false);
    }
  }
}
