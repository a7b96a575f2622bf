package io.jswarm.reliability.check;

import io.jswarm.reliability.history.Op;
import io.jswarm.reliability.history.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checker (b): after the cluster is healed, is every acknowledged create and update still there? The final
 * value of a key (read once every fault is over) must come from a write that was not entirely before an
 * acknowledged one: an acknowledged write {@code w} is lost when the final value was written by an operation that
 * completed before {@code w} was invoked, or when the service is gone although no delete could have run after
 * {@code w} started.
 */
public final class LostWriteChecker {
  public static final String NAME = "lost-write";

  /**
   * @param history every operation of the run
   * @param finalValues key -> value read after healing (absent key or null value: no such service)
   */
  public List<Anomaly> check(List<Op> history, Map<String, String> finalValues) {
    Map<String, Op> writerOf = new HashMap<>();
    for (Op op : history) {
      if ((op.type() == Op.Type.CREATE || op.type() == Op.Type.CAS) && op.outcome() != Outcome.FAILED) {
        writerOf.put(op.key() + "\u0000" + op.value(), op);
      }
    }
    List<Anomaly> out = new ArrayList<>();
    for (Op w : history) {
      if (w.outcome() != Outcome.OK || (w.type() != Op.Type.CREATE && w.type() != Op.Type.CAS)) {
        continue;
      }
      String fin = finalValues.get(w.key());
      if (fin == null) {
        boolean deleteAfter = history.stream().anyMatch(d -> d.key().equals(w.key()) && d.type() == Op.Type.DELETE
            && d.outcome() != Outcome.FAILED && d.complete() >= w.invoke());
        if (!deleteAfter) {
          out.add(new Anomaly(NAME, w.key(), "acknowledged " + w + " but the service is gone after healing and no "
              + "delete ran after it"));
        }
        continue;
      }
      Op finalWriter = writerOf.get(w.key() + "\u0000" + fin);
      if (finalWriter == null) {
        out.add(new Anomaly(NAME, w.key(), "final value " + fin + " was never written by any client"));
      } else if (finalWriter != w && finalWriter.complete() < w.invoke()) {
        out.add(new Anomaly(NAME, w.key(), "acknowledged " + w + " was lost: the final value " + fin
            + " comes from the older " + finalWriter));
      }
    }
    return out.stream().distinct().toList();
  }
}
