package io.jswarm.scheduler;

import static io.jswarm.scheduler.Rows.CPU;
import static io.jswarm.scheduler.Rows.GB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jswarm.api.types.Node;
import io.jswarm.api.types.Platform;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeFilterTest {

  private static NodeFilter refusal(Task t, NodeInfo n) {
    return NodeFilter.firstRefusal(TaskRequirements.of(t, null), n);
  }

  private static NodeFilter refusal(Task t, Node n) {
    return refusal(t, NodeInfo.of(n));
  }

  @Test
  void readyFilterWantsReadyAndActive() {
    Task t = Rows.task("t", "s");
    assertNull(refusal(t, Rows.node("a")));
    Node down = Rows.node("b");
    down.status.state = "down";
    assertEquals(NodeFilter.READY, refusal(t, down));
    Node drained = Rows.node("c");
    drained.spec.availability = "drain";
    assertEquals(NodeFilter.READY, refusal(t, drained));
    Node paused = Rows.node("d");
    paused.spec.availability = "pause";
    assertEquals(NodeFilter.READY, refusal(t, paused));
    Node noStatus = Rows.node("e");
    noStatus.status = null;
    assertEquals(NodeFilter.READY, refusal(t, noStatus));
  }

  @Test
  void resourceFilterComparesReservationsWithWhatIsLeft() {
    NodeInfo n = NodeInfo.of(Rows.node("a"),
        List.of(Rows.reserve(Rows.running("r", "other", "a"), 3 * CPU, 6 * GB)), Map.of());
    assertEquals(CPU, n.availableNanoCPUs());
    assertEquals(2 * GB, n.availableMemoryBytes());
    assertNull(refusal(Rows.reserve(Rows.task("t", "s"), CPU, 2 * GB), n));
    assertEquals(NodeFilter.RESOURCES, refusal(Rows.reserve(Rows.task("t", "s"), CPU + 1, 0), n));
    assertEquals(NodeFilter.RESOURCES, refusal(Rows.reserve(Rows.task("t", "s"), 0, 2 * GB + 1), n));
    Node bare = Rows.node("b");
    bare.description.resources = null;
    assertEquals(NodeFilter.RESOURCES, refusal(Rows.reserve(Rows.task("t", "s"), 1, 0), bare));
    assertNull(refusal(Rows.task("t", "s"), bare), "no reservation fits a node that reports nothing");
  }

  @Test
  void finishedAndPreassignedPendingTasksReserveNothing() {
    Task done = Rows.reserve(Rows.running("d", "s", "a"), 4 * CPU, 0);
    done.status.state = io.jswarm.api.types.TaskState.COMPLETE;
    Task pending = Rows.reserve(Rows.task("p", "s"), 4 * CPU, 0);
    pending.nodeId = "a";
    NodeInfo n = NodeInfo.of(Rows.node("a"), List.of(done, pending), Map.of());
    assertEquals(0, n.taskCount());
    assertEquals(4 * CPU, n.availableNanoCPUs());
  }

  @Test
  void constraintFilterMatchesEveryKeyLikeSwarm() {
    Node n = Rows.labelled("node1", "zone", "east");
    n.description.engine.labels.put("disk", "ssd");
    n.spec.role = "manager";
    String[][] cases = {
        {"node.id==node1", "true"}, {"node.id!=node1", "false"},
        {"node.hostname==host-node1", "true"}, {"node.hostname==other", "false"},
        {"node.role==manager", "true"}, {"node.role==worker", "false"}, {"node.role!=worker", "true"},
        {"node.platform.os==linux", "true"}, {"node.platform.os==windows", "false"},
        {"node.platform.arch==x86_64", "true"}, {"node.platform.arch!=x86_64", "false"},
        {"node.labels.zone==east", "true"}, {"node.labels.zone==EAST", "true"}, {"node.labels.zone==west", "false"},
        {"node.labels.Zone==east", "false"}, {"node.labels.rack!=r1", "true"}, {"node.labels.rack==r1", "false"},
        {"engine.labels.disk==ssd", "true"}, {"engine.labels.disk!=ssd", "false"},
        {"Node.Labels.zone == east", "true"},
    };
    for (String[] c : cases) {
      NodeFilter got = refusal(Rows.constrain(Rows.task("t", "s"), c[0]), n);
      assertEquals(Boolean.parseBoolean(c[1]), got == null, c[0]);
      if (got != null) {
        assertEquals(NodeFilter.CONSTRAINTS, got, c[0]);
      }
    }
    assertEquals(NodeFilter.CONSTRAINTS,
        refusal(Rows.constrain(Rows.task("t", "s"), "node.labels.zone==east", "node.role==worker"), n),
        "all constraints must hold");
    assertEquals(NodeFilter.CONSTRAINTS, refusal(Rows.constrain(Rows.task("t", "s"), "garbage"), n),
        "an unparseable constraint fits nowhere");
  }

  @Test
  void platformFilterTreatsX8664AsAmd64() {
    Task t = Rows.task("t", "s");
    Platform p = new Platform();
    p.os = "linux";
    p.architecture = "amd64";
    Rows.placement(t).platforms = List.of(p);
    assertNull(refusal(t, Rows.node("a")));
    p.architecture = "arm64";
    assertEquals(NodeFilter.PLATFORM, refusal(t, Rows.node("a")));
  }

  @Test
  void hostPortFilterRefusesNodesWherePortIsTaken() {
    Service web = Rows.hostPortService("web", 8080);
    NodeInfo busy = NodeInfo.of(Rows.node("a"), List.of(Rows.running("r", "web", "a")), Map.of("web", web));
    assertEquals(true, busy.hostPortInUse("tcp", 8080));
    TaskRequirements r = TaskRequirements.of(Rows.task("t", "web"), web);
    assertEquals(List.of("tcp/8080"), r.hostPorts());
    assertEquals(NodeFilter.HOST_PORTS, NodeFilter.firstRefusal(r, busy));
    assertNull(NodeFilter.firstRefusal(r, NodeInfo.of(Rows.node("b"))));
    Service other = Rows.hostPortService("other", 9090);
    assertNull(NodeFilter.firstRefusal(TaskRequirements.of(Rows.task("t", "other"), other), busy));
  }

  @Test
  void maxReplicasCountsTasksOfTheSameServiceOnly() {
    NodeInfo n = NodeInfo.of(Rows.node("a"),
        List.of(Rows.running("1", "s", "a"), Rows.running("2", "s", "a"), Rows.running("3", "x", "a")), Map.of());
    assertEquals(2, n.taskCount("s"));
    assertEquals(3, n.taskCount());
    assertEquals(NodeFilter.MAX_REPLICAS, refusal(Rows.maxReplicas(Rows.task("t", "s"), 2), n));
    assertNull(refusal(Rows.maxReplicas(Rows.task("t", "s"), 3), n));
    assertNull(refusal(Rows.maxReplicas(Rows.task("t", "y"), 1), n));
  }

  @Test
  void filtersRunInTheDocumentedOrder() {
    Node n = Rows.node("a");
    n.spec.availability = "drain";
    Task t = Rows.constrain(Rows.reserve(Rows.task("t", "s"), 100 * CPU, 0), "node.role==manager");
    assertEquals(NodeFilter.READY, refusal(t, n));
    n.spec.availability = "active";
    assertEquals(NodeFilter.RESOURCES, refusal(t, n));
    Rows.reserve(t, CPU, 0);
    assertEquals(NodeFilter.CONSTRAINTS, refusal(t, n));
  }

  @Test
  void explainsLikeSwarm() {
    assertEquals("1 node not available for new tasks", NodeFilter.READY.explain(1));
    assertEquals("3 nodes not available for new tasks", NodeFilter.READY.explain(3));
    assertEquals("insufficient resources on 2 nodes", NodeFilter.RESOURCES.explain(2));
    assertEquals("scheduling constraints not satisfied on 1 node", NodeFilter.CONSTRAINTS.explain(1));
    assertEquals("unsupported platform on 4 nodes", NodeFilter.PLATFORM.explain(4));
    assertEquals("host-mode port already in use on 1 node", NodeFilter.HOST_PORTS.explain(1));
    assertEquals("max replicas per node limit exceed", NodeFilter.MAX_REPLICAS.explain(5));
  }
}
