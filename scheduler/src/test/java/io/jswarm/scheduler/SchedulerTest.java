package io.jswarm.scheduler;

import static io.jswarm.scheduler.Rows.CPU;
import static io.jswarm.scheduler.Rows.GB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Node;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchedulerTest {

  @Test
  void spreadsAServiceEvenlyAndPrefersEmptierNodes() {
    List<NodeInfo> nodes = new ArrayList<>(Rows.infos(Rows.node("a"), Rows.node("b")));
    // c already runs two tasks of another service: same-service counts tie, so the total decides
    nodes.add(NodeInfo.of(Rows.node("c"),
        List.of(Rows.running("x1", "other", "c"), Rows.running("x2", "other", "c")), Map.of()));
    SchedulingResult r = Scheduler.schedule(nodes, Rows.tasks("t", "web", 6), Map.of());
    assertEquals(Map.of("a", 2, "b", 2, "c", 2), Rows.perNode(r));
    r = Scheduler.schedule(nodes, Rows.tasks("u", "web", 1), Map.of());
    assertEquals("a", r.placements().get("u0"), "equal per-service counts: fewer tasks in total, then id");
  }

  @Test
  void fewestTasksOfTheSameServiceComesBeforeFewestTasksOverall() {
    NodeInfo a = NodeInfo.of(Rows.node("a"), List.of(Rows.running("1", "web", "a")), Map.of());
    NodeInfo b = NodeInfo.of(Rows.node("b"),
        List.of(Rows.running("2", "db", "b"), Rows.running("3", "db", "b"), Rows.running("4", "db", "b")), Map.of());
    SchedulingResult r = Scheduler.schedule(List.of(a, b), Rows.tasks("t", "web", 1), Map.of());
    assertEquals("b", r.placements().get("t0"));
  }

  @Test
  void reservationsAccumulateWithinOnePass() {
    List<NodeInfo> nodes = Rows.infos(Rows.node("a"), Rows.node("b"));
    List<Task> tasks = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      tasks.add(Rows.reserve(Rows.task("big" + i, "big"), 3 * CPU / 2, GB)); // 2 fit per node
    }
    tasks.add(Rows.reserve(Rows.task("small", "small"), CPU / 2, GB)); // another group, after the big ones
    SchedulingResult r = Scheduler.schedule(nodes, tasks, Map.of());
    assertEquals(4, r.placements().keySet().stream().filter(id -> id.startsWith("big")).count());
    assertEquals("no suitable node (insufficient resources on 2 nodes)", r.unplaced().get("big4"));
    assertEquals(null, r.unplaced().get("small"));
    assertEquals(3 * CPU / 2, nodes.get(0).availableNanoCPUs() + nodes.get(1).availableNanoCPUs());
  }

  @Test
  void explainsWhyNoNodeFitsFromMostToFewestNodes() {
    Node tiny1 = Rows.labelled("a", "zone", "east");
    tiny1.description.resources.nanoCPUs = CPU / 10;
    Node tiny2 = Rows.labelled("b", "zone", "east");
    tiny2.description.resources.nanoCPUs = CPU / 10;
    Node west = Rows.labelled("c", "zone", "west");
    Task t = Rows.constrain(Rows.reserve(Rows.task("t", "s"), CPU, 0), "node.labels.zone==east");
    SchedulingResult r = Scheduler.schedule(Rows.infos(tiny1, tiny2, west), List.of(t), Map.of());
    assertEquals("no suitable node (insufficient resources on 2 nodes; scheduling constraints not satisfied on 1 node)",
        r.unplaced().get("t"));
    assertEquals("no suitable node", Scheduler.schedule(List.of(), List.of(Rows.task("u", "s")), Map.of())
        .unplaced().get("u"));
    Node down = Rows.node("d");
    down.status.state = "down";
    assertEquals("no suitable node (1 node not available for new tasks)",
        Scheduler.schedule(Rows.infos(down), List.of(Rows.task("v", "s")), Map.of()).unplaced().get("v"));
  }

  @Test
  void maxReplicasCapsTasksPerNodeAndSaysSo() {
    List<NodeInfo> nodes = Rows.infos(Rows.node("a"), Rows.node("b"));
    List<Task> tasks = Rows.tasks("t", "s", 5);
    tasks.forEach(t -> Rows.maxReplicas(t, 2));
    SchedulingResult r = Scheduler.schedule(nodes, tasks, Map.of());
    assertEquals(Map.of("a", 2, "b", 2), Rows.perNode(r));
    assertEquals("no suitable node (max replicas per node limit exceed)", r.unplaced().get("t4"));
  }

  @Test
  void hostPortsTakeOneTaskPerNode() {
    Service web = Rows.hostPortService("web", 8080);
    List<NodeInfo> nodes = Rows.infos(Rows.node("a"), Rows.node("b"), Rows.node("c"));
    SchedulingResult r = Scheduler.schedule(nodes, Rows.tasks("t", "web", 4), Map.of("web", web));
    assertEquals(Map.of("a", 1, "b", 1, "c", 1), Rows.perNode(r));
    assertEquals("no suitable node (host-mode port already in use on 3 nodes)", r.unplaced().get("t3"));
    // another service wanting the same host port is refused too: ports accumulate across groups
    Service api = Rows.hostPortService("api", 8080);
    r = Scheduler.schedule(nodes, Rows.tasks("u", "api", 1), Map.of("api", api));
    assertEquals("no suitable node (host-mode port already in use on 3 nodes)", r.unplaced().get("u0"));
  }

  @Test
  void preassignedTasksAreCheckedAgainstTheirNodeOnlyAndFirst() {
    List<NodeInfo> nodes = Rows.infos(Rows.node("a"), Rows.node("b"));
    Task unassigned = Rows.reserve(Rows.task("free", "web"), 3 * CPU, 0);
    Task global = Rows.reserve(Rows.task("g-a", "agent"), 3 * CPU, 0);
    global.nodeId = "a";
    Task tooBig = Rows.reserve(Rows.task("g-b", "agent"), 5 * CPU, 0);
    tooBig.nodeId = "b";
    Task gone = Rows.task("g-x", "agent");
    gone.nodeId = "x";
    SchedulingResult r = Scheduler.schedule(nodes, List.of(unassigned, global, tooBig, gone), Map.of());
    assertEquals("a", r.placements().get("g-a"));
    assertEquals("b", r.placements().get("free"), "the preassigned task took node a's CPUs first");
    assertEquals("insufficient resources on 1 node", r.unplaced().get("g-b"));
    assertEquals("node x not found", r.unplaced().get("g-x"));
  }

  @Test
  void constrainedTasksGoOnlyWhereConstraintsHold() {
    List<NodeInfo> nodes = Rows.infos(Rows.labelled("a", "disk", "ssd"), Rows.node("b"),
        Rows.labelled("c", "disk", "ssd"));
    List<Task> tasks = Rows.tasks("t", "db", 4);
    tasks.forEach(t -> Rows.constrain(t, "node.labels.disk==ssd"));
    assertEquals(Map.of("a", 2, "c", 2), Rows.perNode(Scheduler.schedule(nodes, tasks, Map.of())));
  }

  @Test
  void spreadSplitsEvenlyAcrossLabelValuesNotNodes() {
    // zone east has 3 nodes, west 1, and one node has no zone: 9 tasks -> 3 per group
    List<NodeInfo> nodes = Rows.infos(Rows.labelled("e1", "zone", "east"), Rows.labelled("e2", "zone", "east"),
        Rows.labelled("e3", "zone", "east"), Rows.labelled("w1", "zone", "west"), Rows.node("n1"));
    List<Task> tasks = Rows.tasks("t", "web", 9);
    tasks.forEach(t -> Rows.spread(t, "node.labels.zone"));
    Map<String, Integer> got = Rows.perNode(Scheduler.schedule(nodes, tasks, Map.of()));
    assertEquals(Map.of("e1", 1, "e2", 1, "e3", 1, "w1", 3, "n1", 3), got);
  }

  @Test
  void spreadCountsTasksAlreadyRunning() {
    NodeInfo east = NodeInfo.of(Rows.labelled("e1", "zone", "east"),
        List.of(Rows.running("1", "web", "e1"), Rows.running("2", "web", "e1")), Map.of());
    NodeInfo west = NodeInfo.of(Rows.labelled("w1", "zone", "west"), List.of(), Map.of());
    List<Task> tasks = Rows.tasks("t", "web", 4);
    tasks.forEach(t -> Rows.spread(t, "node.labels.zone"));
    assertEquals(Map.of("e1", 1, "w1", 3), Rows.perNode(Scheduler.schedule(List.of(east, west), tasks, Map.of())));
  }

  @Test
  void spreadMovesOnWhenAValueIsFull() {
    Node smallEast = Rows.labelled("e1", "zone", "east");
    smallEast.description.resources.nanoCPUs = CPU;
    List<NodeInfo> nodes = Rows.infos(smallEast, Rows.labelled("w1", "zone", "west"));
    List<Task> tasks = Rows.tasks("t", "web", 4);
    tasks.forEach(t -> Rows.spread(Rows.reserve(t, CPU, 0), "node.labels.zone"));
    assertEquals(Map.of("e1", 1, "w1", 3), Rows.perNode(Scheduler.schedule(nodes, tasks, Map.of())));
  }

  @Test
  void nestedSpreadPreferencesApplyInOrder() {
    List<NodeInfo> nodes = new ArrayList<>();
    for (String zone : List.of("a", "b")) {
      for (String rack : List.of("r1", "r2")) {
        for (int i = 0; i < 2; i++) {
          Node n = Rows.labelled(zone + rack + i, "zone", zone);
          n.spec.labels.put("rack", rack);
          nodes.add(NodeInfo.of(n));
        }
      }
    }
    // zone b holds 3 tasks already, all in rack r1
    NodeInfo br10 = Rows.byId(nodes).get("br10");
    for (int i = 0; i < 3; i++) {
      br10.addTask(Rows.running("old" + i, "web", "br10"), null);
    }
    List<Task> tasks = Rows.tasks("t", "web", 5);
    tasks.forEach(t -> Rows.spread(t, "node.labels.zone", "node.labels.rack"));
    SchedulingResult r = Scheduler.schedule(nodes, tasks, Map.of());
    Map<String, Integer> perZoneRack = new HashMap<>();
    r.placements().values().forEach(n -> perZoneRack.merge(n.substring(0, 3), 1, Integer::sum));
    // zones end 4/4: zone a gets 4 (2 per rack), zone b gets 1 in rack r2
    assertEquals(Map.of("ar1", 2, "ar2", 2, "br2", 1), perZoneRack);
  }

  @Test
  void groupsIdenticalSpecsButKeepsDifferentOnesApart() {
    List<NodeInfo> nodes = Rows.infos(Rows.labelled("a", "tier", "front"), Rows.labelled("b", "tier", "back"));
    List<Task> tasks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      tasks.add(Rows.constrain(Rows.task("f" + i, "web"), "node.labels.tier==front"));
      tasks.add(Rows.task("any" + i, "web"));
    }
    SchedulingResult r = Scheduler.schedule(nodes, tasks, Map.of());
    for (int i = 0; i < 4; i++) {
      assertEquals("a", r.placements().get("f" + i));
    }
    // the unconstrained group follows and balances the service: all of it lands on b
    for (int i = 0; i < 4; i++) {
      assertEquals("b", r.placements().get("any" + i));
    }
    assertTrue(r.unplaced().isEmpty());
  }
}
