package io.jswarm.scheduler;

import io.jswarm.api.types.ConstraintMatcher;
import io.jswarm.api.types.PlacementConstraint;
import io.jswarm.api.types.Platform;
import java.util.List;

/**
 * The checks a node must pass to take a task, in the order they run. The first one that refuses is the
 * node's reason; {@link #explain} words it for a number of nodes the way Swarm does, and
 * {@link Explanation} joins the reasons into the message a pending task shows in {@code service ps}.
 *
 * <p>{@link #READY}, {@link #CONSTRAINTS} and {@link #PLATFORM} depend only on the node row;
 * {@link #RESOURCES}, {@link #HOST_PORTS} and {@link #MAX_REPLICAS} also on what is already placed there.
 */
public enum NodeFilter {
  /** Status {@code ready} and availability {@code active} (no availability set counts as active). */
  READY(false) {
    @Override
    boolean enabled(TaskRequirements r) {
      return true;
    }

    @Override
    boolean accepts(TaskRequirements r, NodeInfo n) {
      return n.takesNewTasks();
    }

    @Override
    public String explain(int nodes) {
      return nodes == 1 ? "1 node not available for new tasks" : nodes + " nodes not available for new tasks";
    }
  },

  /** The reserved NanoCPUs and MemoryBytes fit in the node's capacity minus what its tasks reserve. */
  RESOURCES(true) {
    @Override
    boolean enabled(TaskRequirements r) {
      return r.nanoCPUs > 0 || r.memoryBytes > 0;
    }

    @Override
    boolean accepts(TaskRequirements r, NodeInfo n) {
      return r.nanoCPUs <= n.availableNanoCPUs() && r.memoryBytes <= n.availableMemoryBytes();
    }

    @Override
    public String explain(int nodes) {
      return "insufficient resources on " + count(nodes);
    }
  },

  /** Every placement constraint holds on the node. */
  CONSTRAINTS(false) {
    @Override
    boolean enabled(TaskRequirements r) {
      return r.invalidConstraint || !r.constraints.isEmpty();
    }

    @Override
    boolean accepts(TaskRequirements r, NodeInfo n) {
      if (r.invalidConstraint) {
        return false;
      }
      List<PlacementConstraint> cs = r.constraints;
      for (int i = 0; i < cs.size(); i++) {
        if (!ConstraintMatcher.matches(cs.get(i), r.constraintAttributes.get(i).apply(n.node()))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String explain(int nodes) {
      return "scheduling constraints not satisfied on " + count(nodes);
    }
  },

  /** The node's OS and architecture are among {@code Placement.Platforms} (x86_64 and amd64 are one). */
  PLATFORM(false) {
    @Override
    boolean enabled(TaskRequirements r) {
      return !r.platforms.isEmpty();
    }

    @Override
    boolean accepts(TaskRequirements r, NodeInfo n) {
      Platform np = n.node().description == null ? null : n.node().description.platform;
      if (np == null) {
        return false;
      }
      for (Platform p : r.platforms) {
        if (p != null && (isEmpty(p.os) || p.os.equalsIgnoreCase(np.os))
            && (isEmpty(p.architecture) || arch(p.architecture).equals(arch(np.architecture)))) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String explain(int nodes) {
      return "unsupported platform on " + count(nodes);
    }
  },

  /** None of the task's host-mode published ports is taken on the node. */
  HOST_PORTS(true) {
    @Override
    boolean enabled(TaskRequirements r) {
      return !r.hostPorts.isEmpty();
    }

    @Override
    boolean accepts(TaskRequirements r, NodeInfo n) {
      for (String p : r.hostPorts) {
        if (n.hostPortInUse(p)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String explain(int nodes) {
      return "host-mode port already in use on " + count(nodes);
    }
  },

  /** Fewer than {@code Placement.MaxReplicas} tasks of the service are on the node. */
  MAX_REPLICAS(true) {
    @Override
    boolean enabled(TaskRequirements r) {
      return r.maxReplicas > 0;
    }

    @Override
    boolean accepts(TaskRequirements r, NodeInfo n) {
      return n.taskCount(r.serviceId) < r.maxReplicas;
    }

    @Override
    public String explain(int nodes) {
      return "max replicas per node limit exceed";
    }
  };

  private static final NodeFilter[] ALL = values();

  private final boolean dependsOnPlacedTasks;

  NodeFilter(boolean dependsOnPlacedTasks) {
    this.dependsOnPlacedTasks = dependsOnPlacedTasks;
  }

  /** Whether the filter has anything to check for tasks with these requirements. */
  abstract boolean enabled(TaskRequirements r);

  /** Whether the node passes; only called when {@link #enabled}. */
  abstract boolean accepts(TaskRequirements r, NodeInfo n);

  /** Swarm's wording of this refusal on {@code nodes} nodes. */
  public abstract String explain(int nodes);

  /** True for filters whose answer changes as tasks are placed on the node. */
  public boolean dependsOnPlacedTasks() {
    return dependsOnPlacedTasks;
  }

  /** The first filter that refuses {@code n} for a task with requirements {@code r}, or null when it fits. */
  public static NodeFilter firstRefusal(TaskRequirements r, NodeInfo n) {
    for (NodeFilter f : ALL) {
      if (f.enabled(r) && !f.accepts(r, n)) {
        return f;
      }
    }
    return null;
  }

  /** Like {@link #firstRefusal} over the filters that depend on placed tasks only. */
  static boolean stillFits(TaskRequirements r, NodeInfo n) {
    for (NodeFilter f : ALL) {
      if (f.dependsOnPlacedTasks && f.enabled(r) && !f.accepts(r, n)) {
        return false;
      }
    }
    return true;
  }

  private static String count(int nodes) {
    return nodes == 1 ? "1 node" : nodes + " nodes";
  }

  private static boolean isEmpty(String s) {
    return s == null || s.isEmpty();
  }

  private static String arch(String a) {
    return a == null ? "" : a.equalsIgnoreCase("x86_64") ? "amd64" : a.toLowerCase(java.util.Locale.ROOT);
  }
}
