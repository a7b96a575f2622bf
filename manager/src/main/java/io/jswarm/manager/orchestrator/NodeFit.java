package io.jswarm.manager.orchestrator;

import io.jswarm.api.types.ConstraintMatcher;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.PlacementConstraint;
import java.util.List;

/** What a node's state and availability mean for the tasks on it. */
enum NodeFit {
  /** Ready (or not yet known), active and, for global services, matching the constraints: may get new tasks. */
  ELIGIBLE,
  /** Paused or disconnected: existing tasks stay, no new ones. */
  KEEP,
  /** Drained, down or no longer matching the constraints: its tasks are shut down. */
  EVICT,
  /** Deleted from the cluster. */
  GONE;

  static final String STATE_DOWN = "down";
  static final String STATE_READY = "ready";
  static final String STATE_UNKNOWN = "unknown";
  static final String AVAILABILITY_DRAIN = "drain";
  static final String AVAILABILITY_PAUSE = "pause";

  /** A replicated task on this node must be replaced elsewhere: the node is gone, down or drained. */
  static boolean evictsReplicated(Node n) {
    return n == null || isDown(n) || isDrained(n);
  }

  /** Fit of a node for one global service with these constraints. */
  static NodeFit forGlobal(Node n, List<PlacementConstraint> constraints) {
    if (n == null) {
      return GONE;
    }
    if (isDown(n) || isDrained(n) || !ConstraintMatcher.matchesAll(n, constraints)) {
      return EVICT;
    }
    String state = state(n);
    boolean known = state == null || state.equalsIgnoreCase(STATE_READY) || state.equalsIgnoreCase(STATE_UNKNOWN);
    if (!known || AVAILABILITY_PAUSE.equalsIgnoreCase(availability(n))) {
      return KEEP;
    }
    return ELIGIBLE;
  }

  static boolean isDown(Node n) {
    return STATE_DOWN.equalsIgnoreCase(state(n));
  }

  static boolean isDrained(Node n) {
    return AVAILABILITY_DRAIN.equalsIgnoreCase(availability(n));
  }

  private static String state(Node n) {
    return n.status == null ? null : n.status.state;
  }

  private static String availability(Node n) {
    return n.spec == null ? null : n.spec.availability;
  }
}
