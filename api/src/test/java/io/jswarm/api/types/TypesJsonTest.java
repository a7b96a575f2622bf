package io.jswarm.api.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON shapes of the model that the documentation examples do not pin down. */
class TypesJsonTest {

  @Test
  void globalModeIsAnEmptyObjectThatSurvivesARoundTrip() {
    assertEquals("{\"Global\":{}}", Json.toString(ServiceMode.global()));
    ServiceMode back = Json.fromString("{\"Global\":{}}", ServiceMode.class);
    assertNotNull(back.global);
    assertNull(back.replicated);
    assertEquals("{\"GlobalJob\":{}}", Json.toString(Json.fromString("{\"GlobalJob\":{}}", ServiceMode.class)));
  }

  @Test
  void replicatedModeHasItsCount() {
    assertEquals("{\"Replicated\":{\"Replicas\":3}}", Json.toString(ServiceMode.replicated(3)));
    assertFalse(ServiceMode.replicated(3).isJob());
    assertTrue(Json.fromString("{\"ReplicatedJob\":{\"MaxConcurrent\":2}}", ServiceMode.class).isJob());
  }

  @Test
  void taskReadsDockerdsGenericResourcesNameAndKeepsPortStatus() {
    String dockerd = "{\"ID\":\"t1\",\"GenericResources\":[{\"DiscreteResourceSpec\":{\"Kind\":\"SSD\",\"Value\":3}}],"
        + "\"Status\":{\"State\":\"running\",\"PortStatus\":{\"Ports\":[{\"Protocol\":\"tcp\",\"TargetPort\":80,"
        + "\"PublishedPort\":30080,\"PublishMode\":\"host\"}]},\"ContainerStatus\":{\"ContainerID\":\"c1\","
        + "\"PID\":42,\"ExitCode\":0}},\"JobIteration\":{\"Index\":7}}";
    Task t = Json.fromString(dockerd, Task.class);
    assertEquals(3L, t.assignedGenericResources.get(0).discreteResourceSpec.value);
    assertEquals(30080L, t.status.portStatus.ports.get(0).publishedPort);
    assertEquals(42L, t.status.containerStatus.pid);
    assertEquals(7L, t.jobIteration.index);
    assertEquals(TaskState.RUNNING, t.status.state);
    String written = Json.toString(t);
    assertTrue(written.contains("\"AssignedGenericResources\":["), written);
    assertTrue(written.contains("\"PortStatus\":{\"Ports\":[{\"Protocol\":\"tcp\""), written);
  }

  @Test
  void namesFollowDockerNotJavaCapitalisation() {
    Node n = new Node();
    n.description = new Node.Description();
    n.description.platform = new Platform();
    n.description.platform.os = "linux";
    n.description.tlsInfo = new TLSInfo();
    n.description.tlsInfo.trustRoot = "pem";
    assertEquals("{\"Description\":{\"Platform\":{\"OS\":\"linux\"},\"TLSInfo\":{\"TrustRoot\":\"pem\"}}}",
        Json.toString(n));

    ContainerSpec c = new ContainerSpec();
    c.tty = true;
    c.dnsConfig = new ContainerSpec.DNSConfig();
    c.dnsConfig.nameservers = List.of("8.8.8.8");
    assertEquals("{\"TTY\":true,\"DNSConfig\":{\"Nameservers\":[\"8.8.8.8\"]}}", Json.toString(c));
  }

  @Test
  void uniqueNamesAreSpecNames() {
    Network net = Json.fromString("{\"Spec\":{\"Name\":\"backend\"}}", Network.class);
    assertEquals("backend", net.uniqueName());
    assertEquals("web", Json.fromString("{\"Spec\":{\"Name\":\"web\"}}", Service.class).uniqueName());
    assertEquals("default", Json.fromString("{\"Spec\":{\"Name\":\"default\"}}", Swarm.class).uniqueName());
    assertEquals("s", Json.fromString("{\"Spec\":{\"Name\":\"s\"}}", Secret.class).uniqueName());
    assertEquals("c", Json.fromString("{\"Spec\":{\"Name\":\"c\"}}", Config.class).uniqueName());
    assertNull(new Network().uniqueName());
    assertNull(new Node().uniqueName());
    assertNull(new Task().uniqueName());
  }
}
