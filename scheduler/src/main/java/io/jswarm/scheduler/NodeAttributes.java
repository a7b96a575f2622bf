package io.jswarm.scheduler;

import io.jswarm.api.types.Node;
import io.jswarm.api.types.PlacementConstraint;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the node attributes that constraints and spread preferences name: {@code node.id},
 * {@code node.hostname}, {@code node.role}, {@code node.platform.os}, {@code node.platform.arch},
 * {@code node.labels.<name>} and {@code engine.labels.<name>}. Keys match case-insensitively, label names
 * case-sensitively, as in Swarm.
 */
final class NodeAttributes {
  private NodeAttributes() {}

  /** The attribute's value on {@code node}, or null when the node does not have it (or the key is unknown). */
  static String value(Node node, String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    if (lower.startsWith(PlacementConstraint.NODE_LABEL_PREFIX)) {
      return label(node.spec == null ? null : node.spec.labels, key, PlacementConstraint.NODE_LABEL_PREFIX);
    }
    if (lower.startsWith(PlacementConstraint.ENGINE_LABEL_PREFIX)) {
      Map<String, String> labels = node.description == null || node.description.engine == null
          ? null : node.description.engine.labels;
      return label(labels, key, PlacementConstraint.ENGINE_LABEL_PREFIX);
    }
    switch (lower) {
      case "node.id":
        return node.id;
      case "node.hostname":
        return node.description == null ? null : node.description.hostname;
      case "node.role":
        return role(node);
      case "node.platform.os":
        return node.description == null || node.description.platform == null ? null
            : node.description.platform.os;
      case "node.platform.arch":
        return node.description == null || node.description.platform == null ? null
            : node.description.platform.architecture;
      default:
        return null;
    }
  }

  /** The node's role: its spec's, else manager when it has a manager status, else worker. */
  static String role(Node node) {
    if (node.spec != null && node.spec.role != null) {
      return node.spec.role;
    }
    return node.managerStatus != null ? "manager" : "worker";
  }

  private static String label(Map<String, String> labels, String key, String prefix) {
    return labels == null ? null : labels.get(key.substring(prefix.length()));
  }

  /**
   * Swarm's matching: the value compares case-insensitively; a missing attribute compares as the empty
   * string, so {@code node.labels.x!=y} holds on a node without label {@code x}.
   */
  static boolean matches(PlacementConstraint c, Node node) {
    String actual = value(node, c.key());
    boolean equal = c.value().equalsIgnoreCase(actual == null ? "" : actual);
    return c.operator() == PlacementConstraint.Operator.EQUALS ? equal : !equal;
  }
}
