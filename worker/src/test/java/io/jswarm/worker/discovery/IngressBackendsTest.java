package io.jswarm.worker.discovery;

import static io.jswarm.worker.discovery.ServiceRecordsTest.service;
import static io.jswarm.worker.discovery.ServiceRecordsTest.task;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.worker.network.IngressPort;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** From the ingress network's records to the routing mesh's ports and backends. */
class IngressBackendsTest {
  private static PortConfig port(String protocol, long target, Long published, String mode) {
    PortConfig p = new PortConfig();
    p.protocol = protocol;
    p.targetPort = target;
    p.publishedPort = published;
    p.publishMode = mode;
    return p;
  }

  /** Four tasks of each service on the ingress network (here net1): two running (one unhealthy), one stopping,
   * one starting. */
  private static List<Task> tasksOf(Service... services) {
    List<Task> out = new ArrayList<>();
    for (Service s : services) {
      out.addAll(List.of(
          task("t1" + s.id, s.id, 1, TaskState.RUNNING, TaskState.RUNNING, "healthy", "10.0.1.3/24"),
          task("t2" + s.id, s.id, 2, TaskState.RUNNING, TaskState.RUNNING, "unhealthy", "10.0.1.4/24"),
          task("t3" + s.id, s.id, 3, TaskState.RUNNING, TaskState.SHUTDOWN, null, "10.0.1.5/24"),
          task("t4" + s.id, s.id, 4, TaskState.STARTING, TaskState.RUNNING, null, "10.0.1.6/24")));
    }
    return out;
  }

  @Test
  void publishedIngressPortsGetTheTasksThatReceiveTraffic() {
    Service web = service("s1", "web", "vip", false);
    web.endpoint.ports = List.of(port("tcp", 80, 8080L, "ingress"), port("udp", 53, 30000L, "ingress"),
        port("tcp", 22, 2222L, "host"), port("tcp", 81, null, "ingress"));
    Service checked = service("s2", "api", "vip", true);
    checked.endpoint.ports = List.of(port(null, 8000, 9000L, null));
    List<IngressPort> ports = IngressBackends.of("net1", List.of(web, checked), tasksOf(web, checked));
    assertEquals(List.of(
        new IngressPort("tcp", 8080, 80, List.of("10.0.1.3", "10.0.1.4")),
        new IngressPort("udp", 30000, 53, List.of("10.0.1.3", "10.0.1.4")),
        new IngressPort("tcp", 9000, 8000, List.of("10.0.1.3"))), ports,
        "host-mode and unnumbered ports left out; stopping, starting and (with a health check) unhealthy tasks too");
  }

  @Test
  void aPerNetworkViewWithMixedTasksGivesTheSame() {
    Service web = service("s1", "web", "vip", false);
    web.endpoint.ports = List.of(port("tcp", 80, 8080L, "ingress"));
    Service other = service("s2", "api", "vip", false);
    other.endpoint.ports = List.of(port("tcp", 80, 8081L, "ingress"));
    List<Task> tasks = List.of(
        task("t1", "s1", 1, TaskState.RUNNING, TaskState.RUNNING, null, "10.0.1.3/24"),
        task("t2", "s2", 1, TaskState.RUNNING, TaskState.RUNNING, null, "10.0.1.4/24"));
    assertEquals(List.of(new IngressPort("tcp", 8080, 80, List.of("10.0.1.3")),
        new IngressPort("tcp", 8081, 80, List.of("10.0.1.4"))), IngressBackends.of("net1", List.of(web, other), tasks));
  }

  @Test
  void noServicesOrNoPublishedPortsMeanNoPorts() {
    assertEquals(List.of(), IngressBackends.of("net1", List.of(), List.of()));
    Service unpublished = service("s3", "db", "vip", false);
    assertEquals(List.of(), IngressBackends.of("net1", List.of(unpublished), tasksOf(unpublished)));
  }
}
