package io.jswarm.scheduler;

import io.jswarm.api.types.Node;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Function;

/**
 * Where the tasks of one group may go, shaped by its spread preferences. Without preferences it is one
 * {@link Leaf}: a heap of the nodes that pass every filter, least loaded first — fewest tasks of the service,
 * then fewest tasks in total, then node id ({@link #SPREAD}); or, for a group whose strategy is binpack,
 * fullest first — highest reserved-resource use, then most tasks, then node id ({@link #BINPACK}). Each spread preference adds a level of {@link Branch}es, one per
 * value of the spread attribute (nodes without it form their own branch), each branch knowing how many tasks
 * of the service its subtree holds. A task goes down the branch holding fewest (value order breaks ties), so
 * tasks split evenly across values, counting the ones already running.
 *
 * <p>Placing a task costs O(log nodes + depth * log values): the chosen node is taken off its heap, charged,
 * and put back only if it still fits. A branch that cannot take a task is dropped for the rest of the group,
 * since all tasks of a group ask the same.
 */
abstract class PlacementTree {
  /** Tasks of the group's service in this subtree, including the ones placed in this pass. */
  long tasks;
  /** The spread value this subtree stands for (null: nodes without the attribute). */
  final String value;

  PlacementTree(String value) {
    this.value = value;
  }

  /** Places one task below here and returns its node, or null when no node here can take it. */
  abstract NodeInfo place(TaskRequirements r);

  /** Whether any node below here could take a task at build time. */
  abstract boolean hasRoom();

  /**
   * The tree for a group with requirements {@code r}. {@code nodesById} must be sorted by node id: a node's
   * position is its final tie-break, compared as an int rather than as a string.
   */
  static PlacementTree build(TaskRequirements r, List<NodeInfo> nodesById) {
    List<Candidate> all = new ArrayList<>(nodesById.size());
    for (int i = 0; i < nodesById.size(); i++) {
      NodeInfo n = nodesById.get(i);
      all.add(new Candidate(n, n.taskCount(r.serviceId), i, NodeFilter.firstRefusal(r, n) == null));
    }
    return build(r, all, 0, null);
  }

  private static PlacementTree build(TaskRequirements r, List<Candidate> nodes, int depth, String value) {
    if (depth == r.spreadAttributes.size()) {
      Leaf leaf = new Leaf(value);
      List<Candidate> fitting = new ArrayList<>(nodes.size());
      for (Candidate c : nodes) {
        leaf.tasks += c.serviceTasks;
        if (c.fits) {
          fitting.add(c);
        }
      }
      leaf.heap = new PriorityQueue<>(Math.max(1, fitting.size()), r.binpack ? BINPACK : SPREAD);
      leaf.heap.addAll(fitting);
      return leaf;
    }
    Function<Node, String> attribute = r.spreadAttributes.get(depth);
    Map<String, List<Candidate>> byValue = new LinkedHashMap<>();
    for (Candidate c : nodes) {
      byValue.computeIfAbsent(attribute.apply(c.info.node()), k -> new ArrayList<>()).add(c);
    }
    Branch branch = new Branch(value);
    List<PlacementTree> children = new ArrayList<>(byValue.size());
    for (Map.Entry<String, List<Candidate>> e : byValue.entrySet()) {
      PlacementTree child = build(r, e.getValue(), depth + 1, e.getKey());
      branch.tasks += child.tasks;
      if (child.hasRoom()) {
        children.add(child);
      }
    }
    branch.children = new PriorityQueue<>(Math.max(1, children.size()), Branch.ORDER);
    branch.children.addAll(children);
    return branch;
  }

  /** Least loaded first: fewest tasks of the service, then fewest tasks, then node id. */
  static final Comparator<Candidate> SPREAD = (a, b) -> {
    int c = Integer.compare(a.serviceTasks, b.serviceTasks);
    if (c != 0) {
      return c;
    }
    c = Integer.compare(a.info.taskCount(), b.info.taskCount());
    return c != 0 ? c : Integer.compare(a.rank, b.rank);
  };

  /** Fullest first: highest reserved-resource use, then most tasks, then node id. */
  static final Comparator<Candidate> BINPACK = (a, b) -> {
    int c = Long.compare(b.use, a.use);
    if (c != 0) {
      return c;
    }
    c = Integer.compare(b.info.taskCount(), a.info.taskCount());
    return c != 0 ? c : Integer.compare(a.rank, b.rank);
  };

  /**
   * A node in a leaf heap, with the count of the group's service and the node's reserved-resource use cached
   * for cheap comparisons.
   */
  static final class Candidate {
    final NodeInfo info;
    /** Position of the node in id order. */
    final int rank;
    /** Whether the node passed every filter when the tree was built. */
    final boolean fits;
    int serviceTasks;
    /** {@link NodeInfo#reservedUse()}, refreshed whenever a task is placed here. */
    long use;

    Candidate(NodeInfo info, int serviceTasks, int rank, boolean fits) {
      this.info = info;
      this.serviceTasks = serviceTasks;
      this.rank = rank;
      this.fits = fits;
      this.use = info.reservedUse();
    }
  }

  static final class Leaf extends PlacementTree {
    PriorityQueue<Candidate> heap;

    Leaf(String value) {
      super(value);
    }

    @Override
    NodeInfo place(TaskRequirements r) {
      Candidate c = heap.poll();
      if (c == null) {
        return null;
      }
      c.info.add(r);
      c.serviceTasks++;
      c.use = c.info.reservedUse();
      tasks++;
      if (NodeFilter.stillFits(r, c.info)) {
        heap.add(c);
      }
      return c.info;
    }

    @Override
    boolean hasRoom() {
      return !heap.isEmpty();
    }
  }

  static final class Branch extends PlacementTree {
    static final Comparator<PlacementTree> ORDER = Comparator.<PlacementTree>comparingLong(t -> t.tasks)
        .thenComparing(t -> t.value, Comparator.nullsLast(Comparator.naturalOrder()));

    PriorityQueue<PlacementTree> children;

    Branch(String value) {
      super(value);
    }

    @Override
    NodeInfo place(TaskRequirements r) {
      PlacementTree child;
      while ((child = children.poll()) != null) {
        NodeInfo n = child.place(r);
        if (n != null) {
          // the child counted the task itself
          tasks++;
          children.add(child);
          return n;
        }
        // full for this group: leave it out
      }
      return null;
    }

    @Override
    boolean hasRoom() {
      return !children.isEmpty();
    }
  }
}
