package io.jswarm.manager.controlapi;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.InvalidArgumentException;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeQuorumRuleTest {
  private static final Map<String, String> THREE = Map.of("m1", "a:1", "m2", "b:1", "m3", "c:1");

  @Test
  void demotingAReachableManagerWhileAnotherIsDownWouldLoseQuorum() {
    SwarmLifecycle.ClusterView view = new SwarmLifecycle.ClusterView("m1", THREE, Set.of("m1", "m2"));
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> NodeRoutes.checkQuorumWithout(view, "m2"));
    assertTrue(e.getMessage().contains("loss of quorum"), e.getMessage());
    assertTrue(e.getMessage().contains("1 of the 2 remaining managers are reachable"), e.getMessage());
  }

  @Test
  void demotingTheUnreachableManagerKeepsQuorum() {
    SwarmLifecycle.ClusterView view = new SwarmLifecycle.ClusterView("m1", THREE, Set.of("m1", "m2"));
    assertDoesNotThrow(() -> NodeRoutes.checkQuorumWithout(view, "m3"));
  }

  @Test
  void allReachableIsFine() {
    SwarmLifecycle.ClusterView view = new SwarmLifecycle.ClusterView("m1", THREE, Set.of("m1", "m2", "m3"));
    assertDoesNotThrow(() -> NodeRoutes.checkQuorumWithout(view, "m1"));
  }
}
