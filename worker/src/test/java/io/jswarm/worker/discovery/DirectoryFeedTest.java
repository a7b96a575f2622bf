package io.jswarm.worker.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.NetworkServices;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Endpoint;
import io.jswarm.api.types.EndpointSpec;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dispatcher's {@code services} messages, as the agent receives them (JSON), feeding the directory. */
class DirectoryFeedTest {
  private final ServiceDirectory directory = new ServiceDirectory();
  private final DirectoryFeed feed = new DirectoryFeed(directory);
  private final List<String> changed = new ArrayList<>();

  @Test
  void fullThenIncrementalMessagesKeepTheDirectoryInStep() {
    directory.addListener(changed::add);
    send(true, NetworkServices.of("netA", "front", false, true, List.of(service("web", "10.0.1.2/24", null),
        service("db", null, "dnsrr")), List.of(task("w1", "web", 1, "10.0.1.3/24"), task("w2", "web", 2,
        "10.0.1.4/24"), task("d1", "db", 1, "10.0.1.9/24")), List.of(), List.of()));
    ServiceDirectory.NetworkView v = directory.network("netA").orElseThrow();
    assertEquals("front", v.networkName());
    ServiceRecord web = v.service("web").orElseThrow();
    assertEquals("10.0.1.2", web.vip());
    assertEquals(List.of("10.0.1.3", "10.0.1.4"), web.tasks().stream().map(ServiceRecord.TaskEndpoint::address)
        .toList());
    assertEquals("web.1.w1", web.tasks().get(0).name());
    ServiceRecord db = v.service("db").orElseThrow();
    assertTrue(db.dnsrr());
    assertEquals(List.of("netA"), changed);

    // a task goes, another comes; the service's VIP is untouched
    send(false, NetworkServices.of("netA", "front", false, false, List.of(), List.of(task("w3", "web", 3,
        "10.0.1.5/24")), List.of(), List.of("w1")));
    web = directory.network("netA").orElseThrow().service("web").orElseThrow();
    assertEquals(List.of("10.0.1.4", "10.0.1.5"), web.tasks().stream().map(ServiceRecord.TaskEndpoint::address)
        .toList());
    assertEquals(2, feed.tasks("netA").size() - 1, "w2, w3 of web and d1 of db");

    // a second network; then a full message without netA drops it
    send(false, NetworkServices.of("netB", "back", false, true, List.of(service("web", "10.0.2.2/24", null)),
        List.of(), List.of(), List.of()));
    assertEquals("10.0.2.2", directory.network("netB").orElseThrow().service("web").orElseThrow().vip());
    send(true, NetworkServices.of("netB", "back", false, true, List.of(service("web", "10.0.2.2/24", null)),
        List.of(), List.of(), List.of()));
    assertFalse(directory.network("netA").isPresent());
    assertEquals(List.of("netB"), feed.networks());

    // the service goes, then the node leaves the network
    send(false, NetworkServices.of("netB", "back", false, false, List.of(), List.of(), List.of("web"), List.of()));
    assertEquals(List.of(), directory.network("netB").orElseThrow().services());
    send(false, NetworkServices.left("netB"));
    assertFalse(directory.network("netB").isPresent());
    assertEquals(List.of(), feed.networks());
  }

  @Test
  void changeListenersSeeTheNextViewBeforeLookupsDo() {
    List<String> seen = new ArrayList<>();
    directory.addChangeListener((net, next) -> {
      String now = directory.network(net).map(v -> v.services().get(0).tasks().size() + " tasks").orElse("none");
      String then = next == null ? "removed" : next.services().get(0).tasks().size() + " tasks";
      String computed = directory.networks(List.of(net), net, next).isEmpty() ? "none"
          : directory.networks(List.of(net), net, next).get(0).services().get(0).tasks().size() + " tasks";
      seen.add(now + " -> " + then + " (" + computed + ")");
    });
    send(true, NetworkServices.of("netA", "front", false, true, List.of(service("web", "10.0.1.2/24", null)),
        List.of(task("w1", "web", 1, "10.0.1.3/24")), List.of(), List.of()));
    send(false, NetworkServices.of("netA", "front", false, false, List.of(), List.of(task("w2", "web", 2,
        "10.0.1.4/24")), List.of(), List.of()));
    send(false, NetworkServices.left("netA"));
    assertEquals(List.of("none -> 1 tasks (1 tasks)", "1 tasks -> 2 tasks (2 tasks)", "2 tasks -> removed (none)"),
        seen);
  }

  @Test
  void otherMessagesAreIgnored() {
    feed.onDispatcherMessage(DispatcherMessage.endpoints(true, List.of()));
    assertEquals(List.of(), feed.networks());
  }

  /** Through JSON, as the stream carries it. */
  private void send(boolean full, NetworkServices n) {
    String line = Json.toString(DispatcherMessage.services(full, List.of(n)));
    feed.onDispatcherMessage(Json.fromString(line, DispatcherMessage.class));
  }

  private static Service service(String id, String vip, String mode) {
    Service s = new Service();
    s.id = id;
    s.spec = new Service.ServiceSpec();
    s.spec.name = id;
    s.endpoint = new Endpoint();
    if (mode != null) {
      s.endpoint.spec = new EndpointSpec();
      s.endpoint.spec.mode = mode;
    }
    if (vip != null) {
      Endpoint.VirtualIP v = new Endpoint.VirtualIP();
      v.networkId = vip.startsWith("10.0.1.") ? "netA" : "netB";
      v.addr = vip;
      s.endpoint.virtualIPs = List.of(v);
    }
    return s;
  }

  private static Task task(String id, String service, long slot, String addr) {
    Task t = new Task();
    t.id = id;
    t.serviceId = service;
    t.slot = slot;
    t.nodeId = "n1";
    t.desiredState = TaskState.RUNNING;
    t.status = new Task.TaskStatus();
    t.status.state = TaskState.RUNNING;
    NetworkAttachment a = new NetworkAttachment();
    a.network = new Network();
    a.network.id = addr.startsWith("10.0.1.") ? "netA" : "netB";
    a.addresses = List.of(addr);
    t.networksAttachments = List.of(a);
    return t;
  }
}
