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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Losing the quorum and getting it back (Docker's admin guide: {@code swarm init --force-new-cluster}): three
 * managers and a worker running real containers, each in its own network namespace, two managers killed with
 * SIGKILL, writes refused fast, reads served marked stale, the survivor made a single-manager cluster with every
 * service, network and node, the worker back with the very same container processes (none restarted), two new
 * managers joined, and a leader kill survived again.
 */
class QuorumLossRecoveryTest {
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  @Test
  void forceNewClusterOnTheSurvivorKeepsEveryServiceThenTheClusterGrowsAndSurvivesALeaderKill() throws Exception {
    try (MultiHostCluster cluster = MultiHostCluster.create().executor("container")) {
      Daemon m1 = cluster.init("m1", "\"Spec\":{\"Dispatcher\":{\"HeartbeatPeriod\":1000000000}}").daemon();
      Daemon m2 = cluster.join("m2", cluster.get("m1"), "manager").daemon();
      Daemon m3 = cluster.join("m3", cluster.get("m1"), "manager").daemon();
      Daemon w1 = cluster.join("w1", cluster.get("m1"), "worker").daemon();
      cluster.importBusybox(cluster.get("w1"));
      m1.call("POST", "/networks/create", "{\"Name\":\"qnet\",\"Driver\":\"overlay\"}").expect(201);
      for (int i = 0; i < 3; i++) {
        m1.call("POST", "/services/create", workerService("q" + i)).expect(201);
      }
      await(CONVERGE, "6 running tasks on w1", () -> running(m1) == 6);
      String servicesBefore = services(m1);
      List<String> containersBefore = containers(cluster.get("w1"));
      assertEquals(6, containersBefore.size(), "one sleep process per task: " + containersBefore);

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
      assertEquals(containersBefore, containers(cluster.get("w1")), "the same container processes: none restarted");

      Daemon m4 = cluster.join("m4", cluster.get("m1"), "manager").daemon();
      Daemon m5 = cluster.join("m5", cluster.get("m1"), "manager").daemon();
      await(CONVERGE, "3 reachable managers", () -> reachableManagers(m4) == 3);
      m4.call("POST", "/services/create", workerService("after")).expect(201);

      m1.kill(); // the leader
      await(CONVERGE, "a write through m5 after the leader's kill", () -> {
        try {
          return m5.call("POST", "/services/create", workerService("after-kill")).status() == 201;
        } catch (IOException e) {
          return false;
        }
      });
      assertEquals(5, m4.get("/services").size());
      assertTrue(w1.alive());
    }
  }

  /**
   * Two replicas of the imported busybox image sleeping on the overlay, on workers only (whose image it is: no
   * node ever pulls from a registry).
   */
  private static String workerService(String name) {
    return "{\"Name\":\"" + name + "\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"" + MultiHostCluster.BUSYBOX
        + "\",\"Command\":[\"sleep\",\"3600\"]},\"Networks\":[{\"Target\":\"qnet\"}],"
        + "\"Placement\":{\"Constraints\":[\"node.role==worker\"]}},\"Mode\":{\"Replicated\":{\"Replicas\":2}}}";
  }

  /** The sleep processes of the worker's containers (their pids), sorted. */
  private static List<String> containers(MultiHostCluster.Host h) {
    List<String> out = new ArrayList<>();
    for (String pid : h.containerProcesses()) {
      try {
        String cmd = Files.readString(Path.of("/proc", pid, "cmdline")).replace('\0', ' ');
        if (cmd.startsWith("sleep ")) {
          out.add(pid);
        }
      } catch (IOException gone) {
        // exited meanwhile
      }
    }
    out.sort(null);
    return out;
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
