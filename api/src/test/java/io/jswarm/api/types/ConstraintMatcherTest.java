package io.jswarm.api.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConstraintMatcherTest {
  private static Node node(String role, boolean managerStatus) {
    Node n = new Node();
    n.id = "n1";
    n.spec = new Node.Spec();
    n.spec.role = role;
    n.spec.labels = new HashMap<>(Map.of("zone", "A"));
    n.description = new Node.Description();
    n.description.hostname = "host1";
    if (managerStatus) {
      n.managerStatus = new Node.ManagerStatus();
    }
    return n;
  }

  private static List<PlacementConstraint> parse(String... cs) {
    return java.util.Arrays.stream(cs).map(PlacementConstraint::parse).toList();
  }

  @Test
  void theRoleIsTheSpecsElseManagerWithAManagerStatusElseWorker() {
    assertEquals("manager", ConstraintMatcher.role(node(null, true)));
    assertEquals("worker", ConstraintMatcher.role(node(null, false)));
    assertEquals("worker", ConstraintMatcher.role(node("worker", true)), "the spec wins (a demotion in progress)");
    assertTrue(ConstraintMatcher.matchesAll(node(null, true), parse("node.role==manager")));
    assertFalse(ConstraintMatcher.matchesAll(node(null, true), parse("node.role==worker")));
  }

  @Test
  void valuesCompareCaseInsensitivelyLabelNamesCaseSensitivelyAndAbsentIsEmpty() {
    Node n = node("worker", false);
    assertTrue(ConstraintMatcher.matchesAll(n, parse("node.labels.zone==a", "NODE.HOSTNAME==HOST1")));
    assertFalse(ConstraintMatcher.matchesAll(n, parse("node.labels.Zone==a")));
    assertTrue(ConstraintMatcher.matchesAll(n, parse("node.labels.rack!=r1", "engine.labels.disk!=ssd")));
    assertNull(ConstraintMatcher.value(n, "node.labels.rack"));
    assertNull(ConstraintMatcher.value(n, "node.unknown"));
  }
}
