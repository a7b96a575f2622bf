package io.jswarm.reliability.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checker (d): after healing, each slot of a replicated service has exactly one task running (desired and
 * observed), and each node runs exactly the tasks the managers say it runs.
 */
public final class SlotChecker {
  public static final String NAME = "slots";

  /** A task as the managers list it after healing. */
  public record Task(String id, String serviceId, int slot, String nodeId, String desiredState, String state) {
    boolean running() {
      return "running".equals(desiredState) && "running".equals(state);
    }
  }

  /**
   * @param replicas service id -> replicas wanted (replicated services only)
   * @param tasks every task the managers list
   * @param runningOnNodes node id -> ids of the tasks that node's agent runs (nodes not asked are left out)
   */
  public List<Anomaly> check(Map<String, Integer> replicas, List<Task> tasks, Map<String, Set<String>> runningOnNodes) {
    List<Anomaly> out = new ArrayList<>();
    Map<String, List<Task>> bySlot = new TreeMap<>();
    for (Task t : tasks) {
      if (t.running() && replicas.containsKey(t.serviceId())) {
        bySlot.computeIfAbsent(t.serviceId() + "." + t.slot(), k -> new ArrayList<>()).add(t);
      }
    }
    replicas.forEach((service, n) -> {
      for (int slot = 1; slot <= n; slot++) {
        List<Task> running = bySlot.getOrDefault(service + "." + slot, List.of());
        if (running.size() != 1) {
          out.add(new Anomaly(NAME, service + "." + slot, running.size() + " running tasks, want exactly 1: "
              + running.stream().map(Task::id).toList()));
        }
      }
    });
    bySlot.keySet().stream().filter(k -> {
      String service = k.substring(0, k.lastIndexOf('.'));
      int slot = Integer.parseInt(k.substring(k.lastIndexOf('.') + 1));
      return slot > replicas.get(service);
    }).forEach(k -> out.add(new Anomaly(NAME, k, "a running task in a slot past the replica count")));
    Map<String, Set<String>> assigned = new HashMap<>();
    for (Task t : tasks) {
      if (t.running() && t.nodeId() != null) {
        assigned.computeIfAbsent(t.nodeId(), k -> new HashSet<>()).add(t.id());
      }
    }
    runningOnNodes.forEach((node, running) -> {
      Set<String> want = assigned.getOrDefault(node, Set.of());
      if (!want.equals(running)) {
        Set<String> extra = new HashSet<>(running);
        extra.removeAll(want);
        Set<String> missing = new HashSet<>(want);
        missing.removeAll(running);
        out.add(new Anomaly(NAME, "node " + node, "node and managers disagree: runs but not assigned " + extra
            + ", assigned running but not run " + missing));
      }
    });
    return out;
  }
}
