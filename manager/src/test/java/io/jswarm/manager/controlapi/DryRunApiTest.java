package io.jswarm.manager.controlapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Resources;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code ?dryRun=true} on service create and update: the plan, and not one write to the store. */
class DryRunApiTest {
  private ApiHarness api;

  @BeforeEach
  void start() throws Exception {
    api = new ApiHarness(11);
    assertEquals(200, api.call("POST", "/swarm/init", "{\"ListenAddr\":\"0.0.0.0:2377\",\"Spec\":{}}").status());
    api.store.update(tx -> {
      // m1 (from init) has no resources; two workers with 4 CPUs each, in zones a and b
      for (String[] w : new String[][] {{"w1", "a"}, {"w2", "b"}}) {
        Node n = new Node();
        n.spec = new Node.Spec();
        n.spec.role = "worker";
        n.spec.availability = "active";
        n.spec.labels = new HashMap<>(Map.of("zone", w[1]));
        n.description = new Node.Description();
        n.description.hostname = w[0];
        n.description.resources = new Resources();
        n.description.resources.nanoCPUs = 4_000_000_000L;
        n.description.resources.memoryBytes = 1L << 33;
        n.status = new Node.Status();
        n.status.state = "ready";
        tx.nodes().create(n);
      }
      return null;
    });
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private long index() {
    return api.store.view(tx -> tx.index());
  }

  private static String spec(String name, long replicas, String placement) {
    return "{\"Name\":\"" + name + "\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"},"
        + "\"Resources\":{\"Reservations\":{\"NanoCPUs\":1000000000}}" + placement + "},"
        + "\"Mode\":{\"Replicated\":{\"Replicas\":" + replicas + "}}}";
  }

  private static Map<String, Integer> perHost(JsonNode plan) {
    Map<String, Integer> out = new HashMap<>();
    plan.path("Nodes").forEach(n -> out.put(n.path("Hostname").asText(), n.path("Tasks").asInt()));
    return out;
  }

  @Test
  void anUnsatisfiableConstraintIsExplainedAndNothingIsWritten() throws Exception {
    long before = index();
    ApiHarness.Resp r = api.call("POST", "/services/create?dryRun=true",
        spec("web", 2, ",\"Placement\":{\"Constraints\":[\"node.labels.zone==mars\"]}"));
    assertEquals(200, r.status(), r.body());
    JsonNode plan = r.json();
    assertTrue(plan.path("DryRun").asBoolean());
    assertEquals(0, plan.path("Nodes").size());
    assertEquals(2, plan.path("Unplaced").size());
    assertEquals("no suitable node (scheduling constraints not satisfied on 2 nodes; insufficient resources on 1 node)",
        plan.path("Unplaced").get(0).path("Err").asText());
    assertEquals(1, plan.path("Unplaced").get(0).path("Slot").asInt());
    assertEquals(before, index(), "the store index did not move");
    assertEquals(0, api.call("GET", "/services", null).json().size());
  }

  @Test
  void createPlansTheSchedulersPlacementWithReservationsAndStrategy() throws Exception {
    long before = index();
    // 1 CPU each: 4 fit per worker, none on m1 (no resources); the 9th fits nowhere
    JsonNode plan = api.call("POST", "/services/create?dryRun=1", spec("web", 9, "")).json();
    assertEquals(Map.of("w1", 4, "w2", 4), perHost(plan));
    assertEquals(1, plan.path("Unplaced").size());
    assertEquals("no suitable node (insufficient resources on 3 nodes)",
        plan.path("Unplaced").get(0).path("Err").asText());
    JsonNode packed = api.call("POST", "/services/create?dryRun=true",
        spec("web", 3, ",\"Placement\":{\"Strategy\":\"binpack\"}")).json();
    assertEquals(1, packed.path("Nodes").size(), packed.toString());
    assertEquals(before, index());
    // bad input is still a 400 naming the field, and a dry run of a duplicate name a 409
    ApiHarness.Resp bad = api.call("POST", "/services/create?dryRun=true",
        spec("web", 1, ",\"Placement\":{\"Strategy\":\"random\"}"));
    assertEquals(400, bad.status());
    assertTrue(bad.message().contains("Placement.Strategy"), bad.message());
  }

  @Test
  void updateAndScaleKeepRunningTasksOrReplaceThemAndWriteNothing() throws Exception {
    String id = api.call("POST", "/services/create", spec("web", 2, "")).json().path("ID").asText();
    String w1 = api.call("GET", "/nodes/w1", null).json().path("ID").asText();
    api.store.update(tx -> {
      for (long slot = 1; slot <= 2; slot++) {
        Task t = new Task();
        t.serviceId = id;
        t.slot = slot;
        t.nodeId = w1;
        t.spec = tx.services().get(id).spec.taskTemplate;
        t.desiredState = TaskState.RUNNING;
        t.status = new Task.TaskStatus();
        t.status.state = TaskState.RUNNING;
        tx.tasks().create(t);
      }
      return null;
    });
    long before = index();
    long version = api.call("GET", "/services/" + id, null).json().path("Version").path("Index").asLong();
    // scale 2 -> 4: the two on w1 stay, two new ones go to w2 (fewer tasks of the service)
    JsonNode scaled = api.call("POST", "/services/" + id + "/update?dryRun=true&version=" + version,
        spec("web", 4, "")).json();
    assertFalse(scaled.path("ReplacesTasks").asBoolean());
    assertEquals(Map.of("w1", 2, "w2", 2), perHost(scaled), scaled.toString());
    // a new template replaces both: 2 fresh tasks spread over w1 and w2
    JsonNode replaced = api.call("POST", "/services/" + id + "/update?dryRun=true&version=" + version,
        spec("web", 2, ",\"Placement\":{\"Constraints\":[\"node.labels.zone==b\"]}")).json();
    assertTrue(replaced.path("ReplacesTasks").asBoolean());
    assertEquals(Map.of("w2", 2), perHost(replaced));
    // scaling down to 1 leaves one task on w1
    JsonNode down = api.call("POST", "/services/" + id + "/update?dryRun=true&version=" + version,
        spec("web", 1, "")).json();
    assertEquals(Map.of("w1", 1), perHost(down));
    assertEquals(0, down.path("Unplaced").size());
    assertEquals(before, index(), "no dry run wrote anything");
    assertEquals(version, api.call("GET", "/services/" + id, null).json().path("Version").path("Index").asLong());
  }

  @Test
  void rebalanceMarksTheTasksAboveTheGoalOfEachNode() throws Exception {
    String id = api.call("POST", "/services/create", spec("web", 4, "")).json().path("ID").asText();
    String w1 = api.call("GET", "/nodes/w1", null).json().path("ID").asText();
    api.store.update(tx -> {
      for (long slot = 1; slot <= 4; slot++) { // all four on w1, as before w2 joined
        Task t = new Task();
        t.serviceId = id;
        t.slot = slot;
        t.nodeId = w1;
        t.spec = tx.services().get(id).spec.taskTemplate;
        t.desiredState = TaskState.RUNNING;
        t.status = new Task.TaskStatus();
        t.status.state = TaskState.RUNNING;
        tx.tasks().create(t);
      }
      return null;
    });
    JsonNode r = api.call("POST", "/services/" + id + "/rebalance", null).json();
    assertEquals(2, r.path("Moves").asInt(), r.toString());
    assertEquals(2, r.path("FromNodes").path(w1).asInt());
    long marked = api.store.view(tx -> tx.tasks().all().stream().filter(t -> Boolean.TRUE.equals(t.rebalance)).count());
    assertEquals(2, marked);
    assertEquals(0, api.call("POST", "/services/" + id + "/rebalance", null).json().path("Moves").asInt(),
        "the marked tasks count as moved: the goal is not asked twice");
  }
}
