package io.jswarm.manager.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.IngressView;
import io.jswarm.api.dispatcher.NetworkEndpoints;
import io.jswarm.api.types.Driver;
import io.jswarm.api.types.Endpoint;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the dispatcher pushes for the routing mesh: every node's own ingress address is an endpoint of the ingress
 * network for every other node (so replies reach its ingress sandbox), and every node, with or without tasks, gets
 * the ingress view (its attachment, the services publishing ingress ports and their running tasks), again only when
 * something in it changed.
 */
class DispatcherIngressTest {
  private final DispatcherHarness h = new DispatcherHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void everyNodeLearnsTheIngressEndpointsAndServicesEvenWithoutTasks() throws Exception {
    for (int i = 1; i <= 3; i++) {
      h.addNode("n" + i, "ready");
      String id = "n" + i;
      String addr = "192.168.60." + i;
      String ingressAddr = "10.0.0." + (i + 1) + "/24";
      h.store.update(tx -> {
        var n = tx.nodes().get(id);
        n.status.addr = addr;
        n.attachments = List.of(attachment(ingressAddr));
        return tx.nodes().update(n);
      });
    }
    h.store.update(tx -> tx.services().create(web()));
    task("t1", "n1", "10.0.0.6/24");
    h.dispatcher.start();

    FakeSink s3 = h.open("n3", "192.168.60.3:2377");
    assertEquals(DispatcherMessage.SESSION, s3.next().type);
    assertEquals(List.of(), s3.next().tasks, "n3 runs nothing");
    DispatcherMessage eps = s3.next();
    assertEquals(DispatcherMessage.ENDPOINTS, eps.type);
    NetworkEndpoints ing = eps.networks.get(0);
    assertEquals("ing", ing.networkId);
    assertEquals(4096, ing.vni);
    Map<String, String> addrs = ing.endpoints.stream().collect(Collectors.toMap(e -> e.taskId, e -> e.addr));
    assertEquals(Map.of("ingress-sbox.n1", "10.0.0.2", "ingress-sbox.n2", "10.0.0.3", "t1", "10.0.0.6"), addrs,
        "the other nodes' sandboxes and the task, not n3's own sandbox");
    DispatcherMessage view = s3.next();
    assertEquals(DispatcherMessage.INGRESS, view.type);
    assertEquals(List.of("10.0.0.4/24"), view.ingress.nodeAttachment.addresses);
    assertEquals("ing", view.ingress.networkId());
    assertEquals(1, view.ingress.services.size());
    IngressView.ServiceTasks web = view.ingress.services.get(0);
    assertEquals(8080L, web.service.endpoint.ports.get(0).publishedPort);
    assertEquals(List.of("t1"), web.tasks.stream().map(t -> t.id).toList());
    assertEquals(List.of("10.0.0.6/24"), web.tasks.get(0).networksAttachments.get(0).addresses);

    // a second task starts running on n2: the new endpoint, then the new view
    task("t2", "n2", "10.0.0.7/24");
    assertEquals(List.of("t2"), s3.next().networks.get(0).endpoints.stream().map(e -> e.taskId).toList());
    assertEquals(List.of("t1", "t2"), s3.next().ingress.services.get(0).tasks.stream().map(t -> t.id).toList());

    // a status report that changes nothing the mesh uses sends nothing; t2 failing does
    h.editTask("t1", t -> t.status.message = "still running");
    h.editTask("t2", t -> t.status.state = TaskState.FAILED);
    assertEquals(List.of("t2"), s3.next().networks.get(0).removed);
    assertEquals(List.of("t1"), s3.next().ingress.services.get(0).tasks.stream().map(t -> t.id).toList());

    // the service goes: an empty list of services
    h.store.update(tx -> {
      tx.services().delete("svc");
      return null;
    });
    DispatcherMessage none = s3.next();
    assertEquals(DispatcherMessage.INGRESS, none.type);
    assertEquals(List.of(), none.ingress.services);

    // n3 loses its ingress address: an empty view (its mesh goes) and the network's endpoints are dropped
    h.store.update(tx -> {
      var n = tx.nodes().get("n3");
      n.attachments = null;
      return tx.nodes().update(n);
    });
    DispatcherMessage left = s3.next();
    assertEquals(DispatcherMessage.ENDPOINTS, left.type);
    assertTrue(left.networks.get(0).isFull());
    DispatcherMessage empty = s3.next();
    assertEquals(DispatcherMessage.INGRESS, empty.type);
    assertNull(empty.ingress.nodeAttachment);
    assertEquals(0, s3.pending());
  }

  private static Network ingressNetwork() {
    Network n = new Network();
    n.id = "ing";
    n.spec = new Network.Spec();
    n.spec.name = "ingress";
    n.spec.ingress = true;
    n.driverState = new Driver();
    n.driverState.name = "overlay";
    n.driverState.options = Map.of("com.docker.network.driver.overlay.vxlanid_list", "4096");
    return n;
  }

  private static NetworkAttachment attachment(String addr) {
    NetworkAttachment a = new NetworkAttachment();
    a.network = ingressNetwork();
    a.addresses = List.of(addr);
    return a;
  }

  private static Service web() {
    Service s = new Service();
    s.id = "svc";
    s.spec = new Service.ServiceSpec();
    s.spec.name = "web";
    s.endpoint = new Endpoint();
    PortConfig p = new PortConfig();
    p.protocol = "tcp";
    p.targetPort = 80L;
    p.publishedPort = 8080L;
    p.publishMode = "ingress";
    s.endpoint.ports = List.of(p);
    return s;
  }

  /** A running task of the service on {@code node} with an ingress address. */
  private void task(String id, String node, String addr) {
    h.store.update(tx -> {
      Task t = new Task();
      t.id = id;
      t.serviceId = "svc";
      t.slot = 1L;
      t.nodeId = node;
      t.desiredState = TaskState.RUNNING;
      t.status = new Task.TaskStatus();
      t.status.state = TaskState.RUNNING;
      t.networksAttachments = List.of(attachment(addr));
      return tx.tasks().create(t);
    });
  }
}
