package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.cluster.MultiHostCluster.Host;
import io.jswarm.linux.NetNs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The overlay end to end on the multi-host harness (issue 5 item 6): one manager and two workers, each a network
 * namespace on the underlay running its own daemon with the container executor; an overlay network; a 6-replica
 * busybox httpd service on it whose containers each serve their own hostname. Every container fetches the page of
 * every other container over its overlay address (a Java socket on a thread inside the client container's
 * namespace: the host's busybox wget segfaults), across hosts through VXLAN. Scaling down to 2 withdraws the removed
 * tasks' FDB and neighbour entries from every host's sandbox; {@code service rm} + {@code network rm} leave no
 * sandbox, VXLAN device or task interface on any host; closing the harness leaves nothing at all.
 */
class OverlayMultiHostTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);

  /** One running task: where it runs, its container's pid, its overlay address and MAC. */
  private record Replica(String taskId, Host host, long pid, String addr, String mac) {}

  @Test
  void sixReplicasOnThreeHostsReachEachOtherOverTheOverlayAndLeaveNothing() throws Exception {
    long t0 = System.nanoTime();
    MultiHostCluster cluster = MultiHostCluster.create().executor("container");
    List<Host> hosts;
    try {
      Host m1 = cluster.init("m1");
      cluster.join("w1", m1, "worker");
      cluster.join("w2", m1, "worker");
      hosts = cluster.hosts();
      cluster.importBusybox(m1);

      String netId = m1.daemon().call("POST", "/networks/create", "{\"Name\":\"ovmh\",\"Driver\":\"overlay\"}")
          .expect(201).json().path("Id").asText();
      assertFalse(netId.isEmpty(), "network create returns the Id");
      String spec = "{\"Name\":\"ovmhweb\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\""
          + ContainerClusterTest.IMAGE + "\"," + ContainerClusterTest.SHORT_STOP + ",\"Args\":[\"sh\",\"-c\","
          + "\"busybox hostname > /www/index.html && exec httpd -f -p 80 -h /www\"]},"
          + "\"Networks\":[{\"Target\":\"ovmh\"}]},\"Mode\":{\"Replicated\":{\"Replicas\":6}}}";
      String serviceId = m1.daemon().call("POST", "/services/create", spec).expect(201).json().path("ID").asText();
      MultiHostCluster.awaitOrShowTasks(CONVERGE, m1, "6 running tasks", () -> running(m1, serviceId, hosts).size() == 6);
      List<Replica> six = running(m1, serviceId, hosts);
      Set<Host> used = new HashSet<>();
      six.forEach(r -> used.add(r.host()));
      assertTrue(used.size() >= 2, "the replicas are spread over hosts: " + six);

      // Every container reaches every other one's overlay address over TCP, and gets that container's page.
      Map<Replica, String> hostnames = new LinkedHashMap<>();
      for (Replica r : six) {
        hostnames.put(r, MultiHostCluster.sh("nsenter -t " + r.pid() + " -u /bin/busybox hostname"));
      }
      assertEquals(6, new HashSet<>(hostnames.values()).size(), "distinct hostnames: " + hostnames);
      List<String> failures = new ArrayList<>();
      int probes = 0;
      for (Replica from : six) {
        for (Replica to : six) {
          if (from == to) {
            continue;
          }
          probes++;
          String page = fetchWithRetry(from, to);
          if (!page.startsWith("HTTP/1.") || !page.endsWith("\n" + hostnames.get(to) + "\n")) {
            failures.add(from.host() + "/" + from.addr() + " -> " + to.host() + "/" + to.addr() + ": " + page);
          }
        }
      }
      assertEquals(List.of(), failures, "overlay TCP between containers (" + probes + " probes)");

      // Before the scale-down: every host with a task holds the entries of every task on another host.
      for (Host h : used) {
        Path sandbox = sandbox(h, netId);
        assertTrue(Files.exists(sandbox), "sandbox of " + h + ": " + sandbox);
        String fdb = sh("nsenter --net=" + sandbox + " bridge fdb show");
        String neigh = sh("nsenter --net=" + sandbox + " ip neigh show");
        for (Replica r : six) {
          if (r.host() != h) {
            assertTrue(fdb.contains(r.mac() + " ") && fdb.contains("dst " + r.host().address),
                h + " has an FDB entry for " + r + ":\n" + fdb);
            assertTrue(neigh.contains(r.addr() + " ") && neigh.contains(r.mac()),
                h + " has a neighbour entry for " + r + ":\n" + neigh);
          }
        }
      }

      // Scale down to 2: the removed tasks' entries go from every host.
      scale(m1, serviceId, 2);
      MultiHostCluster.awaitOrShowTasks(CONVERGE, m1, "2 running tasks and 4 containers gone", () -> running(m1, serviceId, hosts).size() == 2
          && hosts.stream().mapToInt(h -> h.containerProcesses().size()).sum() <= 2 * 2);
      List<Replica> two = running(m1, serviceId, hosts);
      List<Replica> removed = new ArrayList<>();
      for (Replica r : six) {
        if (two.stream().noneMatch(k -> k.taskId().equals(r.taskId()))) {
          removed.add(r);
        }
      }
      assertEquals(4, removed.size(), "removed: " + removed);
      awaitQuietly(() -> hosts.stream().allMatch(h -> leftovers(h, netId, removed).isEmpty()));
      for (Host h : hosts) {
        assertEquals("", leftovers(h, netId, removed), h + " entries of removed tasks");
      }
      // ... and the two left still reach each other.
      String page = fetchWithRetry(two.get(0), two.get(1));
      assertTrue(page.endsWith("\n" + hostnames.get(six.stream()
          .filter(r -> r.taskId().equals(two.get(1).taskId())).findFirst().orElseThrow()) + "\n"), page);

      // service rm + network rm: no sandbox, VXLAN device or task interface left on any host.
      m1.daemon().call("DELETE", "/services/" + serviceId, null).expect(200);
      await(CONVERGE, "network removed once its tasks have stopped", () -> {
        try {
          int s = m1.daemon().call("DELETE", "/networks/ovmh", null).status();
          if (s != 204 && s != 409) {
            throw new AssertionError("network rm answered " + s);
          }
          return s == 204;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      awaitQuietly(() -> hosts.stream().allMatch(h -> hostLeftovers(h).isEmpty()));
      for (Host h : hosts) {
        assertEquals("", hostLeftovers(h), h + " leftovers");
      }
      assertEquals(404, m1.daemon().call("GET", "/networks/ovmh", null).status(), "network gone");
    } finally {
      cluster.close();
    }
    cluster.assertNothingLeft(hosts);
    System.out.printf(Locale.ROOT, "OverlayMultiHostTest: %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  private static void scale(Host via, String service, int replicas) throws IOException {
    JsonNode s = via.daemon().get("/services/" + service);
    String spec = s.path("Spec").toString().replaceFirst("\"Replicas\":\\d+", "\"Replicas\":" + replicas);
    via.daemon().call("POST", "/services/" + service + "/update?version=" + s.path("Version").path("Index").asLong(),
        spec).expect(200);
  }

  /** Waits up to {@link #CONVERGE} for {@code cond}; the assertions after it say what is wrong if it never holds. */
  private static void awaitQuietly(BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (!cond.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
  }

  private static Path sandbox(Host h, String netId) {
    return h.daemon().execRoot.resolve("overlay").resolve(netId);
  }

  /** FDB and neighbour entries on {@code h} that still name a removed task ("" when none). */
  private static String leftovers(Host h, String netId, List<Replica> removed) {
    Path sandbox = sandbox(h, netId);
    String fdb;
    String neigh;
    try {
      fdb = MultiHostCluster.sh("nsenter --net=" + sandbox + " bridge fdb show");
      neigh = MultiHostCluster.sh("nsenter --net=" + sandbox + " ip neigh show");
    } catch (IOException e) {
      if (!io.jswarm.linux.NetNs.exists(sandbox)) {
        // the host's last task of the network left, and the sandbox with it (unmounted, maybe not unlinked yet)
        return "";
      }
      throw new UncheckedIOException(e);
    }
    StringBuilder out = new StringBuilder();
    for (Replica r : removed) {
      for (String line : fdb.split("\n")) {
        if (line.contains(r.mac())) {
          out.append("fdb: ").append(line).append('\n');
        }
      }
      for (String line : neigh.split("\n")) {
        if (line.startsWith(r.addr() + " ") || line.contains(r.mac())) {
          out.append("neigh: ").append(line).append('\n');
        }
      }
    }
    return out.toString();
  }

  /** Containers, overlay sandboxes, VXLAN devices, macvlans and veths other than the underlay's eth0 on {@code h}. */
  private static String hostLeftovers(Host h) {
    StringBuilder out = new StringBuilder();
    if (!h.containerProcesses().isEmpty()) {
      out.append("containers ").append(h.containerProcesses()).append('\n');
    }
    List<String> sandboxes = ContainerClusterTest.children(h.daemon().execRoot.resolve("overlay"));
    if (!sandboxes.isEmpty()) {
      out.append("sandboxes ").append(sandboxes).append('\n');
    }
    try {
      String vx = h.exec("ip -o link show type vxlan");
      if (!vx.isBlank()) {
        out.append("vxlan ").append(vx).append('\n');
      }
      String mv = h.exec("ip -o link show type macvlan");
      if (!mv.isBlank()) {
        out.append("macvlan ").append(mv).append('\n');
      }
      for (String line : h.exec("ip -o link show type veth").split("\n")) {
        if (!line.isBlank() && !line.matches("\\d+: eth0@.*")) {
          out.append("veth ").append(line).append('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** An HTTP GET from inside {@code from}'s network namespace to {@code to}'s overlay address; a few tries. */
  private static String fetchWithRetry(Replica from, Replica to) {
    return MultiHostCluster.httpWithRetry(() -> MultiHostCluster.httpGetFrom(from.pid(), to.addr(), 80));
  }

  /** The running tasks of {@code serviceId} whose container runs on one of {@code hosts}. */
  private static List<Replica> running(Host manager, String serviceId, List<Host> hosts) {
    List<Replica> out = new ArrayList<>();
    for (JsonNode t : MultiHostClusterTest.get(manager.daemon(), "/tasks")) {
      if (!t.path("ServiceID").asText().equals(serviceId)
          || !t.path("Status").path("State").asText().equals("running")
          || !t.path("DesiredState").asText().equals("running")) {
        continue;
      }
      long pid = t.path("Status").path("ContainerStatus").path("PID").asLong();
      Host where = null;
      for (Host h : hosts) {
        if (h.containerProcesses().contains(Long.toString(pid))) {
          where = h;
        }
      }
      JsonNode att = t.path("NetworksAttachments");
      if (where == null || att.size() != 1 || att.get(0).path("Addresses").size() != 1) {
        continue;
      }
      String addr = att.get(0).path("Addresses").get(0).asText().split("/")[0];
      StringBuilder mac = new StringBuilder("02:42");
      for (String b : addr.split("\\.")) {
        mac.append(String.format(Locale.ROOT, ":%02x", Integer.parseInt(b)));
      }
      out.add(new Replica(t.path("ID").asText(), where, pid, addr, mac.toString()));
    }
    return out;
  }

  private static String sh(String command) {
    try {
      return MultiHostCluster.sh(command);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
