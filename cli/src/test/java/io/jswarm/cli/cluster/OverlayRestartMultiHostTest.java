package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.cluster.MultiHostCluster.Host;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A worker daemon killed with SIGKILL and started again keeps its containers' overlay connectivity (issue 5 with the
 * adoption of issue 4): two hosts (a manager and a worker, both running tasks), an overlay network, a global busybox
 * httpd service on it that also publishes an ingress port. After {@code kill -9} + restart of the worker's daemon the
 * containers are adopted (same tasks, same pids), the worker's overlay sandbox and its container's {@code eth1} are
 * the very same ones, and containers on both hosts still reach each other over the overlay (TCP, both ways); the
 * published port answers on the restarted node again. {@code service rm} + {@code network rm} leave no container,
 * sandbox, VXLAN device or veth on either host, and closing the harness leaves nothing at all.
 */
class OverlayRestartMultiHostTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final String NET = "h6ovrs";
  private static final int PUBLISHED = 8086;

  /** One running task: its id, where it runs, its container's pid and its address on {@link #NET}. */
  private record Replica(String taskId, Host host, long pid, String addr) {}

  @Test
  void aKilledAndRestartedWorkerKeepsItsContainersOnTheOverlay() throws Exception {
    long t0 = System.nanoTime();
    MultiHostCluster cluster = MultiHostCluster.create().executor("container");
    List<Host> hosts;
    try {
      Host m1 = cluster.init("m1");
      Host w1 = cluster.join("w1", m1, "worker");
      hosts = cluster.hosts();
      cluster.importBusybox(m1);
      String netId = m1.daemon().call("POST", "/networks/create", "{\"Name\":\"" + NET + "\",\"Driver\":\"overlay\"}")
          .expect(201).json().path("Id").asText();
      String spec = "{\"Name\":\"h6web\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\""
          + ContainerClusterTest.IMAGE + "\"," + ContainerClusterTest.SHORT_STOP + ",\"Args\":[\"sh\",\"-c\","
          + "\"busybox hostname > /www/index.html && exec httpd -f -p 80 -h /www\"]},"
          + "\"Networks\":[{\"Target\":\"" + NET + "\"}]},\"Mode\":{\"Global\":{}},"
          + "\"EndpointSpec\":{\"Ports\":[{\"Protocol\":\"tcp\",\"TargetPort\":80,\"PublishedPort\":" + PUBLISHED
          + "}]}}";
      String serviceId = m1.daemon().call("POST", "/services/create", spec).expect(201).json().path("ID").asText();
      MultiHostCluster.awaitOrShowTasks(CONVERGE, m1, "a running task on each host", () -> running(m1, serviceId, netId, hosts).size() == 2);
      Replica onM1 = on(m1, running(m1, serviceId, netId, hosts));
      Replica onW1 = on(w1, running(m1, serviceId, netId, hosts));
      String nameM1 = hostname(onM1);
      String nameW1 = hostname(onW1);
      assertEquals(nameW1, page(fetchWithRetry(onM1, onW1)), "m1 -> w1 over the overlay before the restart");
      assertEquals(nameM1, page(fetchWithRetry(onW1, onM1)), "w1 -> m1 over the overlay before the restart");
      String before = page(getWithRetry(w1.address));
      assertTrue(List.of(nameM1, nameW1).contains(before), "published port on w1: " + before);
      Path sandbox = w1.daemon().execRoot.resolve("overlay").resolve(netId);
      String sandboxInode = MultiHostCluster.sh("stat -L -c %i " + sandbox);
      String eth1 = eth1(onW1);
      phase(t0, "service up, overlay checked");

      // kill -9 w1's daemon (its container keeps running) and start it again
      long logFrom = Files.size(w1.daemon().log);
      w1.kill();
      w1.restart();
      // the restarted daemon reconciles its overlay sandboxes on the first complete assignment set: wait for that,
      // so that what follows is checked after it (adopted, or - the bug - removed)
      await(CONVERGE, "w1's restarted daemon reconciles overlay network " + netId, () -> {
        String log = newLog(w1, logFrom);
        return log.contains("adopted sandbox " + sandbox) || log.contains("removing overlay sandbox " + sandbox);
      });
      MultiHostCluster.awaitOrShowTasks(CONVERGE, m1, "the same two tasks running (w1's adopted)", () -> {
        List<Replica> now = running(m1, serviceId, netId, hosts);
        return now.size() == 2 && now.contains(onM1) && now.contains(onW1);
      });
      assertTrue(w1.containerProcesses().contains(Long.toString(onW1.pid())), "w1's container kept its pid");
      assertEquals(nameW1, page(fetchWithRetry(onM1, onW1)), "m1 -> w1 over the overlay after the restart");
      assertEquals(nameM1, page(fetchWithRetry(onW1, onM1)), "w1 -> m1 over the overlay after the restart");
      assertEquals(sandboxInode, MultiHostCluster.sh("stat -L -c %i " + sandbox), "the same sandbox namespace");
      assertEquals(eth1, eth1(onW1), "the container's overlay interface is the same one");
      for (Host h : hosts) {
        for (int i = 0; i < 6; i++) {
          String answer = page(getWithRetry(h.address));
          assertTrue(List.of(nameM1, nameW1).contains(answer), "the published port answers on " + h
              + " after w1's restart: " + answer);
        }
      }
      assertTrue(newLog(w1, logFrom).contains("adopted sandbox " + sandbox), "w1's log says the sandbox was adopted");
      phase(t0, "w1 restarted, overlay checked");

      // service rm + network rm: nothing left on either host
      m1.daemon().call("DELETE", "/services/" + serviceId, null).expect(200);
      await(CONVERGE, "network removed once its tasks have stopped", () -> {
        try {
          int s = m1.daemon().call("DELETE", "/networks/" + NET, null).status();
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
      phase(t0, "removed");
    } finally {
      cluster.close();
    }
    cluster.assertNothingLeft(hosts);
    System.out.printf(Locale.ROOT, "OverlayRestartMultiHostTest: %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  private static void phase(long t0, String what) {
    System.out.printf(Locale.ROOT, "OverlayRestartMultiHostTest: %-32s %5.1f s%n", what,
        (System.nanoTime() - t0) / 1e9);
  }

  /** What the host's daemon logged since {@code from} (bytes). */
  private static String newLog(Host h, long from) {
    String all = h.daemon().logText();
    byte[] b = all.getBytes(StandardCharsets.UTF_8);
    return from >= b.length ? "" : new String(b, (int) from, b.length - (int) from, StandardCharsets.UTF_8);
  }

  private static Replica on(Host h, List<Replica> replicas) {
    return replicas.stream().filter(r -> r.host() == h).findFirst()
        .orElseThrow(() -> new AssertionError("no task on " + h + ": " + replicas));
  }

  private static String hostname(Replica r) {
    try {
      return MultiHostCluster.sh("nsenter -t " + r.pid() + " -u /bin/busybox hostname");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code N: eth1@ifM} of the container: its overlay interface's index and its peer's (in the sandbox). */
  private static String eth1(Replica r) throws IOException {
    String line = MultiHostCluster.sh("nsenter -t " + r.pid() + " -n ip -o link show eth1");
    return line.substring(0, line.indexOf(':', line.indexOf("eth1")));
  }

  /** Waits up to {@link #CONVERGE} for {@code cond}; the assertions after it say what is wrong if it never holds. */
  private static void awaitQuietly(BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    while (!cond.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
  }

  /** Containers, overlay sandboxes, VXLAN devices and veths other than the underlay's eth0 on {@code h}. */
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

  /** The page of an HTTP answer (the task's hostname), or the whole answer when it is not a 200. */
  private static String page(String response) {
    if (!response.startsWith("HTTP/1.0 200") && !response.startsWith("HTTP/1.1 200")) {
      return response;
    }
    return response.substring(response.indexOf("\r\n\r\n") + 4).trim();
  }

  /** An HTTP GET from inside {@code from}'s network namespace to {@code to}'s overlay address; a few tries. */
  private static String fetchWithRetry(Replica from, Replica to) {
    return MultiHostCluster.httpWithRetry(() -> MultiHostCluster.httpGetFrom(from.pid(), to.addr(), 80));
  }

  /** An HTTP GET from the root namespace to the published port of {@code addr}; a few tries. */
  private static String getWithRetry(String addr) {
    return MultiHostCluster.httpWithRetry(() -> MultiHostCluster.httpGet(addr, PUBLISHED));
  }

  /** The running tasks of {@code serviceId} whose container runs on one of {@code hosts}, with their address. */
  private static List<Replica> running(Host manager, String serviceId, String netId, List<Host> hosts) {
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
      String addr = null;
      for (JsonNode a : t.path("NetworksAttachments")) {
        if (a.path("Network").path("ID").asText().equals(netId) && a.path("Addresses").size() == 1) {
          addr = a.path("Addresses").get(0).asText().split("/")[0];
        }
      }
      if (where != null && addr != null) {
        out.add(new Replica(t.path("ID").asText(), where, pid, addr));
      }
    }
    return out;
  }
}
