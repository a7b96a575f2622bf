package io.jswarm.manager.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.NetworkServices;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Driver;
import io.jswarm.api.types.Endpoint;
import io.jswarm.api.types.EndpointSpec;
import io.jswarm.api.types.Healthcheck;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.NetworkAttachmentConfig;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The service records the dispatcher pushes for service discovery: each node gets, for every overlay network it has
 * a task on, the services on it and their running tasks (cut down to what the DNS and the VIP rules need) — complete
 * at session start, then only what changed, and nothing for changes that do not matter.
 */
class DispatcherServicesTest {
  private final DispatcherHarness h = new DispatcherHarness();

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void recordsArePushedCompleteThenIncrementallyToTheNodesOnTheNetwork() throws Exception {
    for (int i = 1; i <= 3; i++) {
      h.addNode("n" + i, "ready");
    }
    network("netA", "front", false);
    network("netB", "back", false);
    h.store.update(tx -> tx.services().create(web()));
    task("w1", "web", 1, "n1", TaskState.RUNNING, Map.of("netA", "10.0.1.3/24", "netB", "10.0.2.3/24"));
    task("w2", "web", 2, "n2", TaskState.RUNNING, Map.of("netA", "10.0.1.4/24"));
    task("w3", "web", 3, "n3", TaskState.PENDING, Map.of("netA", "10.0.1.5/24")); // not on its node yet
    h.dispatcher.start();

    FakeSink s1 = h.open("n1", "192.168.50.1:2377");
    DispatcherMessage full = s1.nextServices();
    assertEquals(DispatcherMessage.SERVICES, full.type);
    assertTrue(full.isFull());
    Map<String, NetworkServices> byNet = full.serviceNetworks.stream()
        .collect(Collectors.toMap(n -> n.networkId, n -> n));
    assertEquals(List.of("netA", "netB"), byNet.keySet().stream().sorted().toList(), "n1 has a task on both");
    NetworkServices a = byNet.get("netA");
    assertTrue(a.isFull());
    assertEquals("front", a.networkName);
    assertFalse(a.isIngress());
    assertEquals(1, a.services.size());
    Service sv = a.services.get(0);
    assertEquals("web", sv.id);
    assertEquals("web", sv.spec.name);
    assertEquals(List.of("CMD", "true"), sv.spec.taskTemplate.containerSpec.healthcheck.test);
    assertNull(sv.spec.taskTemplate.containerSpec.image, "only what discovery needs");
    assertEquals(List.of("www"), sv.spec.taskTemplate.networks.get(0).aliases);
    assertEquals(1, sv.endpoint.virtualIPs.size(), "only this network's VIP");
    assertEquals("10.0.1.2/24", sv.endpoint.virtualIPs.get(0).addr);
    assertEquals(8080L, sv.endpoint.ports.get(0).publishedPort.longValue(), "published ports for the mesh");
    assertEquals(List.of("w1", "w2"), ids(a.tasks));
    Task w1 = a.tasks.stream().filter(t -> t.id.equals("w1")).findFirst().orElseThrow();
    assertEquals(1, w1.networksAttachments.size(), "only this network's attachment");
    assertEquals(List.of("10.0.1.3/24"), w1.networksAttachments.get(0).addresses);
    assertEquals(TaskState.RUNNING, w1.status.state);
    assertNull(w1.spec);
    assertEquals("10.0.2.2/24", byNet.get("netB").services.get(0).endpoint.virtualIPs.get(0).addr);

    FakeSink s3 = h.open("n3", "192.168.50.3:2377");
    DispatcherMessage empty = s3.nextServices();
    assertTrue(empty.isFull());
    assertEquals(List.of(), empty.serviceNetworks, "n3 has no task on a network yet");

    // What does not matter is not pushed: a new status timestamp, a label of the service.
    h.editTask("w2", t -> t.status.timestamp = "2026-01-01T00:00:01Z");
    h.store.update(tx -> {
      Service s = tx.services().get("web");
      s.spec.labels = Map.of("x", "y");
      return tx.services().update(s);
    });
    // The health of a task matters.
    h.editTask("w2", t -> {
      t.status.containerStatus = new Task.ContainerStatus();
      t.status.containerStatus.health = "healthy";
    });
    DispatcherMessage health = s1.nextServices();
    assertFalse(health.isFull());
    NetworkServices ch = health.serviceNetworks.get(0);
    assertEquals("netA", ch.networkId);
    assertFalse(ch.isFull());
    assertEquals(List.of("w2"), ids(ch.tasks));
    assertEquals("healthy", ch.tasks.get(0).status.containerStatus.health);
    assertEquals(List.of(), ch.services);

    // w3 reaches n3: n3 joins netA and gets it complete; w3 is not running, so n1 hears nothing.
    h.editTask("w3", t -> t.status.state = TaskState.ASSIGNED);
    NetworkServices joined = s3.nextServices().serviceNetworks.get(0);
    assertTrue(joined.isFull());
    assertEquals(List.of("w1", "w2"), ids(joined.tasks));
    // w3 runs: both learn it.
    h.editTask("w3", t -> t.status.state = TaskState.RUNNING);
    for (FakeSink s : List.of(s1, s3)) {
      NetworkServices n = s.nextServices().serviceNetworks.get(0);
      assertEquals(List.of("w3"), ids(n.tasks));
    }
    // w1 is told to stop: it gets no more traffic anywhere.
    h.editTask("w1", t -> t.desiredState = TaskState.SHUTDOWN);
    for (FakeSink s : List.of(s1, s3)) {
      List<NetworkServices> ns = s.nextServices().serviceNetworks;
      assertEquals(List.of("w1"), ns.stream().filter(n -> n.networkId.equals("netA")).findFirst().orElseThrow()
          .removedTasks);
    }
    // w3 is removed: n3 leaves netA; n1 drops the task.
    h.store.update(tx -> {
      tx.tasks().delete("w3");
      return null;
    });
    NetworkServices left = s3.nextServices().serviceNetworks.get(0);
    assertTrue(left.isLeft());
    assertEquals("netA", left.networkId);
    assertEquals(List.of("w3"), s1.nextServices().serviceNetworks.get(0).removedTasks);
    // The service goes: its records with it.
    h.store.update(tx -> {
      tx.services().delete("web");
      return null;
    });
    List<NetworkServices> gone = s1.nextServices().serviceNetworks;
    assertEquals(2, gone.size());
    gone.forEach(n -> assertEquals(List.of("web"), n.removedServices));
    assertEquals(0, s1.pendingServices());
    assertEquals(0, s3.pendingServices());
  }

  @Test
  void dnsrrServicesAreKnownByTheirSpecNetworks() {
    Service s = web();
    s.endpoint.virtualIPs = null;
    s.spec.endpointSpec = new EndpointSpec();
    s.spec.endpointSpec.mode = "dnsrr";
    assertEquals(List.of("netA"), List.copyOf(RecordCuts.networksOf(s)));
    Service cut = RecordCuts.cut(s, "netA");
    assertEquals("dnsrr", cut.spec.endpointSpec.mode);
    assertNull(cut.endpoint.virtualIPs);
    // the cut-down JSON is small
    assertTrue(Json.toString(cut).length() < 400, Json.toString(cut));
  }

  private static List<String> ids(List<Task> tasks) {
    return tasks.stream().map(t -> t.id).sorted().collect(Collectors.toList());
  }

  private static Service web() {
    Service s = new Service();
    s.id = "web";
    s.spec = new Service.ServiceSpec();
    s.spec.name = "web";
    s.spec.taskTemplate = new TaskSpec();
    s.spec.taskTemplate.containerSpec = new ContainerSpec();
    s.spec.taskTemplate.containerSpec.image = "busybox";
    s.spec.taskTemplate.containerSpec.healthcheck = new Healthcheck();
    s.spec.taskTemplate.containerSpec.healthcheck.test = List.of("CMD", "true");
    NetworkAttachmentConfig c = new NetworkAttachmentConfig();
    c.target = "netA";
    c.aliases = List.of("www");
    s.spec.taskTemplate.networks = List.of(c);
    s.endpoint = new Endpoint();
    PortConfig p = new PortConfig();
    p.targetPort = 80L;
    p.publishedPort = 8080L;
    p.protocol = "tcp";
    s.endpoint.ports = List.of(p);
    s.endpoint.virtualIPs = new ArrayList<>();
    for (String[] v : new String[][] {{"netA", "10.0.1.2/24"}, {"netB", "10.0.2.2/24"}}) {
      Endpoint.VirtualIP vip = new Endpoint.VirtualIP();
      vip.networkId = v[0];
      vip.addr = v[1];
      s.endpoint.virtualIPs.add(vip);
    }
    return s;
  }

  private void network(String id, String name, boolean ingress) {
    h.store.update(tx -> {
      Network n = new Network();
      n.id = id;
      n.spec = new Network.Spec();
      n.spec.name = name;
      n.spec.ingress = ingress;
      n.driverState = new Driver();
      n.driverState.name = "overlay";
      return tx.networks().create(n);
    });
  }

  private void task(String id, String service, long slot, String node, TaskState state, Map<String, String> addresses) {
    h.store.update(tx -> {
      Task t = new Task();
      t.id = id;
      t.serviceId = service;
      t.slot = slot;
      t.nodeId = node;
      t.desiredState = TaskState.RUNNING;
      t.status = new Task.TaskStatus();
      t.status.state = state;
      t.networksAttachments = new ArrayList<>();
      for (Map.Entry<String, String> en : new java.util.TreeMap<>(addresses).entrySet()) {
        NetworkAttachment a = new NetworkAttachment();
        a.network = new Network();
        a.network.id = en.getKey();
        a.network.driverState = new Driver();
        a.network.driverState.name = "overlay";
        a.addresses = List.of(en.getValue());
        t.networksAttachments.add(a);
      }
      return tx.tasks().create(t);
    });
  }
}
