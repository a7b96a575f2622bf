package io.jswarm.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jswarm.api.types.Node;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExplanationTest {

  @Test
  void listsReasonsFromMostNodesToFewestThenInFilterOrder() {
    int[] counts = new int[NodeFilter.values().length];
    counts[NodeFilter.READY.ordinal()] = 1;
    counts[NodeFilter.CONSTRAINTS.ordinal()] = 3;
    counts[NodeFilter.MAX_REPLICAS.ordinal()] = 1;
    assertEquals("scheduling constraints not satisfied on 3 nodes; 1 node not available for new tasks; "
        + "max replicas per node limit exceed", Explanation.reasons(counts));
    assertEquals("", Explanation.reasons(new int[NodeFilter.values().length]));
  }

  @Test
  void countsEachNodeOnceForItsFirstRefusal() {
    Node drainedAndSmall = Rows.node("a");
    drainedAndSmall.spec.availability = "drain";
    drainedAndSmall.description.resources.nanoCPUs = 0L;
    TaskRequirements r = TaskRequirements.of(Rows.reserve(Rows.task("t", "s"), Rows.CPU, 0), null);
    assertEquals("no suitable node (1 node not available for new tasks)",
        Explanation.noSuitableNode(r, List.of(NodeInfo.of(drainedAndSmall))));
  }
}
