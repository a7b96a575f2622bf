package io.jswarm.worker.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Endpoint;
import io.jswarm.api.types.EndpointSpec;
import io.jswarm.api.types.Healthcheck;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.NetworkAttachmentConfig;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import io.jswarm.api.types.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** From api objects to records, the directory's listeners, and the nft script the balancer writes. */
class ServiceRecordsTest {
  static Service service(String id, String name, String mode, boolean healthcheck) {
    Service s = new Service();
    s.id = id;
    s.spec = new Service.ServiceSpec();
    s.spec.name = name;
    s.spec.taskTemplate = new TaskSpec();
    s.spec.taskTemplate.containerSpec = new ContainerSpec();
    if (healthcheck) {
      s.spec.taskTemplate.containerSpec.healthcheck = new Healthcheck();
      s.spec.taskTemplate.containerSpec.healthcheck.test = List.of("CMD", "true");
    }
    NetworkAttachmentConfig nc = new NetworkAttachmentConfig();
    nc.target = "net1";
    nc.aliases = List.of("www");
    s.spec.taskTemplate.networks = List.of(nc);
    s.endpoint = new Endpoint();
    s.endpoint.spec = new EndpointSpec();
    s.endpoint.spec.mode = mode;
    if (!"dnsrr".equals(mode)) {
      Endpoint.VirtualIP other = new Endpoint.VirtualIP();
      other.networkId = "net2";
      other.addr = "10.0.2.2/24";
      Endpoint.VirtualIP vip = new Endpoint.VirtualIP();
      vip.networkId = "net1";
      vip.addr = "10.0.1.2/24";
      s.endpoint.virtualIPs = List.of(other, vip);
    }
    return s;
  }

  static Task task(String id, String service, long slot, TaskState observed, TaskState desired, String health, String addr) {
    Task t = new Task();
    t.id = id;
    t.serviceId = service;
    t.slot = slot;
    t.nodeId = "node1";
    t.desiredState = desired;
    t.status = new Task.TaskStatus();
    t.status.state = observed;
    if (health != null) {
      t.status.containerStatus = new Task.ContainerStatus();
      t.status.containerStatus.health = health;
    }
    NetworkAttachment a = new NetworkAttachment();
    a.network = new Network();
    a.network.id = "net1";
    a.addresses = List.of(addr);
    t.networksAttachments = List.of(a);
    return t;
  }

  @Test
  void runningTasksOfTheServiceWithTheirAddressOnTheNetwork() {
    Service web = service("s1", "web", "vip", false);
    List<Task> tasks = List.of(
        task("t2", "s1", 2, TaskState.RUNNING, TaskState.RUNNING, null, "10.0.1.4/24"),
        task("t1", "s1", 1, TaskState.RUNNING, TaskState.RUNNING, null, "10.0.1.3/24"),
        task("t3", "s1", 3, TaskState.STARTING, TaskState.RUNNING, null, "10.0.1.5/24"),
        task("t4", "s1", 4, TaskState.RUNNING, TaskState.SHUTDOWN, null, "10.0.1.6/24"),
        task("t5", "s1", 5, TaskState.FAILED, TaskState.RUNNING, null, "10.0.1.7/24"),
        task("x1", "other", 1, TaskState.RUNNING, TaskState.RUNNING, null, "10.0.1.8/24"));
    ServiceRecord r = ServiceRecords.of("net1", web, tasks);
    assertEquals("web", r.name());
    assertEquals("10.0.1.2", r.vip(), "the VIP of this network, without prefix");
    assertEquals(List.of("www"), r.aliases());
    assertEquals(List.of(new ServiceRecord.TaskEndpoint("web.1.t1", "10.0.1.3"),
        new ServiceRecord.TaskEndpoint("web.2.t2", "10.0.1.4")), r.tasks());
    assertTrue(ServiceRecords.of("net9", web, tasks).tasks().isEmpty(), "no address on net9");
  }

  @Test
  void withAHealthCheckOnlyHealthyTasksAndDnsrrHasNoVip() {
    Service web = service("s1", "web", "dnsrr", true);
    List<Task> tasks = List.of(
        task("t1", "s1", 1, TaskState.RUNNING, TaskState.RUNNING, "healthy", "10.0.1.3/24"),
        task("t2", "s1", 2, TaskState.RUNNING, TaskState.RUNNING, "unhealthy", "10.0.1.4/24"),
        task("t3", "s1", 3, TaskState.RUNNING, TaskState.RUNNING, "starting", "10.0.1.5/24"),
        task("t4", "s1", 4, TaskState.RUNNING, TaskState.RUNNING, null, "10.0.1.6/24"));
    ServiceRecord r = ServiceRecords.of("net1", web, tasks);
    assertNull(r.vip());
    assertTrue(r.dnsrr());
    assertEquals(List.of("10.0.1.3"), r.tasks().stream().map(ServiceRecord.TaskEndpoint::address).toList());
  }

  @Test
  void globalTasksAreNamedByNode() {
    Task t = task("t9", "s1", 0, TaskState.RUNNING, TaskState.RUNNING, null, "10.0.1.3/24");
    t.slot = null;
    assertEquals("web.node1.t9", ServiceRecords.taskName("web", t));
  }

  @Test
  void directoryTellsListenersAndLooksUpCaseInsensitively() {
    ServiceDirectory d = new ServiceDirectory();
    List<String> changed = new ArrayList<>();
    d.addListener(changed::add);
    d.update("net1", "front", List.of(new ServiceRecord("s1", "Web", List.of(), "10.0.1.2", List.of())));
    d.remove("net1");
    d.remove("net1");
    assertEquals(List.of("net1", "net1"), changed, "a removal of an unknown network is not an event");
    d.update("net1", "front", List.of(new ServiceRecord("s1", "Web", List.of(), "10.0.1.2", List.of())));
    assertEquals("s1", d.network("net1").orElseThrow().service("WEB").orElseThrow().serviceId());
    assertEquals(1, d.networks(List.of("nope", "net1")).size());
  }

  @Test
  void balancerScriptUsesNumgenForSeveralBackendsAndRejectsEmptyVips() {
    String s = VipBalancer.script(Map.of("10.0.1.2", List.of("10.0.1.3", "10.0.1.4", "10.0.1.3"),
        "10.0.1.9", List.of("10.0.1.10"), "10.0.1.20", List.of()));
    assertTrue(s.contains("ip daddr 10.0.1.2 meta l4proto { tcp, udp } dnat to numgen random mod 2 map { 0 : 10.0.1.3, 1 : 10.0.1.4 }"), s);
    assertTrue(s.contains("ip daddr 10.0.1.9 meta l4proto { tcp, udp } dnat to 10.0.1.10\n"), s);
    assertTrue(s.contains("elements = { 10.0.1.20 }"), s);
    assertTrue(s.startsWith("table ip jswarm_vip\ndelete table ip jswarm_vip\n"), "one atomic rewrite: " + s);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> VipBalancer.script(Map.of("10.0.1.2", List.of("10.0.1.300"))));
    assertEquals("backend of VIP 10.0.1.2 must be an IPv4 address like 10.0.1.2, got 10.0.1.300", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> VipBalancer.script(Map.of("web; flush ruleset", List.of())));
  }
}
