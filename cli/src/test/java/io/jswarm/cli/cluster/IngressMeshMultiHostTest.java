package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.cluster.MultiHostCluster.Host;
import io.jswarm.linux.NetNs;
import io.jswarm.worker.network.RoutingMesh;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The ingress routing mesh end to end (issue 6 item 3) on the multi-host harness: a manager host {@code m1} and two
 * workers; a busybox httpd service publishing {@code 8080:80} with one replica on each worker, each serving its own
 * hostname. From the root namespace (the underlay, like an outside client) the manager host's address:8080, where
 * no task runs, answers, and repeated requests reach both tasks; so do a worker's address and 127.0.0.1 inside the
 * manager host. Every node has an address on the ingress network. A second service asking for 8080 is refused
 * naming the port; {@code -p 80} alone gets a port from 30000-32767 shown with the VIP in inspect (and, with no
 * task, is refused at once rather than hanging). Scaling to 1 sends everything to the remaining task; removing the
 * services removes the ingress sandbox and every rule on every host, as leaving the swarm does on a worker; closing
 * the harness leaves nothing.
 */
class IngressMeshMultiHostTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final int REQUESTS = 30;

  @Test
  void aPublishedPortAnswersOnEveryNodeAndReachesTasksOnOtherNodes() throws Exception {
    long t0 = System.nanoTime();
    MultiHostCluster cluster = MultiHostCluster.create().executor("container");
    List<Host> hosts;
    try {
      Host m1 = cluster.init("m1");
      Host w1 = cluster.join("w1", m1, "worker");
      Host w2 = cluster.join("w2", m1, "worker");
      hosts = cluster.hosts();
      cluster.importBusybox(m1);

      String spec = "{\"Name\":\"ingweb\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\""
          + ContainerClusterTest.IMAGE + "\"," + ContainerClusterTest.SHORT_STOP + ",\"Args\":[\"sh\",\"-c\","
          + "\"busybox hostname > /www/index.html && exec httpd -f -p 80 -h /www\"]},"
          + "\"Placement\":{\"Constraints\":[\"node.role==worker\"],\"MaxReplicas\":1}},"
          + "\"Mode\":{\"Replicated\":{\"Replicas\":2}},"
          + "\"EndpointSpec\":{\"Ports\":[{\"Protocol\":\"tcp\",\"TargetPort\":80,\"PublishedPort\":8080}]}}";
      String web = m1.daemon().call("POST", "/services/create", spec).expect(201).json().path("ID").asText();
      MultiHostCluster.awaitOrShowTasks(CONVERGE, m1, "2 running tasks", () -> runningHostnames(m1, web).size() == 2);
      assertEquals(List.of(), m1.containerProcesses(), "no task on m1");
      assertEquals(1, w1.containerProcesses().size(), "one task on w1");
      assertEquals(1, w2.containerProcesses().size(), "one task on w2");
      Set<String> both = new HashSet<>(runningHostnames(m1, web).values());

      // every node has its own address on the ingress network
      Set<String> nodeAddrs = new HashSet<>();
      for (JsonNode n : MultiHostClusterTest.get(m1.daemon(), "/nodes")) {
        JsonNode a = n.path("Attachments");
        assertEquals(1, a.size(), "ingress attachment of node " + n.path("ID").asText() + ": " + n);
        assertTrue(a.get(0).path("Network").path("Spec").path("Ingress").asBoolean(), n.toString());
        nodeAddrs.add(a.get(0).path("Addresses").get(0).asText());
      }
      assertEquals(3, nodeAddrs.size(), "distinct node ingress addresses " + nodeAddrs);

      // inspect: the published port and the VIP on the ingress network
      JsonNode ep = m1.daemon().get("/services/" + web).path("Endpoint");
      assertEquals(8080, ep.path("Ports").get(0).path("PublishedPort").asInt(), ep.toString());
      assertEquals("ingress", ep.path("Ports").get(0).path("PublishMode").asText(), ep.toString());
      assertEquals(1, ep.path("VirtualIPs").size(), ep.toString());

      // m1 runs no task: its port answers, and repeated requests reach both tasks
      Map<String, Integer> seen = fetchMany(m1.address, 8080);
      assertEquals(both, seen.keySet(), "pages through m1:8080 " + seen);
      long f0 = System.nanoTime();
      Map<String, Integer> again = fetchMany(m1.address, 8080);
      System.out.printf(Locale.ROOT, "IngressMeshMultiHostTest: %d requests through m1 (no task there): %s, "
          + "%.2f ms each%n", REQUESTS, again, (System.nanoTime() - f0) / 1e6 / REQUESTS);
      // so does a worker's address, and 127.0.0.1 inside m1
      assertEquals(both, fetchMany(w1.address, 8080).keySet(), "pages through w1:8080");
      Path m1ns = Path.of("/run/netns", m1.netns);
      Set<String> local = new HashSet<>();
      for (int i = 0; i < REQUESTS; i++) {
        local.add(NetNs.call(m1ns, () -> body(MultiHostCluster.httpGet("127.0.0.1", 8080))));
      }
      assertEquals(both, local, "pages through 127.0.0.1:8080 inside m1");

      // a port taken by another service is refused, naming it
      String clash = spec.replace("\"ingweb\"", "\"ingclash\"");
      var refused = m1.daemon().call("POST", "/services/create", clash);
      assertEquals(400, refused.status(), refused.body());
      assertTrue(refused.body().contains("8080") && refused.body().contains("already in use"), refused.body());

      // -p 80: a port from 30000-32767, in inspect; without a task it is refused at once
      String dyn = spec.replace("\"ingweb\"", "\"ingdyn\"").replace(",\"PublishedPort\":8080", "")
          .replace("\"Replicas\":2", "\"Replicas\":0");
      String dynId = m1.daemon().call("POST", "/services/create", dyn).expect(201).json().path("ID").asText();
      int[] port = new int[1];
      await(CONVERGE, "a published port for ingdyn", () -> {
        JsonNode p = get(m1, "/services/" + dynId).path("Endpoint").path("Ports");
        port[0] = p.size() == 1 ? p.get(0).path("PublishedPort").asInt() : 0;
        return port[0] != 0;
      });
      assertTrue(port[0] >= 30000 && port[0] <= 32767, "dynamic port " + port[0]);
      assertEquals(1, get(m1, "/services/" + dynId).path("Endpoint").path("VirtualIPs").size(), "ingdyn VIP");
      awaitRefused(w2.address, port[0]);

      // scale to 1: everything goes to the remaining task
      scale(m1, web, 1);
      MultiHostCluster.awaitOrShowTasks(CONVERGE, m1, "1 running task", () -> runningHostnames(m1, web).size() == 1
          && hosts.stream().mapToInt(h -> h.containerProcesses().size()).sum() == 1);
      String left = runningHostnames(m1, web).values().iterator().next();
      // while the nodes apply the scale-down a request may still fail; once converged, every request must succeed
      await(CONVERGE, "only " + left + " answers", () -> {
        try {
          return fetchMany(m1.address, 8080).keySet().equals(Set.of(left));
        } catch (UncheckedIOException notYet) {
          return false;
        }
      });
      assertEquals(Set.of(left), fetchMany(m1.address, 8080).keySet(), "after scale, through m1");
      assertEquals(Set.of(left), fetchMany(w1.address, 8080).keySet(), "after scale, through w1");
      assertEquals(Set.of(left), fetchMany(w2.address, 8080).keySet(), "after scale, through w2");

      // the worker left without a task leaves the swarm: its mesh goes with it
      Host idle = w1.containerProcesses().isEmpty() ? w1 : w2;
      idle.daemon().call("POST", "/swarm/leave?force=true", null).expect(200);
      awaitQuietly(() -> meshLeftovers(idle).isEmpty());
      assertEquals("", meshLeftovers(idle), idle + " routing mesh leftovers after leave");

      // service rm: no ingress sandbox, rule or overlay sandbox left on any host
      m1.daemon().call("DELETE", "/services/" + web, null).expect(200);
      m1.daemon().call("DELETE", "/services/" + dynId, null).expect(200);
      awaitQuietly(() -> hosts.stream().allMatch(h -> meshLeftovers(h).isEmpty()));
      for (Host h : hosts) {
        assertEquals("", meshLeftovers(h), h + " routing mesh leftovers");
      }
      awaitRefused(m1.address, 8080);
    } finally {
      cluster.close();
    }
    cluster.assertNothingLeft(hosts);
    System.out.printf(Locale.ROOT, "IngressMeshMultiHostTest: %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  /** {@link #REQUESTS} GETs to {@code addr:port} from the root namespace (the first retried while rules settle). */
  private static Map<String, Integer> fetchMany(String addr, int port) {
    Map<String, Integer> seen = new HashMap<>();
    String first = null;
    for (int i = 0; i < 40 && first == null; i++) {
      try {
        first = body(MultiHostCluster.httpGet(addr, port));
      } catch (IOException e) {
        sleep(250);
      }
    }
    if (first == null) {
      throw new AssertionError("no answer from " + addr + ":" + port);
    }
    seen.merge(first, 1, Integer::sum);
    for (int i = 1; i < REQUESTS; i++) {
      try {
        seen.merge(body(MultiHostCluster.httpGet(addr, port)), 1, Integer::sum);
      } catch (IOException e) {
        throw new UncheckedIOException("request " + i + " to " + addr + ":" + port, e);
      }
    }
    return seen;
  }

  /** The page of an HTTP answer (the task's hostname), or the whole answer when it is not a 200. */
  private static String body(String response) throws IOException {
    if (!response.startsWith("HTTP/1.0 200") && !response.startsWith("HTTP/1.1 200")) {
      throw new IOException("not a 200: " + response);
    }
    int at = response.indexOf("\r\n\r\n");
    return response.substring(at + 4).trim();
  }

  /** Waits until a connection to {@code addr:port} is refused (not timed out, not accepted). */
  private static void awaitRefused(String addr, int port) {
    String[] last = {""};
    try {
      await(CONVERGE, addr + ":" + port + " refuses connections", () -> {
        try (Socket c = new Socket()) {
          c.connect(new InetSocketAddress(addr, port), 2000);
          last[0] = "accepted";
          return false;
        } catch (ConnectException e) {
          return true;
        } catch (IOException e) {
          last[0] = e.toString();
          return false;
        }
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + " (last: " + last[0] + ")", e);
    }
  }

  /** The ingress sandbox, its rules and the ingress overlay sandbox on {@code h} ("" when none is left). */
  private static String meshLeftovers(Host h) {
    StringBuilder out = new StringBuilder();
    Path sbox = h.daemon().execRoot.resolve("netns").resolve(RoutingMesh.SANDBOX_ID);
    if (Files.exists(sbox)) {
      out.append("ingress sandbox ").append(sbox).append('\n');
    }
    List<String> overlays = ContainerClusterTest.children(h.daemon().execRoot.resolve("overlay"));
    if (!overlays.isEmpty()) {
      out.append("overlay sandboxes ").append(overlays).append('\n');
    }
    try {
      String tables = h.exec("nft list tables");
      if (tables.contains("_ingress")) {
        out.append("tables ").append(tables).append('\n');
      }
      String vx = h.exec("ip -o link show type vxlan");
      if (!vx.isBlank()) {
        out.append("vxlan ").append(vx).append('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Hostname served by each running task of {@code serviceId} (by task id), read from its container. */
  private static Map<String, String> runningHostnames(Host manager, String serviceId) {
    Map<String, String> out = new HashMap<>();
    for (JsonNode t : MultiHostClusterTest.get(manager.daemon(), "/tasks")) {
      if (!t.path("ServiceID").asText().equals(serviceId)
          || !t.path("Status").path("State").asText().equals("running")
          || !t.path("DesiredState").asText().equals("running")) {
        continue;
      }
      long pid = t.path("Status").path("ContainerStatus").path("PID").asLong();
      try {
        out.put(t.path("ID").asText(), MultiHostCluster.sh("nsenter -t " + pid + " -u /bin/busybox hostname"));
      } catch (IOException e) {
        // not started yet, or already gone
      }
    }
    return out;
  }

  private static JsonNode get(Host via, String path) {
    try {
      return via.daemon().get(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void scale(Host via, String service, int replicas) throws IOException {
    JsonNode s = via.daemon().get("/services/" + service);
    String spec = s.path("Spec").toString().replaceFirst("\"Replicas\":\\d+", "\"Replicas\":" + replicas);
    via.daemon().call("POST", "/services/" + service + "/update?version=" + s.path("Version").path("Index").asLong(),
        spec).expect(200);
  }

  private static void awaitQuietly(BooleanSupplier cond) {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (!cond.getAsBoolean() && System.nanoTime() < deadline) {
      sleep(200);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

}
