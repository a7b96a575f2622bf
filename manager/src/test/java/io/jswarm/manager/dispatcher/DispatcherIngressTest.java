package io.jswarm.manager.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.NetworkEndpoints;
import io.jswarm.api.dispatcher.NetworkServices;
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
 * the ingress network's service records with its own attachment (what its routing mesh balances over), then only
 * what changed: one task, one service, the attachment, never the whole view again.
 */
class DispatcherIngressTest {
  private final DispatcherHarness h = new DispatcherHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void everyNodeLearnsTheIngressEndpointsAndServicesEvenWithoutTasks() throws Exception {
    h.store.update(tx -> tx.networks().create(ingressNetwork()));
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
    // the ingress network's records, though n3 runs nothing there: its own attachment, the service and its task
    DispatcherMessage view = s3.nextServices();
    assertEquals(DispatcherMessage.SERVICES, view.type);
    NetworkServices ingress = view.serviceNetworks.get(0);
    assertTrue(ingress.isFull() && ingress.isIngress());
    assertEquals(List.of("10.0.0.4/24"), ingress.nodeAttachment.addresses);
    assertEquals("4096", ingress.nodeAttachment.network.driverState.options
        .get("com.docker.network.driver.overlay.vxlanid_list"), "the network object comes with it");
    assertEquals(List.of("svc"), ingress.services.stream().map(x -> x.id).toList());
    assertEquals(8080L, ingress.services.get(0).endpoint.ports.get(0).publishedPort);
    assertEquals(List.of("t1"), ingress.tasks.stream().map(t -> t.id).toList());
    assertEquals(List.of("10.0.0.6/24"), ingress.tasks.get(0).networksAttachments.get(0).addresses);

    // a second task starts running on n2: the new endpoint, then only that task (not the whole view again)
    task("t2", "n2", "10.0.0.7/24");
    assertEquals(List.of("t2"), s3.next().networks.get(0).endpoints.stream().map(e -> e.taskId).toList());
    NetworkServices change = s3.nextServices().serviceNetworks.get(0);
    assertEquals(List.of("t2"), change.tasks.stream().map(t -> t.id).toList());
    assertEquals(List.of(), change.services);
    assertNull(change.nodeAttachment, "unchanged: not sent again");

    // a status report that changes nothing the mesh uses sends nothing; t2 failing does
    h.editTask("t1", t -> t.status.message = "still running");
    h.editTask("t2", t -> t.status.state = TaskState.FAILED);
    assertEquals(List.of("t2"), s3.next().networks.get(0).removed);
    change = s3.nextServices().serviceNetworks.get(0);
    assertEquals(List.of("t2"), change.removedTasks);
    assertEquals(List.of(), change.tasks);

    // a spec change the mesh does not use (a label) sends nothing; a new published port sends the service only
    h.store.update(tx -> {
      Service sv = tx.services().get("svc");
      sv.spec.labels = Map.of("team", "web");
      return tx.services().update(sv);
    });
    h.store.update(tx -> {
      Service sv = tx.services().get("svc");
      PortConfig p = port(9090L);
      sv.endpoint.ports = List.of(sv.endpoint.ports.get(0), p);
      return tx.services().update(sv);
    });
    change = s3.nextServices().serviceNetworks.get(0);
    assertEquals(List.of("svc"), change.services.stream().map(x -> x.id).toList());
    assertEquals(2, change.services.get(0).endpoint.ports.size());
    assertEquals(List.of(), change.tasks, "the tasks are not re-sent");

    // n3's ingress address moves: the new attachment alone
    h.store.update(tx -> {
      var n = tx.nodes().get("n3");
      n.attachments = List.of(attachment("10.0.0.14/24"));
      return tx.nodes().update(n);
    });
    change = s3.nextServices().serviceNetworks.get(0);
    assertEquals(List.of("10.0.0.14/24"), change.nodeAttachment.addresses);
    assertEquals(List.of(), change.tasks);

    // the service goes: removed from the records
    h.store.update(tx -> {
      tx.services().delete("svc");
      return null;
    });
    DispatcherMessage none = s3.nextServices();
    assertEquals(DispatcherMessage.SERVICES, none.type);
    assertEquals(List.of("svc"), none.serviceNetworks.get(0).removedServices);

    // n3 loses its ingress address: the network's endpoints are dropped and it leaves the records (its mesh goes)
    h.store.update(tx -> {
      var n = tx.nodes().get("n3");
      n.attachments = null;
      return tx.nodes().update(n);
    });
    DispatcherMessage left = s3.next();
    assertEquals(DispatcherMessage.ENDPOINTS, left.type);
    assertTrue(left.networks.get(0).isFull());
    DispatcherMessage gone = s3.nextServices();
    assertEquals(DispatcherMessage.SERVICES, gone.type);
    assertTrue(gone.serviceNetworks.get(0).isLeft());
    assertEquals(0, s3.pending());
    assertEquals(0, s3.pendingServices());
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
    s.endpoint.ports = List.of(port(8080L));
    Endpoint.VirtualIP vip = new Endpoint.VirtualIP(); // the allocator gives a service publishing ingress ports a VIP
    vip.networkId = "ing";
    vip.addr = "10.0.0.5/24";
    s.endpoint.virtualIPs = List.of(vip);
    return s;
  }

  private static PortConfig port(long published) {
    PortConfig p = new PortConfig();
    p.protocol = "tcp";
    p.targetPort = 80L;
    p.publishedPort = published;
    p.publishMode = "ingress";
    return p;
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
