package io.jswarm.manager.orchestrator;

import static io.jswarm.manager.orchestrator.Cluster.restart;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Node;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.UpdateConfig;
import io.jswarm.consensus.store.Tables;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random scaling, failures, node changes, updates and worker progress, with the invariants checked after
 * every pass: never two runnable tasks in one slot (or on one node for a global service), no runnable task
 * beyond the replica count; and once the cluster is calm, the service converges to exactly its slots, all
 * running the current spec.
 */
class RandomizedOrchestrationTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3", "n4");
  private static final int STEPS = 250;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void invariantsHoldAndTheServiceConverges(long seed) {
    Random rnd = new Random(seed);
    try (Cluster c = new Cluster(seed)) {
      NODES.forEach(c::node);
      Service web = c.replicated("web", 3, restart("any", Duration.ofSeconds(1), 0, null));
      Service agent = c.global("agent", restart("any", Duration.ZERO, 0, null));
      for (int step = 0; step < STEPS; step++) {
        int action = rnd.nextInt(10);
        switch (action) {
          case 0 -> {
            long n = rnd.nextInt(7);
            c.updateService(web.id, spec -> spec.mode.replicated.replicas = n);
          }
          case 1 -> endRandomTask(c, rnd, TaskState.FAILED, 1L);
          case 2 -> endRandomTask(c, rnd, TaskState.COMPLETE, 0L);
          case 3 -> c.availability(pick(rnd, NODES), pick(rnd, List.of("active", "active", "drain", "pause")));
          case 4 -> c.nodeState(pick(rnd, NODES), pick(rnd, List.of("ready", "ready", "down")));
          case 5 -> {
            long parallelism = rnd.nextInt(3);
            String image = "busybox:" + rnd.nextInt(3);
            c.updateService(web.id, spec -> {
              spec.updateConfig = new UpdateConfig();
              spec.updateConfig.parallelism = parallelism;
              // Random failures would pause the update (Docker's default); this test wants convergence.
              spec.updateConfig.failureAction = "continue";
              spec.taskTemplate.containerSpec.image = image;
            });
          }
          case 6 -> c.clock.advance(Duration.ofMillis(rnd.nextInt(3000)));
          default -> workersProgress(c, rnd, 0.5);
        }
        if (rnd.nextInt(3) == 0) {
          c.reconcile();
          checkInvariants(c, web, agent);
        }
      }

      for (String n : NODES) {
        c.availability(n, "active");
        c.nodeState(n, "ready");
      }
      for (int round = 0; round < 20; round++) {
        c.clock.advance(Duration.ofSeconds(2));
        c.reconcile();
        checkInvariants(c, web, agent);
        workersProgress(c, rnd, 1.0);
      }
      c.reconcile();
      checkInvariants(c, web, agent);

      Service now = c.store.viewStale(tx -> tx.services().get(web.id));
      long replicas = now.spec.mode.replicated.replicas;
      Set<Long> slots = new TreeSet<>();
      for (Task t : c.runnable(web.id)) {
        slots.add(t.slot);
        assertEquals(TaskState.RUNNING, t.status.state, "seed " + seed + ": " + t.name);
        assertTrue(TaskFacts.specMatches(t.spec, now.spec.taskTemplate), "seed " + seed + ": " + t.name);
      }
      Set<Long> want = new TreeSet<>();
      for (long i = 1; i <= replicas; i++) {
        want.add(i);
      }
      assertEquals(want, slots, "seed " + seed);
      Set<String> agentNodes = c.runnable(agent.id).stream().map(t -> t.nodeId).collect(Collectors.toSet());
      assertEquals(Set.copyOf(NODES), agentNodes, "seed " + seed + ": one agent per node");
      long history = c.store.viewStale(tx -> tx.tasks().find(Tables.BY_SERVICE, web.id)).size();
      assertTrue(history <= 5 * Math.max(replicas, 6) + 6, "seed " + seed + ": history is trimmed, " + history);
    }
  }

  private static <T> T pick(Random rnd, List<T> from) {
    return from.get(rnd.nextInt(from.size()));
  }

  private static void endRandomTask(Cluster c, Random rnd, TaskState state, Long exit) {
    List<Task> running = c.allTasks().stream()
        .filter(t -> TaskFacts.observed(t) == TaskState.RUNNING).collect(Collectors.toList());
    if (!running.isEmpty()) {
      c.report(pick(rnd, running).id, state, exit);
    }
  }

  /** The scheduler and the workers: each pending step happens with probability {@code p}. */
  private static void workersProgress(Cluster c, Random rnd, double p) {
    Map<String, Node> nodes = new HashMap<>();
    c.store.viewStale(tx -> tx.nodes().all()).forEach(n -> nodes.put(n.id, n));
    List<String> placeable = new ArrayList<>();
    for (Node n : nodes.values()) {
      if (!NodeFit.isDown(n) && "active".equals(n.spec.availability)) {
        placeable.add(n.id);
      }
    }
    placeable.sort(null);
    for (Task t : c.allTasks()) {
      if (rnd.nextDouble() >= p) {
        continue;
      }
      TaskState s = TaskFacts.observed(t);
      Node n = t.nodeId == null ? null : nodes.get(t.nodeId);
      boolean nodeAlive = n != null && !NodeFit.isDown(n);
      if (TaskFacts.runnable(t) && s.number() < TaskState.RUNNING.number()) {
        if (t.nodeId == null) {
          if (!placeable.isEmpty()) {
            c.assign(t.id, pick(rnd, placeable));
          }
        } else if (nodeAlive && (t.slot != null || placeable.contains(t.nodeId))) {
          c.report(t.id, TaskState.RUNNING);
        }
      } else if (!TaskFacts.runnable(t) && !s.isTerminal() && nodeAlive
          && s.number() >= TaskState.ASSIGNED.number()) {
        c.report(t.id, TaskState.SHUTDOWN);
      }
    }
  }

  private static void checkInvariants(Cluster c, Service web, Service agent) {
    Service now = c.store.viewStale(tx -> tx.services().get(web.id));
    long replicas = now.spec.mode.replicated.replicas;
    Map<Long, Integer> perSlot = new HashMap<>();
    for (Task t : c.runnable(web.id)) {
      perSlot.merge(t.slot, 1, Integer::sum);
      assertTrue(t.slot >= 1 && t.slot <= replicas, "runnable task " + t.name + " beyond " + replicas + " replicas");
    }
    perSlot.forEach((slot, n) -> assertEquals(1, n, "runnable tasks in slot " + slot));
    Map<String, Integer> perNode = new HashMap<>();
    for (Task t : c.runnable(agent.id)) {
      perNode.merge(t.nodeId, 1, Integer::sum);
    }
    perNode.forEach((node, n) -> assertEquals(1, n, "runnable agent tasks on " + node));
  }
}
