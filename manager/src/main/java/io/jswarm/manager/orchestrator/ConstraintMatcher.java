package io.jswarm.manager.orchestrator;

import io.jswarm.api.types.Node;
import io.jswarm.api.types.PlacementConstraint;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Matches placement constraints against a node with Swarm's rules: values compare case-insensitively as whole
 * strings; an absent attribute or label compares as the empty string (so {@code node.labels.x!=a} holds on a
 * node without the label); label names are case-sensitive, keys are not.
 *
 * <p>The global orchestrator needs this to know where a task belongs; placement of replicated tasks is the
 * scheduler's. Kept local until a shared matcher exists in {@code api}.
 */
final class ConstraintMatcher {
  private ConstraintMatcher() {}

  static boolean matchesAll(Node n, List<PlacementConstraint> constraints) {
    for (PlacementConstraint c : constraints) {
      if (!matches(n, c)) {
        return false;
      }
    }
    return true;
  }

  static boolean matches(Node n, PlacementConstraint c) {
    boolean equal = value(n, c.key()).equalsIgnoreCase(c.value());
    return c.operator() == PlacementConstraint.Operator.EQUALS ? equal : !equal;
  }

  private static String value(Node n, String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    Node.Description d = n.description;
    switch (lower) {
      case "node.id":
        return orEmpty(n.id);
      case "node.hostname":
        return d == null ? "" : orEmpty(d.hostname);
      case "node.role":
        return n.spec == null || n.spec.role == null ? "worker" : n.spec.role;
      case "node.platform.os":
        return d == null || d.platform == null ? "" : orEmpty(d.platform.os);
      case "node.platform.arch":
        return d == null || d.platform == null ? "" : orEmpty(d.platform.architecture);
      default:
        break;
    }
    if (lower.startsWith(PlacementConstraint.NODE_LABEL_PREFIX)) {
      String label = key.substring(PlacementConstraint.NODE_LABEL_PREFIX.length());
      return label(n.spec == null ? null : n.spec.labels, label);
    }
    if (lower.startsWith(PlacementConstraint.ENGINE_LABEL_PREFIX)) {
      String label = key.substring(PlacementConstraint.ENGINE_LABEL_PREFIX.length());
      return label(d == null || d.engine == null ? null : d.engine.labels, label);
    }
    return "";
  }

  private static String label(Map<String, String> labels, String name) {
    return labels == null ? "" : orEmpty(labels.get(name));
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
