package io.jswarm.manager.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.NetworkEndpoints;
import io.jswarm.api.types.Driver;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The overlay endpoints the dispatcher pushes with the assignments (jswarm's stand-in for Docker's gossip): each node
 * learns, for every overlay network it has a task on, the endpoints on the other nodes — complete at session start,
 * then as tasks come and go.
 */
class DispatcherEndpointsTest {
  private final DispatcherHarness h = new DispatcherHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void remoteEndpointsArePushedCompleteThenIncrementally() throws Exception {
    for (int i = 1; i <= 3; i++) {
      h.addNode("n" + i, "ready");
      String addr = "192.168.50." + i + ":2377";
      String id = "n" + i;
      h.store.update(tx -> {
        var n = tx.nodes().get(id);
        n.status.addr = addr;
        return tx.nodes().update(n);
      });
    }
    h.store.update(tx -> {
      var c = tx.cluster().all().get(0);
      c.dataPathPort = 4790L;
      return tx.cluster().update(c);
    });
    task("a1", "n1", TaskState.ASSIGNED, Map.of("netA", "10.0.1.3/24"));
    task("b1", "n2", TaskState.RUNNING, Map.of("netA", "10.0.1.4/24"));
    task("b2", "n2", TaskState.RUNNING, Map.of("netB", "10.0.2.3/24"));
    task("c1", "n3", TaskState.PENDING, Map.of("netA", "10.0.1.5/24")); // not on its node yet
    h.dispatcher.start();

    FakeSink s1 = h.open("n1", "192.168.50.1:2377");
    DispatcherMessage session = s1.next();
    assertEquals(4790L, session.dataPathPort);
    assertEquals(DispatcherMessage.ASSIGNMENTS, s1.next().type);
    DispatcherMessage full = s1.next();
    assertEquals(DispatcherMessage.ENDPOINTS, full.type);
    assertTrue(full.isFull());
    assertEquals(1, full.networks.size(), "n1 is on netA only");
    NetworkEndpoints a = full.networks.get(0);
    assertEquals("netA", a.networkId);
    assertEquals(4100, a.vni);
    assertTrue(a.isFull());
    assertEquals(List.of(new NetworkEndpoints.Endpoint("b1", "10.0.1.4", "02:42:0a:00:01:04", "192.168.50.2")),
        a.endpoints);

    FakeSink s2 = h.open("n2", "192.168.50.2:2377");
    s2.next();
    s2.next();
    DispatcherMessage full2 = s2.next();
    Map<String, NetworkEndpoints> byNet = full2.networks.stream()
        .collect(Collectors.toMap(n -> n.networkId, n -> n));
    assertEquals(List.of("a1"), taskIds(byNet.get("netA").endpoints));
    assertEquals("192.168.50.1", byNet.get("netA").endpoints.get(0).nodeAddr);
    assertEquals(List.of(), byNet.get("netB").endpoints, "n2 is alone on netB");

    // c1 reaches its node: both n1 and n2 learn it, incrementally
    h.editTask("c1", t -> t.status.state = TaskState.ASSIGNED);
    for (FakeSink s : List.of(s1, s2)) {
      DispatcherMessage inc = s.next();
      assertEquals(DispatcherMessage.ENDPOINTS, inc.type);
      assertFalse(inc.isFull());
      NetworkEndpoints ne = inc.networks.get(0);
      assertFalse(ne.isFull());
      assertEquals(List.of(new NetworkEndpoints.Endpoint("c1", "10.0.1.5", "02:42:0a:00:01:05", "192.168.50.3")),
          ne.endpoints);
      assertEquals(List.of(), ne.removed);
    }

    // b1 stops: n1 drops it; n2 has nothing left on netA and is told so with an empty full list
    h.editTask("b1", t -> t.status.state = TaskState.FAILED);
    NetworkEndpoints gone = s1.next().networks.get(0);
    assertEquals(List.of("b1"), gone.removed);
    assertEquals(List.of(), gone.endpoints);
    NetworkEndpoints left = s2.next().networks.get(0);
    assertEquals("netA", left.networkId);
    assertTrue(left.isFull());
    assertEquals(List.of(), left.endpoints);

    // a task of n2 joins netA again (the address of b1, reused): n2 gets netA complete, n1 the new endpoint
    task("b3", "n2", TaskState.ASSIGNED, Map.of("netA", "10.0.1.4/24"));
    assertEquals("b3", s2.next().tasks.get(0).id); // the assignment first
    NetworkEndpoints back = s2.next().networks.get(0);
    assertTrue(back.isFull());
    assertEquals(List.of("a1", "c1"), taskIds(back.endpoints));
    assertEquals(List.of("b3"), taskIds(s1.next().networks.get(0).endpoints));

    // a1 is removed from the store: its assignment goes and n1 leaves netA; n2 and n3's peers drop it
    h.store.update(tx -> {
      tx.tasks().delete("a1");
      return null;
    });
    assertEquals(List.of("a1"), s1.next().removed);
    NetworkEndpoints n1Left = s1.next().networks.get(0);
    assertTrue(n1Left.isFull());
    assertNull(n1Left.vni);
    assertEquals(List.of("a1"), s2.next().networks.get(0).removed);

    // a moved node address is pushed to those that tunnel to it
    h.store.update(tx -> {
      var n = tx.nodes().get("n3");
      n.status.addr = "192.168.50.33";
      return tx.nodes().update(n);
    });
    NetworkEndpoints moved = s2.next().networks.get(0);
    assertEquals("192.168.50.33", moved.endpoints.get(0).nodeAddr);
    assertEquals(0, s1.pending());
    assertEquals(0, s2.pending());
  }

  private static List<String> taskIds(List<NetworkEndpoints.Endpoint> eps) {
    return eps.stream().map(e -> e.taskId).sorted().collect(Collectors.toList());
  }

  /** Creates an assigned (or earlier) task with addresses on networks, in one store update. */
  private void task(String id, String node, TaskState state, Map<String, String> addresses) {
    h.store.update(tx -> {
      Task t = new Task();
      t.id = id;
      t.serviceId = "svc";
      t.slot = 1L;
      t.nodeId = node;
      t.desiredState = TaskState.RUNNING;
      t.status = new Task.TaskStatus();
      t.status.state = state;
      t.networksAttachments = new ArrayList<>();
      for (Map.Entry<String, String> en : addresses.entrySet()) {
        NetworkAttachment a = new NetworkAttachment();
        a.network = new Network();
        a.network.id = en.getKey();
        a.network.driverState = new Driver();
        a.network.driverState.name = "overlay";
        a.network.driverState.options = Map.of("com.docker.network.driver.overlay.vxlanid_list",
            en.getKey().equals("netA") ? "4100" : "4101");
        a.addresses = List.of(en.getValue());
        t.networksAttachments.add(a);
      }
      return tx.tasks().create(t);
    });
  }
}
