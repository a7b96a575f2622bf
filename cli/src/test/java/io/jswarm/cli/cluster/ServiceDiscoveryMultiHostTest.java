package io.jswarm.cli.cluster;

import static io.jswarm.cli.cluster.ProcessCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.Main;
import io.jswarm.cli.cluster.MultiHostCluster.Host;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Service discovery end to end (issue 6 items 1 and 2) on the multi-host harness: manager {@code a}, workers
 * {@code b} and {@code c}, one overlay network. A 4-replica busybox httpd service {@code web} (each task answers its
 * own hostname) on {@code a} and {@code b}, and a client container on {@code c}. From inside the client (its own
 * mount and network namespaces, busybox {@code nslookup} and {@code wget}): {@code web} resolves to the service's
 * VIP, {@code tasks.web} to every running task, and many {@code wget http://web/} reach every backend through the
 * VIP rules; after scaling to 1, {@code tasks.web} shows one address and every request goes to the task left. A
 * {@code --endpoint-mode dnsrr} service resolves to its task addresses; a health-checked service sends nothing to
 * its task that is not healthy, until it is. The client's node daemon is killed and restarted: the adopted client
 * container resolves again. Everything is removed after.
 */
class ServiceDiscoveryMultiHostTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final String NET = "h1disc";
  private static final String HTTPD = "busybox hostname > /www/index.html && exec httpd -f -p 80 -h /www";
  private static final Pattern ADDRESS = Pattern.compile("(?m)^Address:\\s*(\\d+\\.\\d+\\.\\d+\\.\\d+)\\s*$");

  /** One running task: its id, container pid and overlay address. */
  private record Replica(String id, long pid, String addr) {
    String hostname() {
      return id.substring(0, 12);
    }
  }

  @Test
  void namesVipsAndTaskListsFollowTheServicesAcrossHosts() throws Exception {
    long t0 = System.nanoTime();
    MultiHostCluster cluster = MultiHostCluster.create().executor("container");
    List<Host> hosts;
    try {
      Host a = cluster.init("a");
      Host b = cluster.join("b", a, "worker");
      Host c = cluster.join("c", a, "worker");
      hosts = cluster.hosts();
      cluster.importBusybox(a);
      phase(t0, "cluster up, image imported");
      String netId = a.daemon().call("POST", "/networks/create", "{\"Name\":\"" + NET + "\",\"Driver\":\"overlay\"}")
          .expect(201).json().path("Id").asText();

      // An endpoint mode other than vip/dnsrr is refused by the CLI, naming the flag and what is allowed.
      Run bad = jswarm(a, "service", "create", "-d", "--name", "bad", "--endpoint-mode", "rr",
          ContainerClusterTest.IMAGE, "true");
      assertNotEquals(0, bad.rc());
      assertTrue(bad.err().contains("--endpoint-mode") && bad.err().contains("vip or dnsrr"), bad.err());

      phase(t0, "network made, bad flag refused");
      create(a, "web", "--replicas", "4", "--constraint", "node.hostname!=c", "--stop-grace-period", "1s",
          ContainerClusterTest.IMAGE, "sh", "-c", HTTPD);
      create(a, "rr", "--endpoint-mode", "dnsrr", "--replicas", "2", "--constraint", "node.hostname!=c",
          "--stop-grace-period", "1s", ContainerClusterTest.IMAGE, "sleep", "3600");
      create(a, "hc", "--replicas", "2", "--constraint", "node.hostname==b", "--health-cmd", "test -f /tmp/ok",
          "--health-interval", "200ms", "--health-retries", "3", "--health-start-period", "60s",
          "--stop-grace-period", "1s", ContainerClusterTest.IMAGE, "sh", "-c", HTTPD);
      create(a, "client", "--replicas", "1", "--constraint", "node.hostname==c", "--stop-grace-period", "1s",
          ContainerClusterTest.IMAGE, "sleep", "3600");
      MultiHostCluster.awaitOrShowTasks(CONVERGE, a, "9 running tasks", () -> running(a, "web", netId).size() == 4
          && running(a, "rr", netId).size() == 2 && running(a, "hc", netId).size() == 2
          && running(a, "client", netId).size() == 1);
      phase(t0, "9 tasks running");
      List<Replica> web = running(a, "web", netId);
      assertEquals(List.of(), c.containerProcesses().stream()
          .filter(p -> web.stream().anyMatch(r -> Long.toString(r.pid()).equals(p))).toList(), "no web task on c");
      Replica client = running(a, "client", netId).get(0);
      assertTrue(c.containerProcesses().contains(Long.toString(client.pid())), "the client runs on c");

      // resolv.conf points at the embedded DNS
      String resolv = inContainer(client, "cat /etc/resolv.conf");
      assertTrue(resolv.contains("nameserver 127.0.0.11\n") && resolv.contains("ndots:0"), resolv);
      assertFalse(resolv.replace("nameserver 127.0.0.11", "").contains("nameserver"), resolv);

      // web -> the VIP; web.NETWORK too; tasks.web -> every running task
      String vip = vip(a, "web", netId);
      assertEquals(Set.of(vip), lookup(client, "web"));
      assertEquals(Set.of(vip), lookup(client, "web." + NET));
      assertEquals(addresses(web), lookup(client, "tasks.web"));

      phase(t0, "dns checked");
      // through the VIP, every backend (on a and b) answers
      awaitVipBackends(client, vip, addresses(web));
      Map<String, Integer> hits = fetch(client, "web", 40);
      assertEquals(hostnames(web), hits.keySet(), "40 requests to http://web/ reach every task: " + hits);

      phase(t0, "40 fetches");
      // dnsrr: the name gives the task addresses, no VIP
      List<Replica> rr = running(a, "rr", netId);
      assertEquals(addresses(rr), lookup(client, "rr"));
      assertEquals(addresses(rr), lookup(client, "tasks.rr"));

      phase(t0, "dnsrr");
      // health: only the healthy task gets traffic
      List<Replica> hc = running(a, "hc", netId);
      Replica healthy = hc.get(0);
      Replica starting = hc.get(1);
      inContainer(healthy, "busybox touch /tmp/ok");
      awaitLookup(client, "tasks.hc", Set.of(healthy.addr()), "tasks.hc lists the healthy task only");
      assertEquals("starting", health(a, starting.id()), "the other task is not healthy");
      String hcVip = vip(a, "hc", netId);
      // the rules change before the names do: once the DNS lists a task, the VIP reaches it
      assertEquals(Set.of(healthy.addr()), vipBackends(client, hcVip));
      Map<String, Integer> hcHits = fetch(client, "hc", 30);
      assertEquals(Map.of(healthy.hostname(), 30), hcHits, "no request goes to the task that is not healthy");
      inContainer(starting, "busybox touch /tmp/ok");
      awaitLookup(client, "tasks.hc", addresses(hc), "tasks.hc lists both once both are healthy");
      assertEquals(addresses(hc), vipBackends(client, hcVip));
      assertEquals(hostnames(hc), fetch(client, "hc", 30).keySet());

      phase(t0, "health");
      // scale 4 -> 1: tasks.web shows the one left, and every request goes there
      long scaled = System.nanoTime();
      Run scale = jswarm(a, "service", "scale", "-d", "web=1");
      assertEquals(0, scale.rc(), scale.err());
      await(CONVERGE, "tasks.web shows one task", () -> lookup(client, "tasks.web").size() == 1);
      System.out.printf(Locale.ROOT, "ServiceDiscoveryMultiHostTest: scale 4 -> 1 seen in tasks.web on c %.2f s after "
          + "the scale call%n", (System.nanoTime() - scaled) / 1e9);
      MultiHostCluster.awaitOrShowTasks(CONVERGE, a, "one web task", () -> running(a, "web", netId).size() == 1);
      Replica left = running(a, "web", netId).get(0);
      awaitLookup(client, "tasks.web", Set.of(left.addr()), "tasks.web shows the task left");
      assertEquals(Set.of(vip), lookup(client, "web"), "the VIP stays");
      assertEquals(Set.of(left.addr()), vipBackends(client, vip));
      assertEquals(Map.of(left.hostname(), 30), fetch(client, "web", 30), "nothing goes to removed tasks");

      phase(t0, "scale");
      // c's daemon killed and started again: the adopted client gets its DNS and VIP rules back, and keeps its
      // overlay interface (the new process adopts the sandbox), so the service answers through the VIP again
      c.kill();
      c.restart();
      awaitLookup(client, "tasks.web", Set.of(left.addr()), "the client resolves again after c's daemon restarted");
      assertEquals(Set.of(vip), lookup(client, "web"));
      String vipRules = MultiHostCluster.sh("nsenter -t " + client.pid() + " -n nft list table ip jswarm_vip");
      assertTrue(vipRules.contains(vip) && vipRules.contains(left.addr()), vipRules);
      assertEquals(Map.of(left.hostname(), 10), fetch(client, "web", 10), "web through the VIP after the restart");
      phase(t0, "c restarted");
      // everything removed
      for (String s : List.of("web", "rr", "hc", "client")) {
        a.daemon().call("DELETE", "/services/" + s, null).expect(200);
      }
      await(CONVERGE, "network removed once its tasks have stopped", () -> {
        try {
          int s = a.daemon().call("DELETE", "/networks/" + NET, null).status();
          return s == 204;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      await(CONVERGE, "no container left", () -> hosts.stream().allMatch(h -> h.containerProcesses().isEmpty()));
      phase(t0, "removed");
    } finally {
      cluster.close();
    }
    cluster.assertNothingLeft(hosts);
    System.out.printf(Locale.ROOT, "ServiceDiscoveryMultiHostTest: %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  private static void phase(long t0, String what) {
    System.out.printf(Locale.ROOT, "ServiceDiscoveryMultiHostTest: %5.1f s %s%n", (System.nanoTime() - t0) / 1e9, what);
  }

  // ---- inside the client container ----

  /** Runs {@code command} with the container's busybox sh in its mount, network and UTS namespaces. */
  private static String inContainer(Replica r, String command) {
    ProcessBuilder pb = new ProcessBuilder("nsenter", "-t", Long.toString(r.pid()), "-m", "-n", "-u",
        "/bin/busybox", "sh", "-c", command).redirectErrorStream(true);
    pb.environment().clear(); // nothing of the test's environment (proxies) inside
    pb.environment().put("PATH", "/bin");
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("`" + command + "` in " + r + " did not finish within 60 s");
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The IPv4 addresses busybox nslookup gives for {@code name} (not the server's). */
  private static Set<String> lookup(Replica client, String name) {
    String out = inContainer(client, "busybox nslookup -type=a " + name);
    Set<String> found = new TreeSet<>();
    Matcher m = ADDRESS.matcher(out);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  /** Waits until {@code name} resolves to {@code want} in the client; on timeout, what the client sees. */
  private static void awaitLookup(Replica client, String name, Set<String> want, String what) {
    try {
      await(CONVERGE, what, () -> {
        long t = System.nanoTime();
        Set<String> got = lookup(client, name);
        System.out.printf(Locale.ROOT, "lookup %s: %s in %.1f s%n", name, got, (System.nanoTime() - t) / 1e9);
        return got.equals(want);
      });
    } catch (AssertionError e) {
      String seen = inContainer(client, "busybox nslookup -type=a " + name + "; cat /etc/resolv.conf");
      String rules;
      try {
        rules = MultiHostCluster.sh("nsenter -t " + client.pid() + " -n nft list ruleset; nsenter -t " + client.pid()
            + " -n ss -uantp");
      } catch (IOException io) {
        rules = io.toString();
      }
      throw new AssertionError(e.getMessage() + "; want " + want + ", the client sees:\n" + seen + "\n" + rules, e);
    }
  }

  /** Waits until the client's VIP rules send {@code vip} to {@code backends} exactly. */
  private static void awaitVipBackends(Replica client, String vip, Set<String> backends) {
    try {
      await(CONVERGE, "VIP " + vip + " balanced over " + backends, () -> vipBackends(client, vip).equals(backends));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; the client's rules send it to " + vipBackends(client, vip), e);
    }
  }

  /** Where the client's VIP rules send {@code vip} (empty: no rule, or a VIP without backends). */
  private static Set<String> vipBackends(Replica client, String vip) {
    String rules;
    try {
      rules = MultiHostCluster.sh("nsenter -t " + client.pid() + " -n nft list table ip jswarm_vip");
    } catch (IOException e) {
      return Set.of();
    }
    Set<String> found = new TreeSet<>();
    for (String line : rules.split("\n")) {
      if (line.contains("ip daddr " + vip + " ")) {
        Matcher m = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+").matcher(line);
        while (m.find()) {
          found.add(m.group());
        }
        found.remove(vip);
      }
    }
    return found;
  }

  /** {@code n} times {@code wget http://NAME/}: how many answers each hostname gave (failures as "FAIL"). */
  private static Map<String, Integer> fetch(Replica client, String name, int n) {
    String out = inContainer(client, "i=0; while [ $i -lt " + n + " ]; do wget -q -O- http://" + name
        + "/ || echo FAIL; i=$((i+1)); done");
    Map<String, Integer> hits = new TreeMap<>();
    for (String line : out.split("\n")) {
      if (!line.isBlank()) {
        hits.merge(line.trim(), 1, Integer::sum);
      }
    }
    assertEquals(n, hits.values().stream().mapToInt(Integer::intValue).sum(), "answers: " + out);
    return hits;
  }

  // ---- the manager's view ----

  private record Run(int rc, String out, String err) {}

  private static Run jswarm(Host h, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("-H", h.apiHost()));
    all.addAll(List.of(args));
    int rc = Main.run(new PrintWriter(out), new PrintWriter(err), all.toArray(String[]::new));
    return new Run(rc, out.toString(), err.toString());
  }

  private static void create(Host h, String name, String... rest) {
    List<String> args = new ArrayList<>(List.of("service", "create", "-d", "--name", name, "--network", NET));
    args.addAll(List.of(rest));
    Run r = jswarm(h, args.toArray(String[]::new));
    assertEquals(0, r.rc(), "service create " + name + ": " + r.err());
  }

  private static String vip(Host h, String service, String netId) throws IOException {
    for (JsonNode v : h.daemon().get("/services/" + service).path("Endpoint").path("VirtualIPs")) {
      if (v.path("NetworkID").asText().equals(netId)) {
        return v.path("Addr").asText().split("/")[0];
      }
    }
    throw new AssertionError("service " + service + " has no VIP on " + netId);
  }

  private static String health(Host h, String taskId) throws IOException {
    return h.daemon().get("/tasks/" + taskId).path("Status").path("ContainerStatus").path("Health").asText();
  }

  /** The running tasks of service {@code name} (observed and desired), with their address on {@code netId}. */
  private static List<Replica> running(Host manager, String name, String netId) {
    String serviceId;
    try {
      serviceId = manager.daemon().get("/services/" + name).path("ID").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Replica> out = new ArrayList<>();
    for (JsonNode t : MultiHostClusterTest.get(manager.daemon(), "/tasks")) {
      if (!t.path("ServiceID").asText().equals(serviceId)
          || !t.path("Status").path("State").asText().equals("running")
          || !t.path("DesiredState").asText().equals("running")) {
        continue;
      }
      for (JsonNode att : t.path("NetworksAttachments")) {
        if (att.path("Network").path("ID").asText().equals(netId) && att.path("Addresses").size() > 0) {
          out.add(new Replica(t.path("ID").asText(), t.path("Status").path("ContainerStatus").path("PID").asLong(),
              att.path("Addresses").get(0).asText().split("/")[0]));
        }
      }
    }
    return out;
  }

  private static Set<String> addresses(List<Replica> rs) {
    Set<String> out = new TreeSet<>();
    rs.forEach(r -> out.add(r.addr()));
    return out;
  }

  private static Set<String> hostnames(List<Replica> rs) {
    Set<String> out = new TreeSet<>();
    rs.forEach(r -> out.add(r.hostname()));
    return out;
  }
}
