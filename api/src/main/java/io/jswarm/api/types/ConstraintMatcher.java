package io.jswarm.api.types;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The one matcher of placement constraints against nodes, shared by the scheduler (where replicated tasks go)
 * and the global orchestrator (where a global task belongs). It reads the attributes constraints and spread
 * preferences name: {@code node.id}, {@code node.hostname}, {@code node.role}, {@code node.platform.os},
 * {@code node.platform.arch}, {@code node.labels.<name>} and {@code engine.labels.<name>}, with Swarm's rules:
 * keys match case-insensitively and label names case-sensitively; values compare case-insensitively as whole
 * strings; a missing attribute compares as the empty string, so {@code node.labels.x!=y} holds on a node without
 * label {@code x}.
 */
public final class ConstraintMatcher {
  private ConstraintMatcher() {}

  /** True when {@code node} satisfies every constraint. */
  public static boolean matchesAll(Node node, List<PlacementConstraint> constraints) {
    for (PlacementConstraint c : constraints) {
      if (!matches(c, value(node, c.key()))) {
        return false;
      }
    }
    return true;
  }

  /** The attribute's value on {@code node}, or null when the node does not have it (or the key is unknown). */
  public static String value(Node node, String key) {
    return accessor(key).apply(node);
  }

  /**
   * A reader of attribute {@code key}, resolved once so that evaluating it on many nodes costs no string
   * work; it returns null for a node without the attribute (and for every node when the key is unknown).
   */
  public static Function<Node, String> accessor(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    if (lower.startsWith(PlacementConstraint.NODE_LABEL_PREFIX)) {
      String name = key.substring(PlacementConstraint.NODE_LABEL_PREFIX.length());
      return node -> label(node.spec == null ? null : node.spec.labels, name);
    }
    if (lower.startsWith(PlacementConstraint.ENGINE_LABEL_PREFIX)) {
      String name = key.substring(PlacementConstraint.ENGINE_LABEL_PREFIX.length());
      return node -> label(node.description == null || node.description.engine == null
          ? null : node.description.engine.labels, name);
    }
    switch (lower) {
      case "node.id":
        return node -> node.id;
      case "node.hostname":
        return node -> node.description == null ? null : node.description.hostname;
      case "node.role":
        return ConstraintMatcher::role;
      case "node.platform.os":
        return node -> node.description == null || node.description.platform == null ? null
            : node.description.platform.os;
      case "node.platform.arch":
        return node -> node.description == null || node.description.platform == null ? null
            : node.description.platform.architecture;
      default:
        return node -> null;
    }
  }

  /** The node's role: its spec's, else manager when it has a manager status, else worker. */
  public static String role(Node node) {
    if (node.spec != null && node.spec.role != null) {
      return node.spec.role;
    }
    return node.managerStatus != null ? "manager" : "worker";
  }

  /** Whether an attribute's value ({@code actual}, null when absent) satisfies {@code c}. */
  public static boolean matches(PlacementConstraint c, String actual) {
    boolean equal = c.value().equalsIgnoreCase(actual == null ? "" : actual);
    return c.operator() == PlacementConstraint.Operator.EQUALS ? equal : !equal;
  }

  private static String label(Map<String, String> labels, String name) {
    return labels == null ? null : labels.get(name);
  }
}
