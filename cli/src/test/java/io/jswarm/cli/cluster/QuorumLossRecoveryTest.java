package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Losing the quorum and getting it back (Docker's admin guide: {@code swarm init --force-new-cluster}): three
 * managers and a worker (simulated executor), each in its own network namespace, two managers killed with SIGKILL, writes refused fast, reads served
 * marked stale, the survivor made a single-manager cluster with every service, network and node, the
 * worker back, two new managers joined, and a leader kill survived again.
 */
class QuorumLossRecoveryTest {
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  @Test
  void forceNewClusterOnTheSurvivorKeepsEveryServiceThenTheClusterGrowsAndSurvivesALeaderKill() throws Exception {
    try (MultiHostCluster cluster = MultiHostCluster.create()) {
      Daemon m1 = cluster.init("m1", "\"Spec\":{\"Dispatcher\":{\"HeartbeatPeriod\":1000000000}}").daemon();
      Daemon m2 = cluster.join("m2", cluster.get("m1"), "manager").daemon();
      Daemon m3 = cluster.join("m3", cluster.get("m1"), "manager").daemon();
      Daemon w1 = cluster.join("w1", cluster.get("m1"), "worker").daemon();
      m1.call("POST", "/networks/create", "{\"Name\":\"qnet\",\"Driver\":\"overlay\"}").expect(201);
      for (int i = 0; i < 3; i++) {
        m1.call("POST", "/services/create", "{\"Name\":\"q" + i + "\",\"TaskTemplate\":{\"ContainerSpec\":"
            + "{\"Image\":\"busybox\"},\"Placement\":{\"Constraints\":[\"node.role==worker\"]}},"
            + "\"Mode\":{\"Replicated\":{\"Replicas\":2}}}").expect(201);
      }
      await(CONVERGE, "6 running tasks on w1", () -> running(m1) == 6);
      String servicesBefore = services(m1);

      m2.kill();
      m3.kill();
      long t0 = System.nanoTime();
      ProcessCluster.Answer write = m1.call("POST", "/services/create",
          "{\"Name\":\"without-quorum\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"}}}");
      long writeMs = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(503, write.status(), write.body());
      assertTrue(write.body().contains("no quorum"), write.body());
      assertTrue(writeMs < 20_000, "the write failed within the write timeout, took " + writeMs + " ms");

      HttpResponse<String> read = rawGet(m1, "/services");
      assertEquals(200, read.statusCode(), read.body());
      assertTrue(read.headers().firstValue("X-Jswarm-Stale-Read").isPresent(),
          "a read without quorum says it may be stale: " + read.headers().map());

      m1.call("POST", "/swarm/init", "{\"ForceNewCluster\":true}").expect(200);
      assertEquals(servicesBefore, services(m1), "every service as it was, versions included");
      assertEquals(1, m1.get("/networks").findValues("Name").stream().filter(n -> n.asText().equals("qnet")).count());
      assertEquals(4, m1.get("/nodes").size(), "every node row kept");
      await(CONVERGE, "w1 ready again with its 6 tasks running", () ->
          nodeState(m1, "w1").equals("ready") && running(m1) == 6);
      assertTrue(rawGet(m1, "/services").headers().firstValue("X-Jswarm-Stale-Read").isEmpty());

      Daemon m4 = cluster.join("m4", cluster.get("m1"), "manager").daemon();
      Daemon m5 = cluster.join("m5", cluster.get("m1"), "manager").daemon();
      await(CONVERGE, "3 reachable managers", () -> reachableManagers(m4) == 3);
      m4.call("POST", "/services/create", "{\"Name\":\"after\",\"TaskTemplate\":{\"ContainerSpec\":"
          + "{\"Image\":\"busybox\"}}}").expect(201);

      m1.kill(); // the leader
      await(CONVERGE, "a write through m5 after the leader's kill", () -> {
        try {
          return m5.call("POST", "/services/create", "{\"Name\":\"after-kill\",\"TaskTemplate\":{\"ContainerSpec\":"
              + "{\"Image\":\"busybox\"}}}").status() == 201;
        } catch (IOException e) {
          return false;
        }
      });
      assertEquals(5, m4.get("/services").size());
      assertTrue(w1.alive());
    }
  }

  private static HttpResponse<String> rawGet(Daemon d, String path) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://" + d.address + ":" + d.apiPort + "/v1.41" + path))
        .timeout(Duration.ofSeconds(40)).GET().build();
    return HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString());
  }

  /** Name -> version of every service, sorted. */
  private static String services(Daemon d) throws IOException {
    TreeMap<String, Long> out = new TreeMap<>();
    for (JsonNode s : d.get("/services")) {
      out.put(s.path("Spec").path("Name").asText(), s.path("Version").path("Index").asLong());
    }
    return out.toString();
  }

  private static int running(Daemon d) {
    try {
      int n = 0;
      for (JsonNode t : d.get("/tasks")) {
        if (t.path("Status").path("State").asText().equals("running")
            && t.path("DesiredState").asText().equals("running")) {
          n++;
        }
      }
      return n;
    } catch (IOException e) {
      return -1;
    }
  }

  private static String nodeState(Daemon d, String hostname) {
    try {
      for (JsonNode n : d.get("/nodes")) {
        if (n.path("Description").path("Hostname").asText().equals(hostname)) {
          return n.path("Status").path("State").asText();
        }
      }
    } catch (IOException e) {
      // not answering yet
    }
    return "";
  }

  private static int reachableManagers(Daemon d) {
    try {
      List<String> r = new ArrayList<>();
      for (JsonNode n : d.get("/nodes")) {
        if (n.path("ManagerStatus").path("Reachability").asText().equals("reachable")) {
          r.add(n.path("ID").asText());
        }
      }
      return r.size();
    } catch (IOException e) {
      return -1;
    }
  }
}
