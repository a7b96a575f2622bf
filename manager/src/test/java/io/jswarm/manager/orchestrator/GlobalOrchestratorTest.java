package io.jswarm.manager.orchestrator;

import static io.jswarm.manager.orchestrator.Cluster.constraints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GlobalOrchestratorTest {
  private final Cluster c = new Cluster();

  @AfterEach
  void close() {
    c.close();
  }

  private Set<String> runnableNodes(Service s) {
    return c.runnable(s.id).stream().map(t -> t.nodeId).collect(Collectors.toSet());
  }

  private Task runnableOn(Service s, String node) {
    List<Task> r = c.runnable(s.id).stream().filter(t -> node.equals(t.nodeId)).toList();
    assertTrue(r.size() <= 1, "at most one runnable task per node");
    return r.isEmpty() ? null : r.get(0);
  }

  @Test
  void oneTaskPerEligibleNodeWithTheNodePreset() {
    c.node("n1");
    c.node("n2");
    c.node("n3");
    c.node("n4");
    c.availability("n3", "pause");
    c.availability("n4", "drain");
    c.node("n5");
    c.nodeState("n5", "down");
    c.node("n6");
    c.changeNode("n6", n -> n.status = null); // unknown: not yet reported
    Service s = c.global("agent", t -> {});
    c.reconcile();

    assertEquals(Set.of("n1", "n2", "n6"), runnableNodes(s));
    for (Task t : c.tasks(s.id)) {
      assertNull(t.slot);
      assertEquals("agent." + t.nodeId, t.name);
      assertEquals(TaskState.NEW, t.status.state);
      assertEquals(TaskState.RUNNING, t.desiredState);
    }
    c.reconcile();
    assertEquals(3, c.tasks(s.id).size());
  }

  @Test
  void followsNodesThatJoinLeaveDrainOrGoDown() {
    c.node("n1");
    Service s = c.global("agent", t -> {});
    c.reconcile();
    c.node("n2");
    c.node("n3");
    c.node("n4");
    c.reconcile();
    c.settleWorkers(List.of("n1"));
    assertEquals(Set.of("n1", "n2", "n3", "n4"), runnableNodes(s));
    Task onN2 = runnableOn(s, "n2");
    Task onN3 = runnableOn(s, "n3");
    Task onN4 = runnableOn(s, "n4");

    c.deleteNode("n2");
    c.availability("n3", "drain");
    c.nodeState("n4", "down");
    c.reconcile();
    assertEquals(Set.of("n1"), runnableNodes(s));
    assertNull(c.task(onN2.id), "a deleted node's task is removed and, its node gone, reaped");
    assertEquals(TaskState.SHUTDOWN, c.task(onN3.id).desiredState);
    assertEquals(TaskState.SHUTDOWN, c.task(onN4.id).desiredState);

    c.availability("n3", "active");
    c.nodeState("n4", "ready");
    c.reconcile();
    assertEquals(Set.of("n1", "n3", "n4"), runnableNodes(s));
    assertNotEquals(onN3.id, runnableOn(s, "n3").id);
  }

  @Test
  void pauseKeepsTheTaskButAddsNone() {
    c.node("n1");
    Service s = c.global("agent", t -> {});
    c.reconcile();
    c.settleWorkers(List.of("n1"));
    Task t = runnableOn(s, "n1");
    c.availability("n1", "pause");
    c.node("n2");
    c.availability("n2", "pause");
    c.reconcile();
    assertEquals(t.id, runnableOn(s, "n1").id);
    assertNull(runnableOn(s, "n2"));

    c.report(t.id, TaskState.FAILED, 1L);
    c.reconcile();
    assertNull(runnableOn(s, "n1"), "no replacement on a paused node");
    c.availability("n1", "active");
    c.reconcile();
    assertNotEquals(t.id, runnableOn(s, "n1").id);
  }

  @Test
  void followsLabelChangesThroughConstraints() {
    c.node("n1", Map.of("zone", "a"));
    c.node("n2", Map.of("zone", "b"));
    c.node("n3");
    Service s = c.global("agent", constraints("node.labels.zone==A", "node.role!=manager"));
    c.reconcile();
    assertEquals(Set.of("n1"), runnableNodes(s), "values compare case-insensitively");

    c.changeNode("n2", n -> n.spec.labels.put("zone", "a"));
    c.changeNode("n1", n -> n.spec.labels.remove("zone"));
    c.reconcile();
    assertEquals(Set.of("n2"), runnableNodes(s));

    c.changeNode("n2", n -> n.spec.role = "manager");
    c.reconcile();
    assertTrue(runnableNodes(s).isEmpty());
  }

  /**
   * A manager whose spec names no role (a row written before roles were set, or by an older version) is a manager
   * for the global orchestrator exactly as for the scheduler: both use the one {@code ConstraintMatcher}. The
   * orchestrator's own matcher used to call it a worker and run a {@code node.role==worker} task there.
   */
  @Test
  void aManagerWithoutARoleInItsSpecIsAManagerAsForTheScheduler() {
    c.node("n1");
    c.node("n2");
    c.changeNode("n2", n -> {
      n.spec.role = null;
      n.managerStatus = new io.jswarm.api.types.Node.ManagerStatus();
    });
    Service managers = c.global("managers", constraints("node.role==manager"));
    Service workers = c.global("workers", constraints("node.role==worker"));
    c.reconcile();
    assertEquals(Set.of("n2"), runnableNodes(managers));
    assertEquals(Set.of("n1"), runnableNodes(workers));
  }

  @Test
  void constraintKeysCoverNodeAttributesAndEngineLabels() {
    c.node("n1");
    c.node("n2");
    c.changeNode("n2", n -> {
      n.description.platform = new io.jswarm.api.types.Platform();
      n.description.platform.os = "linux";
      n.description.platform.architecture = "x86_64";
      n.description.engine = new io.jswarm.api.types.Node.EngineDescription();
      n.description.engine.labels = Map.of("disk", "ssd");
    });
    Service a = c.global("a", constraints("node.platform.os==linux", "node.platform.arch==x86_64"));
    Service b = c.global("b", constraints("engine.labels.disk!=ssd"));
    Service d = c.global("d", constraints("node.hostname==host-n1"));
    Service e = c.global("e", constraints("node.id!=n1"));
    c.reconcile();
    assertEquals(Set.of("n2"), runnableNodes(a));
    assertEquals(Set.of("n1"), runnableNodes(b));
    assertEquals(Set.of("n1"), runnableNodes(d));
    assertEquals(Set.of("n2"), runnableNodes(e));
  }

  @Test
  void serviceRemovalRemovesEveryTask() {
    c.node("n1");
    c.node("n2");
    Service s = c.global("agent", t -> {});
    c.reconcile();
    c.settleWorkers(List.of("n1"));
    c.deleteService(s.id);
    c.reconcile();
    c.tasks(s.id).forEach(t -> assertEquals(TaskState.REMOVE, t.desiredState));
    c.settleWorkers(List.of("n1"));
    c.reconcile();
    assertTrue(c.tasks(s.id).isEmpty());
  }

  @Test
  void anUpdateRollsNodeByNode() {
    c.node("n1");
    c.node("n2");
    Service s = c.global("agent", t -> {});
    c.reconcile();
    c.settleWorkers(List.of("n1"));
    c.updateService(s.id, spec -> spec.taskTemplate.containerSpec.image = "busybox:2");
    c.reconcile();
    long updated = c.runnable(s.id).stream().filter(t -> t.spec.containerSpec.image.equals("busybox:2")).count();
    assertEquals(1, updated);
    c.settleWorkers(List.of("n1"));
    c.reconcile();
    c.runnable(s.id).forEach(t -> assertEquals("busybox:2", t.spec.containerSpec.image));
    assertEquals(2, c.runnable(s.id).size());
  }
}
