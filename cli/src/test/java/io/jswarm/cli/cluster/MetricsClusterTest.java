package io.jswarm.cli.cluster;

import io.jswarm.transport.net.FreePorts;
import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import io.jswarm.cli.metrics.PrometheusTextParser;
import io.jswarm.cli.metrics.PrometheusTextParser.Exposition;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code jswarm daemon --metrics-addr}: a real daemon with runc containers serves {@code /metrics} that parses as
 * Prometheus text, and its counters move with the cluster: a 3-replica service raises the created-task and
 * placement counters and the stored and running task gauges; a container killed from outside raises the restart
 * counter.
 */
class MetricsClusterTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final String TAG = UUID.randomUUID().toString().substring(0, 6);
  private static final String CGROUP_PARENT = "jswarm-mtest-" + TAG;
  private static final String BRIDGE = "jswmt" + TAG;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static ProcessCluster cluster;
  private static Daemon node;
  private static int metricsPort;

  @BeforeAll
  static void startNode() throws Exception {
    metricsPort = FreePorts.pick();
    int third = 150 + Math.floorMod(TAG.hashCode(), 50);
    cluster = new ProcessCluster().executor("container").daemonArgs("--cgroup-parent", CGROUP_PARENT,
        "--bridge-name", BRIDGE, "--bridge-subnet", "172.31." + third + ".0/24",
        "--metrics-addr", "127.0.0.1:" + metricsPort);
    node = cluster.init("m1");
    ContainerClusterTest.importBusybox(cluster, node);
  }

  @AfterAll
  static void tearDown() throws Exception {
    ContainerClusterTest.leaveAndRemoveLeftovers(cluster, node, BRIDGE, CGROUP_PARENT);
  }

  @Test
  void countersMoveWithAServiceAndARestart() throws Exception {
    Exposition before = scrape();
    assertEquals("counter", before.types().get("jswarm_orchestrator_tasks_created_total"));
    assertEquals("histogram", before.types().get("jswarm_raft_commit_seconds"));
    assertEquals(1, before.value("jswarm_raft_is_leader"));
    assertEquals(1, before.value("jswarm_store_nodes", "state", "ready", "availability", "active"));
    double created0 = before.value("jswarm_orchestrator_tasks_created_total");
    double placed0 = before.value("jswarm_scheduler_placements_total");

    String spec = "{\"Name\":\"metered\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\""
        + ContainerClusterTest.IMAGE + "\",\"Args\":[\"sleep\",\"600\"]},"
        + "\"RestartPolicy\":{\"Delay\":0}},\"Mode\":{\"Replicated\":{\"Replicas\":3}}}";
    String id = node.call("POST", "/services/create", spec).expect(201).json().path("ID").asText();
    await(CONVERGE, "3 running tasks counted by the store and the runtime", () -> {
      Exposition e = scrape();
      return e.value("jswarm_store_tasks", "state", "running") == 3 && e.value("jswarm_runtime_tasks", "state", "running") == 3;
    });
    Exposition running = scrape();
    assertEquals(created0 + 3, running.value("jswarm_orchestrator_tasks_created_total"));
    assertEquals(placed0 + 3, running.value("jswarm_scheduler_placements_total"));
    assertEquals(1, running.value("jswarm_store_services"));
    assertEquals(1, running.value("jswarm_api_requests_total", "method", "POST", "route", "/services/create",
        "status", "201"));
    assertTrue(running.value("jswarm_raft_commit_seconds_count") > before.value("jswarm_raft_commit_seconds_count"));
    assertEquals(1, running.value("jswarm_dispatcher_sessions"));
    assertTrue(running.sum("jswarm_runtime_task_memory_bytes") > 0, "per-task memory from the cgroups");
    assertEquals(0, running.value("jswarm_orchestrator_restarts_total"));

    long pid = runningPids(id).get(0);
    new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
    await(CONVERGE, "the restart counted and the slot refilled", () -> {
      Exposition e = scrape();
      return e.value("jswarm_orchestrator_restarts_total") == 1 && e.value("jswarm_store_tasks", "state", "running") == 3;
    });
    Exposition after = scrape();
    assertEquals(created0 + 4, after.value("jswarm_orchestrator_tasks_created_total"));
    assertEquals(placed0 + 4, after.value("jswarm_scheduler_placements_total"));
    assertEquals(1, after.value("jswarm_store_tasks", "state", "failed"));
  }

  private static List<Long> runningPids(String serviceId) throws Exception {
    String f = URLEncoder.encode("{\"service\":[\"" + serviceId + "\"],\"desired-state\":[\"running\"]}",
        StandardCharsets.UTF_8);
    List<Long> out = new ArrayList<>();
    for (JsonNode t : node.get("/tasks?filters=" + f)) {
      long pid = t.path("Status").path("ContainerStatus").path("PID").asLong();
      if (pid > 0) {
        out.add(pid);
      }
    }
    return out;
  }

  /** GET /metrics, parsed strictly (a malformed exposition fails the test). */
  private static Exposition scrape() {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort
          + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      return PrometheusTextParser.parse(r.body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
