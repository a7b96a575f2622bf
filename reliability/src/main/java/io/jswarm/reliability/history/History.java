package io.jswarm.reliability.history;

import io.jswarm.reliability.check.TaskStateChecker;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a nemesis run recorded, shared by its client threads: register operations, task observations and the
 * faults injected (with when they started and healed). Times are {@link System#nanoTime()} minus the run's start.
 */
public final class History {
  private final long start = System.nanoTime();
  private final List<Op> ops = new ArrayList<>();
  private final List<TaskStateChecker.Observation> observations = new ArrayList<>();
  private final List<String> faults = new ArrayList<>();

  /** Nanoseconds since the run started. */
  public long now() {
    return System.nanoTime() - start;
  }

  public synchronized void add(Op op) {
    ops.add(op);
  }

  public synchronized void observe(TaskStateChecker.Observation o) {
    observations.add(o);
  }

  /** Records a fault event ("t=12.3s partition majority/minority [m1,w1] | [m2,m3,w2]"). */
  public synchronized void fault(String what) {
    faults.add(String.format("t=%.1fs %s", now() / 1e9, what));
  }

  public synchronized List<Op> ops() {
    return List.copyOf(ops);
  }

  public synchronized List<TaskStateChecker.Observation> observations() {
    return List.copyOf(observations);
  }

  public synchronized List<String> faults() {
    return List.copyOf(faults);
  }
}
