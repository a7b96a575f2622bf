package io.jswarm.worker.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.json.Json;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Task;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostPortsTest {
  @Test
  void hostModePortsComeFromTheTaskEndpoint() {
    Task t = Json.fromString("{\"ID\":\"t1\",\"Endpoint\":{\"Ports\":["
        + "{\"Protocol\":\"tcp\",\"TargetPort\":80,\"PublishedPort\":8080,\"PublishMode\":\"host\"},"
        + "{\"Protocol\":\"tcp\",\"TargetPort\":81,\"PublishedPort\":30001,\"PublishMode\":\"ingress\"}]}}", Task.class);
    List<PortConfig> host = BridgeNetworking.hostPorts(t);
    assertEquals(1, host.size());
    assertEquals(8080L, host.get(0).publishedPort);
    assertTrue(Json.toString(t).contains("\"Endpoint\""));
  }

  @Test
  void endpointSpecIsTheFallbackAndNoEndpointMeansNoPorts() {
    Task t = Json.fromString("{\"ID\":\"t1\",\"Endpoint\":{\"Spec\":{\"Ports\":["
        + "{\"TargetPort\":80,\"PublishMode\":\"host\"}]}}}", Task.class);
    assertEquals(1, BridgeNetworking.hostPorts(t).size());
    assertTrue(BridgeNetworking.hostPorts(Json.fromString("{\"ID\":\"t2\"}", Task.class)).isEmpty());
  }
}
