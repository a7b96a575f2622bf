package io.jswarm.worker.discovery;

import static io.jswarm.worker.discovery.ServiceRecordsTest.service;
import static io.jswarm.worker.discovery.ServiceRecordsTest.task;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.NetworkServices;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.TaskState;
import io.jswarm.worker.network.IngressPort;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The routing mesh follows the ingress network's records (the dispatcher's {@code services} messages, through JSON as
 * the stream carries them): the full view with the node's own attachment sets it up, increments update the backends
 * with the attachment kept, other networks leave it alone, and {@code Left} (or a full message without the ingress
 * network) removes it.
 */
class IngressRoutingTest {
  /** One mesh update: the attachment's address (or null) and the ports. */
  private record Update(String address, List<IngressPort> ports) {}

  private final DirectoryFeed feed = new DirectoryFeed(new ServiceDirectory());
  private final List<Update> updates = new ArrayList<>();

  IngressRoutingTest() {
    IngressRouting.attach(feed, (a, ports) -> updates.add(new Update(a == null ? null : a.addresses.get(0), ports)));
  }

  @Test
  void theMeshFollowsTheIngressNetworksRecords() {
    Service web = published();
    NetworkServices full = NetworkServices.of("net1", "ingress", true, true, List.of(web),
        List.of(task("t1", "s1", 1, TaskState.RUNNING, TaskState.RUNNING, null, "10.0.1.3/24")), List.of(), List.of());
    full.nodeAttachment = attachment("10.0.1.250/24");
    send(true, full);
    assertEquals(List.of(new Update("10.0.1.250/24", List.of(new IngressPort("tcp", 8080, 80, List.of("10.0.1.3"))))),
        updates);

    // a second task: only the change comes, the node's attachment stays what the full view said
    send(false, NetworkServices.of("net1", "ingress", true, false, List.of(),
        List.of(task("t2", "s1", 2, TaskState.RUNNING, TaskState.RUNNING, null, "10.0.1.4/24")), List.of(), List.of()));
    assertEquals(new Update("10.0.1.250/24", List.of(new IngressPort("tcp", 8080, 80, List.of("10.0.1.3", "10.0.1.4")))),
        updates.get(1));

    // another network's records do not touch the mesh
    send(false, NetworkServices.of("net2", "front", false, true, List.of(), List.of(), List.of(), List.of()));
    assertEquals(2, updates.size());

    // the node's address moves
    NetworkServices moved = NetworkServices.of("net1", "ingress", true, false, List.of(), List.of(), List.of(),
        List.of("t1"));
    moved.nodeAttachment = attachment("10.0.1.251/24");
    send(false, moved);
    assertEquals(new Update("10.0.1.251/24", List.of(new IngressPort("tcp", 8080, 80, List.of("10.0.1.4")))),
        updates.get(2));

    // the node leaves the ingress network: the mesh goes
    send(false, NetworkServices.left("net1"));
    assertEquals(new Update(null, List.of()), updates.get(3));

    // back with a new session's full view, then a full view without it
    send(true, full);
    assertEquals("10.0.1.250/24", updates.get(4).address());
    send(true, NetworkServices.of("net2", "front", false, true, List.of(), List.of(), List.of(), List.of()));
    assertEquals(new Update(null, List.of()), updates.get(5));
    assertEquals(6, updates.size());
  }

  private static Service published() {
    Service s = service("s1", "web", "vip", false);
    PortConfig p = new PortConfig();
    p.protocol = "tcp";
    p.targetPort = 80L;
    p.publishedPort = 8080L;
    p.publishMode = "ingress";
    s.endpoint.ports = List.of(p);
    return s;
  }

  private static NetworkAttachment attachment(String addr) {
    NetworkAttachment a = new NetworkAttachment();
    a.network = new Network();
    a.network.id = "net1";
    a.network.spec = new Network.Spec();
    a.network.spec.ingress = true;
    a.addresses = List.of(addr);
    return a;
  }

  private void send(boolean full, NetworkServices n) {
    String line = Json.toString(DispatcherMessage.services(full, List.of(n)));
    feed.onDispatcherMessage(Json.fromString(line, DispatcherMessage.class));
  }
}
