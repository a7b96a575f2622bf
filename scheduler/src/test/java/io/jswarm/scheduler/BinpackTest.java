package io.jswarm.scheduler;

import static io.jswarm.scheduler.Rows.CPU;
import static io.jswarm.scheduler.Rows.GB;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jswarm.api.types.Placement;
import io.jswarm.api.types.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BinpackTest {

  private static Task binpack(Task t) {
    Rows.placement(t).strategy = Placement.BINPACK;
    return t;
  }

  private static List<Task> packed(String prefix, String service, int n, long cpus, long memory) {
    List<Task> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(binpack(Rows.reserve(Rows.task(prefix + i, service), cpus, memory)));
    }
    return out;
  }

  @Test
  void fillsTheFullestNodeThatStillFitsBeforeOpeningAnother() {
    // b already reserves 1 of its 4 CPUs: the fullest, so it fills first (3 more 1-CPU tasks), then a, then c
    List<NodeInfo> nodes = new ArrayList<>(Rows.infos(Rows.node("a"), Rows.node("c")));
    nodes.add(NodeInfo.of(Rows.node("b"),
        List.of(Rows.reserve(Rows.running("x", "other", "b"), CPU, GB)), Map.of()));
    SchedulingResult r = Scheduler.schedule(nodes, packed("t", "web", 5, CPU, GB), Map.of());
    assertEquals(Map.of("b", 3, "a", 2), Rows.perNode(r));
    assertEquals("b", r.placements().get("t0"));
    assertEquals("a", r.placements().get("t4"));
  }

  @Test
  void spreadIsTheDefaultAndTheSameTasksSpreadWithoutTheStrategy() {
    List<NodeInfo> nodes = Rows.infos(Rows.node("a"), Rows.node("b"), Rows.node("c"));
    List<Task> tasks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      tasks.add(Rows.reserve(Rows.task("t" + i, "web"), CPU, GB));
    }
    assertEquals(Map.of("a", 2, "b", 2, "c", 2), Rows.perNode(Scheduler.schedule(nodes, tasks, Map.of())));
  }

  @Test
  void aTaskThatNoLongerFitsTheFullestNodeGoesToTheNextFullest() {
    // a has 3 CPUs reserved, b 2, c 0: a 2-CPU task fits b (fullest that fits) and not a
    NodeInfo a = NodeInfo.of(Rows.node("a"), List.of(Rows.reserve(Rows.running("x", "o", "a"), 3 * CPU, 0)), Map.of());
    NodeInfo b = NodeInfo.of(Rows.node("b"), List.of(Rows.reserve(Rows.running("y", "o", "b"), 2 * CPU, 0)), Map.of());
    NodeInfo c = NodeInfo.of(Rows.node("c"), List.of(), Map.of());
    SchedulingResult r = Scheduler.schedule(List.of(a, b, c), packed("t", "web", 2, 2 * CPU, 0), Map.of());
    assertEquals("b", r.placements().get("t0"));
    assertEquals("c", r.placements().get("t1"));
  }

  @Test
  void memoryCountsAsMuchAsCpus() {
    // a reserves half its memory, b a quarter of its CPUs: a is fuller
    NodeInfo a = NodeInfo.of(Rows.node("a"), List.of(Rows.reserve(Rows.running("x", "o", "a"), 0, 4 * GB)), Map.of());
    NodeInfo b = NodeInfo.of(Rows.node("b"), List.of(Rows.reserve(Rows.running("y", "o", "b"), CPU, 0)), Map.of());
    SchedulingResult r = Scheduler.schedule(List.of(a, b), packed("t", "web", 1, CPU / 10, 0), Map.of());
    assertEquals("a", r.placements().get("t0"));
  }

  @Test
  void spreadPreferencesStillSplitOverValuesAndBinpackWithinEach() {
    List<NodeInfo> nodes = Rows.infos(Rows.labelled("a", "zone", "east"), Rows.labelled("b", "zone", "east"),
        Rows.labelled("c", "zone", "west"), Rows.labelled("d", "zone", "west"));
    List<Task> tasks = new ArrayList<>();
    for (Task t : packed("t", "web", 4, CPU, GB)) {
      tasks.add(Rows.spread(t, "node.labels.zone"));
    }
    // two per zone, both on the first node of the zone
    assertEquals(Map.of("a", 2, "c", 2), Rows.perNode(Scheduler.schedule(nodes, tasks, Map.of())));
  }

  @Test
  void strategyIsPartOfTheGroup() {
    List<NodeInfo> nodes = Rows.infos(Rows.node("a"), Rows.node("b"));
    List<Task> tasks = new ArrayList<>(packed("p", "web", 2, CPU, 0));
    tasks.add(Rows.reserve(Rows.task("s0", "web"), CPU, 0));
    SchedulingResult r = Scheduler.schedule(nodes, tasks, Map.of());
    assertEquals("a", r.placements().get("p0"));
    assertEquals("a", r.placements().get("p1"));
    assertEquals("b", r.placements().get("s0"), "the spread task of the same service goes to the emptier node");
  }
}
