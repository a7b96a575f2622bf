package io.jswarm.manager.rebalance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jswarm.api.types.Node;
import io.jswarm.api.types.Placement;
import io.jswarm.api.types.Resources;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.ServiceMode;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.TaskState;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.LocalProposer;
import io.jswarm.consensus.store.MemoryStore;
import java.time.Clock;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --rebalance-on-join}: a node that starts taking tasks (joins ready, comes back from down, is made active)
 * makes the leader mark the tasks above each node's goal of the services that opted in, and only theirs; a
 * service being updated waits until the update is over; the first pass of a term only learns the nodes.
 */
class RebalanceOnJoinTest {
  private MemoryStore store;
  private RebalanceOnJoin loop;
  private String w1;

  @BeforeEach
  void start() {
    LocalProposer p = new LocalProposer();
    store = new MemoryStore(p, Clock.systemUTC(), IdGenerator.fromRandom(new Random(7)));
    p.bind(store);
    w1 = node("w1", "ready", "active");
    loop = new RebalanceOnJoin(store);
  }

  @Test
  void aJoiningNodeRebalancesTheServicesThatOptedInOnly() {
    String opted = service("opted", true, 4);
    String other = service("other", false, 4);
    loop.reconcile(); // the first pass learns the nodes
    assertEquals(0, marked(opted));
    node("w2", "ready", "active");
    loop.reconcile();
    assertEquals(2, marked(opted), "4 tasks on w1, spread over w1 and w2: 2 move");
    assertEquals(0, marked(other), "a service without rebalance-on-join stays");
    loop.reconcile();
    assertEquals(2, marked(opted), "nothing joined since: nothing more");
  }

  @Test
  void aNodeThatIsNotReadyOrDrainedDoesNotCountUntilItTakesTasks() {
    String opted = service("opted", true, 4);
    loop.reconcile();
    String w2 = node("w2", "down", "active");
    loop.reconcile();
    assertEquals(0, marked(opted), "a down node takes no tasks");
    setNode(w2, "ready", "drain");
    loop.reconcile();
    assertEquals(0, marked(opted), "a drained node takes no tasks");
    setNode(w2, "ready", "active");
    loop.reconcile();
    assertEquals(2, marked(opted), "made active: it takes tasks now");
  }

  @Test
  void aServiceBeingUpdatedIsRebalancedOnceTheUpdateIsOver() {
    String opted = service("opted", true, 4);
    updateState(opted, "updating");
    loop.reconcile();
    node("w2", "ready", "active");
    loop.reconcile();
    assertEquals(0, marked(opted), "not while it updates");
    updateState(opted, "completed");
    loop.reconcile();
    assertEquals(2, marked(opted), "once the update is over");
  }

  // ---- helpers ----

  private String node(String hostname, String state, String availability) {
    return store.update(tx -> {
      Node n = new Node();
      n.spec = new Node.Spec();
      n.spec.role = "worker";
      n.spec.availability = availability;
      n.description = new Node.Description();
      n.description.hostname = hostname;
      n.description.resources = new Resources();
      n.description.resources.nanoCPUs = 4_000_000_000L;
      n.description.resources.memoryBytes = 1L << 33;
      n.status = new Node.Status();
      n.status.state = state;
      return tx.nodes().create(n).id;
    });
  }

  private void setNode(String id, String state, String availability) {
    store.update(tx -> {
      Node n = tx.nodes().get(id);
      n.status.state = state;
      n.spec.availability = availability;
      tx.nodes().update(n);
      return null;
    });
  }

  /** A replicated service with {@code replicas} running tasks, all on w1. */
  private String service(String name, boolean rebalanceOnJoin, int replicas) {
    return store.update(tx -> {
      Service s = new Service();
      s.spec = new Service.ServiceSpec();
      s.spec.name = name;
      s.spec.mode = ServiceMode.replicated(replicas);
      s.spec.taskTemplate = new TaskSpec();
      s.spec.taskTemplate.containerSpec = new ContainerSpec();
      s.spec.taskTemplate.containerSpec.image = "busybox";
      if (rebalanceOnJoin) {
        s.spec.taskTemplate.placement = new Placement();
        s.spec.taskTemplate.placement.rebalanceOnJoin = true;
      }
      String id = tx.services().create(s).id;
      for (long slot = 1; slot <= replicas; slot++) {
        Task t = new Task();
        t.serviceId = id;
        t.slot = slot;
        t.nodeId = w1;
        t.spec = s.spec.taskTemplate;
        t.desiredState = TaskState.RUNNING;
        t.status = new Task.TaskStatus();
        t.status.state = TaskState.RUNNING;
        tx.tasks().create(t);
      }
      return id;
    });
  }

  private void updateState(String serviceId, String state) {
    store.update(tx -> {
      Service s = tx.services().get(serviceId);
      s.updateStatus = new Service.UpdateStatus();
      s.updateStatus.state = state;
      tx.services().update(s);
      return null;
    });
  }

  private long marked(String serviceId) {
    return store.view(tx -> tx.tasks().all().stream()
        .filter(t -> serviceId.equals(t.serviceId) && Boolean.TRUE.equals(t.rebalance)).count());
  }
}
