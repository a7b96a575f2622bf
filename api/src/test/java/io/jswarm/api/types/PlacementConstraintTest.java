package io.jswarm.api.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.types.PlacementConstraint.Operator;
import org.junit.jupiter.api.Test;

class PlacementConstraintTest {

  @Test
  void parsesEveryDocumentedKey() {
    assertEquals(new PlacementConstraint("node.id", Operator.EQUALS, "2ivku8v2gvtg4"),
        PlacementConstraint.parse("node.id==2ivku8v2gvtg4"));
    assertEquals(new PlacementConstraint("node.hostname", Operator.NOT_EQUALS, "node-2"),
        PlacementConstraint.parse(" node.hostname != node-2 "));
    assertEquals(Operator.EQUALS, PlacementConstraint.parse("node.role==manager").operator());
    assertEquals("worker", PlacementConstraint.parse("Node.Role==Worker").value().toLowerCase());
    assertEquals("windows", PlacementConstraint.parse("node.platform.os==windows").value());
    assertEquals("x86_64", PlacementConstraint.parse("node.platform.arch==x86_64").value());
    assertEquals("node.labels.security", PlacementConstraint.parse("node.labels.security==high").key());
    assertEquals("ubuntu-14.04", PlacementConstraint.parse("engine.labels.operatingsystem==ubuntu-14.04").value());
    assertEquals("node.labels.type==production", PlacementConstraint.parse("node.labels.type==production").toString());
  }

  @Test
  void rejectsMalformedExpressionsSayingWhatIsAllowed() {
    assertRejected("node.role", "has no operator; write KEY==VALUE or KEY!=VALUE");
    assertRejected("node.rack==r1", "unknown key \"node.rack\"");
    assertRejected("node.labels.==x", "unknown key \"node.labels.\"");
    assertRejected("node.hostname==", "invalid value \"\"");
    assertRejected("node.hostname==a!=b", "invalid value \"a!=b\"");
    assertRejected("node.role==leader", "a role is manager or worker");
  }

  private static void assertRejected(String expression, String expected) {
    InvalidArgumentException e =
        assertThrows(InvalidArgumentException.class, () -> PlacementConstraint.parse(expression));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
