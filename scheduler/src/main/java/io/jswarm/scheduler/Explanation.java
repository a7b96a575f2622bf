package io.jswarm.scheduler;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Why a task fits no node, as Swarm words it: {@code no suitable node (insufficient resources on 2 nodes;
 * scheduling constraints not satisfied on 1 node)}. Each node counts once, for the first filter that refuses
 * it; reasons are listed from most nodes to fewest, ties in filter order.
 */
public final class Explanation {
  private Explanation() {}

  /** The message for a task with requirements {@code r} that none of {@code nodes} takes. */
  public static String noSuitableNode(TaskRequirements r, Collection<NodeInfo> nodes) {
    int[] refusals = new int[NodeFilter.values().length];
    for (NodeInfo n : nodes) {
      NodeFilter f = NodeFilter.firstRefusal(r, n);
      if (f != null) {
        refusals[f.ordinal()]++;
      }
    }
    String reasons = reasons(refusals);
    return reasons.isEmpty() ? "no suitable node" : "no suitable node (" + reasons + ")";
  }

  /** The reasons alone (no prefix): what a task bound to one node shows when that node refuses it. */
  public static String reasons(int[] refusalsByFilter) {
    NodeFilter[] filters = NodeFilter.values();
    List<NodeFilter> order = new ArrayList<>();
    for (NodeFilter f : filters) {
      if (refusalsByFilter[f.ordinal()] > 0) {
        order.add(f);
      }
    }
    // Stable sort: equal counts keep filter order.
    order.sort((a, b) -> Integer.compare(refusalsByFilter[b.ordinal()], refusalsByFilter[a.ordinal()]));
    StringBuilder sb = new StringBuilder();
    for (NodeFilter f : order) {
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append(f.explain(refusalsByFilter[f.ordinal()]));
    }
    return sb.toString();
  }
}
