package io.jswarm.manager.dispatcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.dispatcher.NetworkServices;
import io.jswarm.api.types.Endpoint;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The feed alone (no store, no sessions): the ingress network reaches every node with an ingress address, tasks or
 * not, and after the first full view each node is sent only what changed, whatever the size of the service.
 */
class ServiceRecordFeedTest {
  private static final int NODES = 50;
  private static final int TASKS = 2_000;

  private final ServiceRecordFeed feed = new ServiceRecordFeed();
  private final List<ServiceRecordFeed.Sent> sent = new ArrayList<>();

  /** NODES nodes with ingress addresses, none running anything but n0; a service publishing a port with TASKS tasks. */
  private void load() {
    feed.networkChanged("ing", ingress());
    for (int i = 0; i < NODES; i++) {
      feed.nodeChanged("n" + i, node("n" + i, "10.0.0." + (i + 2) + "/16"));
      sent.add(new ServiceRecordFeed.Sent());
    }
    feed.serviceChanged("svc", service(8080));
    for (int i = 0; i < TASKS; i++) {
      feed.taskChanged("t" + i, task("t" + i, TaskState.RUNNING, "10.0.1." + i % 250 + "/16"));
    }
    feed.clearDirty();
    for (int i = 0; i < NODES; i++) {
      List<NetworkServices> full = feed.full("n" + i, sent.get(i));
      assertEquals(1, full.size(), "every node gets the ingress network");
      assertEquals(TASKS, full.get(0).tasks.size());
      assertEquals("10.0.0." + (i + 2) + "/16", full.get(0).nodeAttachment.addresses.get(0));
    }
  }

  @Test
  void oneTaskChangeSendsEachNodeThatTaskOnly() {
    load();
    feed.taskChanged("t7", task("t7", TaskState.FAILED, "10.0.1.7/16"));
    feed.taskChanged("t-new", task("t-new", TaskState.RUNNING, "10.0.2.1/16"));
    for (int i = 0; i < NODES; i++) {
      List<NetworkServices> changes = feed.changes("n" + i, sent.get(i));
      assertEquals(1, changes.size());
      NetworkServices c = changes.get(0);
      assertFalse(c.isFull());
      assertEquals(List.of("t-new"), c.tasks.stream().map(t -> t.id).toList());
      assertEquals(List.of("t7"), c.removedTasks);
      assertEquals(List.of(), c.services);
      assertNull(c.nodeAttachment);
    }
  }

  @Test
  void aSpecChangeSendsTheServiceOnlyAndOnlyWhenItsRecordChanged() {
    load();
    Service labelled = service(8080);
    labelled.spec.labels = Map.of("team", "web");
    labelled.updatedAt = "2026-12-06T00:00:00Z";
    feed.serviceChanged("svc", labelled);
    assertFalse(feed.hasDirty(), "a label and a timestamp are not in the record");

    feed.serviceChanged("svc", service(9090));
    for (int i = 0; i < NODES; i++) {
      NetworkServices c = feed.changes("n" + i, sent.get(i)).get(0);
      assertEquals(1, c.services.size());
      assertEquals(9090L, c.services.get(0).endpoint.ports.get(0).publishedPort);
      assertEquals(List.of(), c.tasks, "the tasks are not sent again");
    }
  }

  @Test
  void aNodeChangeMovesOnlyItsOwnAttachmentAndLosingItLeaves() {
    load();
    Node moved = node("n3", "10.0.0.99/16");
    moved.status.message = "anything else";
    feed.nodeChanged("n3", moved);
    feed.nodeChanged("n4", node("n4", "10.0.0.6/16")); // unchanged
    assertTrue(feed.hasDirty());
    for (int i = 0; i < NODES; i++) {
      List<NetworkServices> changes = feed.changes("n" + i, sent.get(i));
      if (i == 3) {
        assertEquals(List.of("10.0.0.99/16"), changes.get(0).nodeAttachment.addresses);
        assertEquals(List.of(), changes.get(0).tasks);
      } else {
        assertEquals(List.of(), changes, "node " + i);
      }
    }
    feed.clearDirty();

    feed.nodeChanged("n3", null);
    assertTrue(feed.changes("n3", sent.get(3)).get(0).isLeft());
    assertEquals(List.of(), feed.changes("n5", sent.get(5)));
    assertFalse(feed.receivesRecords("n3", "ing"));
    assertTrue(feed.receivesRecords("n5", "ing"));
  }

  private static Network ingress() {
    Network n = new Network();
    n.id = "ing";
    n.spec = new Network.Spec();
    n.spec.name = "ingress";
    n.spec.ingress = true;
    return n;
  }

  private static Node node(String id, String addr) {
    Node n = new Node();
    n.id = id;
    n.status = new Node.Status();
    n.status.state = "ready";
    NetworkAttachment a = new NetworkAttachment();
    a.network = ingress();
    a.addresses = List.of(addr);
    n.attachments = List.of(a);
    return n;
  }

  private static Service service(long published) {
    Service s = new Service();
    s.id = "svc";
    s.spec = new Service.ServiceSpec();
    s.spec.name = "web";
    s.endpoint = new Endpoint();
    PortConfig p = new PortConfig();
    p.protocol = "tcp";
    p.targetPort = 80L;
    p.publishedPort = published;
    p.publishMode = "ingress";
    s.endpoint.ports = List.of(p);
    Endpoint.VirtualIP vip = new Endpoint.VirtualIP();
    vip.networkId = "ing";
    vip.addr = "10.0.0.1/16";
    s.endpoint.virtualIPs = List.of(vip);
    return s;
  }

  private static Task task(String id, TaskState state, String addr) {
    Task t = new Task();
    t.id = id;
    t.serviceId = "svc";
    t.slot = 1L;
    t.nodeId = "n0";
    t.desiredState = TaskState.RUNNING;
    t.status = new Task.TaskStatus();
    t.status.state = state;
    NetworkAttachment a = new NetworkAttachment();
    a.network = new Network();
    a.network.id = "ing";
    a.addresses = List.of(addr);
    t.networksAttachments = List.of(a);
    return t;
  }
}
