package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.cluster.MultiHostCluster.Host;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Real containers on the multi-host harness: a manager host and a worker host with the container executor; a
 * busybox image imported on the manager only (the worker pulls it from the manager over the underlay); an httpd
 * service constrained to the worker, published in host mode, answers on the worker's underlay address from the
 * root namespace; after {@code service rm} and closing the harness nothing of it is left.
 */
class MultiHostContainerTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void aWorkerHostServesAPublishedPortOnItsUnderlayAddress() throws Exception {
    MultiHostCluster cluster = MultiHostCluster.create().executor("container");
    List<Host> hosts;
    try {
      Host m1 = cluster.init("m1");
      Host w1 = cluster.join("w1", m1, "worker");
      hosts = cluster.hosts();
      cluster.importBusybox(m1);

      String spec = "{\"Name\":\"web\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\""
          + ContainerClusterTest.IMAGE + "\"," + ContainerClusterTest.SHORT_STOP + ","
          + "\"Args\":[\"httpd\",\"-f\",\"-p\",\"80\",\"-h\",\"/www\"]},"
          + "\"Placement\":{\"Constraints\":[\"node.hostname==w1\"]}},"
          + "\"Mode\":{\"Replicated\":{\"Replicas\":1}},"
          + "\"EndpointSpec\":{\"Ports\":[{\"Protocol\":\"tcp\",\"TargetPort\":80,\"PublishMode\":\"host\"}]}}";
      String serviceId = m1.daemon().call("POST", "/services/create", spec).expect(201).json().path("ID").asText();
      int[] port = new int[1];
      MultiHostCluster.awaitOrShowTasks(CONVERGE, m1, "the web task running on w1 with a published port", () -> {
        for (JsonNode t : MultiHostClusterTest.get(m1.daemon(), "/tasks")) {
          JsonNode ports = t.path("Status").path("PortStatus").path("Ports");
          if (t.path("Status").path("State").asText().equals("running") && ports.size() == 1) {
            port[0] = ports.get(0).path("PublishedPort").asInt();
            return port[0] > 0;
          }
        }
        return false;
      });
      assertEquals(1, w1.containerProcesses().size(), "httpd runs on w1");
      assertEquals(List.of(), m1.containerProcesses(), "nothing runs on m1");

      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create("http://" + w1.address + ":" + port[0] + "/")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("hello from jswarm\n", r.body());
      // each host has the default local bridge in its own namespace
      String bridges = w1.exec("ip -o link show type bridge");
      assertTrue(bridges.contains("jswarm_gwbridge"), "w1's bridges: " + bridges);

      m1.daemon().call("DELETE", "/services/" + serviceId, null).expect(200);
      await(CONVERGE, "the container gone from w1", () -> w1.containerProcesses().isEmpty()
          && ContainerClusterTest.children(w1.daemon().execRoot.resolve("netns")).isEmpty());
    } finally {
      cluster.close();
    }
    cluster.assertNothingLeft(hosts);
  }
}
