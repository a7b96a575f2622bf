package io.jswarm.worker.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.linux.Mounts;
import io.jswarm.linux.NetNs;
import io.jswarm.linux.Nftables;
import io.jswarm.linux.netlink.Rtnetlink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * VIP balancing on a real data path: a hub namespace with a bridge, a client namespace and three backend
 * namespaces on it (10.247.0.0/24), busybox httpd in each backend answering its own name, and a VIP
 * (10.247.0.2) that no interface has. The rules live in the client's namespace only.
 */
class VipBalancerTest {
  static final String VIP = "10.247.0.2";
  static final String CLIENT = "10.247.0.10";
  static final String[] BACKENDS = {"10.247.0.3", "10.247.0.4", "10.247.0.5"};
  static final int REQUESTS = 60;

  private Path tmp;
  private Path hub;
  private Path client;
  private final Path[] backends = new Path[3];
  private final List<Path> namespaces = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    tmp = Files.createTempDirectory("hdns-vip-");
    hub = newNamespace("hdns-hub");
    try (Rtnetlink nl = Rtnetlink.openIn(hub)) {
      nl.createBridge("hdnsbr0", 1500);
      nl.setUp("hdnsbr0", true);
    }
    client = plug("hdns-client", "hdnsv-c", CLIENT);
    for (int i = 0; i < 3; i++) {
      backends[i] = plug("hdns-b" + (i + 1), "hdnsv-b" + (i + 1), BACKENDS[i]);
      httpd(backends[i], "b" + (i + 1));
    }
    for (int i = 0; i < 3; i++) {
      get(client, BACKENDS[i], 5000); // every backend answers straight away before any VIP is in play
    }
  }

  private Path newNamespace(String name) {
    Path p = tmp.resolve(name);
    NetNs.create(p);
    namespaces.add(p);
    try (Rtnetlink nl = Rtnetlink.openIn(p)) {
      nl.setUp("lo", true);
    }
    return p;
  }

  /** A namespace with eth0 = {@code address}/24, its veth peer on the hub's bridge. */
  private Path plug(String name, String veth, String address) throws Exception {
    Path ns = newNamespace(name);
    int fd = NetNs.openFd(ns);
    try (Rtnetlink nl = Rtnetlink.openIn(hub)) {
      nl.createVeth(veth, "eth0", 1500, fd, "hdnsbr0", true);
    } finally {
      NetNs.close(fd);
    }
    try (Rtnetlink nl = Rtnetlink.openIn(ns)) {
      nl.addAddress("eth0", InetAddress.getByName(address), 24);
      nl.setUp("eth0", true);
    }
    return ns;
  }

  private void httpd(Path ns, String name) throws Exception {
    Path www = Files.createDirectories(tmp.resolve("www-" + name));
    Files.writeString(www.resolve("index.html"), name);
    processes.add(NetNs.run(ns, () -> new ProcessBuilder("/bin/busybox", "httpd", "-f", "-p", "80", "-h", www.toString())
        .redirectErrorStream(true).start()));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    for (Path p : namespaces) {
      NetNs.delete(p); // the last reference: veths, bridge, rules and conntrack entries go with it
    }
    List<Path> mounts = Mounts.mountsUnder(tmp);
    for (Path m : mounts) {
      Mounts.unmount(m, true);
    }
    try (Stream<Path> all = Files.walk(tmp)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
    assertTrue(mounts.isEmpty(), "mounts left: " + mounts);
    for (Process p : processes) {
      assertFalse(p.isAlive(), "httpd " + p.pid() + " still running");
    }
  }

  /** GET http://host/ from inside {@code ns}: the body (the backend's name). */
  private static String get(Path ns, String host, int retryMs) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryMs);
    while (true) {
      try {
        return NetNs.run(ns, () -> {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, 80), 1000);
            return request(s, host);
          }
        });
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new IOException("GET http://" + host + "/ from " + ns.getFileName() + ": " + e, e);
        }
        Thread.sleep(50);
      }
    }
  }

  private static String request(Socket s, String host) throws IOException {
    s.setSoTimeout(3000);
    OutputStream out = s.getOutputStream();
    out.write(("GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    int body = all.indexOf("\r\n\r\n");
    if (!all.startsWith("HTTP/1.") || body < 0) {
      throw new IOException("not an HTTP answer: " + all);
    }
    return all.substring(body + 4).strip();
  }

  /** Who answered how many of {@code n} GETs to the VIP. */
  private Map<String, Integer> spread(String host, int n) throws Exception {
    Map<String, Integer> seen = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      seen.merge(get(client, host, 0), 1, Integer::sum);
    }
    return seen;
  }

  @Test
  void vipReachesEveryBackendAndARemovedBackendGetsNoNewConnection() throws Exception {
    VipBalancer.apply(client, Map.of(VIP, List.of(BACKENDS)));
    Map<String, Integer> all = spread(VIP, REQUESTS);
    assertEquals(List.of("b1", "b2", "b3"), List.copyOf(all.keySet()), "every backend reached: " + all);

    VipBalancer.apply(client, Map.of(VIP, List.of(BACKENDS[0], BACKENDS[1])));
    Map<String, Integer> two = spread(VIP, REQUESTS);
    assertEquals(List.of("b1", "b2"), List.copyOf(two.keySet()), "b3 removed: " + two);

    // the rules live in the client's namespace only: the backends and the hub have none
    assertFalse(Nftables.run(backends[0], "list tables").contains(VipBalancer.TABLE));
    assertFalse(Nftables.run(hub, "list tables").contains(VipBalancer.TABLE));
  }

  @Test
  void establishedConnectionKeepsItsBackendAcrossARewrite() throws Exception {
    VipBalancer.apply(client, Map.of(VIP, List.of(BACKENDS[2])));
    String body = NetNs.run(client, () -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(VIP, 80), 1000); // established to b3 before the rewrite
        VipBalancer.apply(client, Map.of(VIP, List.of(BACKENDS[0])));
        assertEquals("b1", get(client, VIP, 0), "a new connection goes to the new backend");
        return request(s, VIP);
      }
    });
    assertEquals("b3", body, "the established connection stays where conntrack put it");
  }

  @Test
  void vipWithoutBackendsRefusesAtOnceAndRemoveDeletesTheTable() throws Exception {
    VipBalancer.apply(client, Map.of(VIP, List.of()));
    // refused (ConnectException), not left to time out (SocketTimeoutException) on ARP for an address nobody has
    assertThrows(ConnectException.class, () -> NetNs.run(client, () -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(VIP, 80), 3000);
        return null;
      }
    }));

    VipBalancer.apply(client, Map.of(VIP, List.of(BACKENDS[1])));
    assertEquals("b2", get(client, VIP, 0));
    VipBalancer.remove(client);
    VipBalancer.remove(client);
    assertFalse(Nftables.run(client, "list tables").contains(VipBalancer.TABLE));
  }

  @Test
  void nodeDiscoveryResolvesTheServiceAndFollowsTasksAndHealth() throws Exception {
    ServiceDirectory directory = new ServiceDirectory();
    Service web = ServiceRecordsTest.service("s-web", "web", "vip", true);
    web.endpoint.virtualIPs.get(1).addr = VIP + "/24";
    List<Task> tasks = new ArrayList<>(List.of(
        ServiceRecordsTest.task("t1", "s-web", 1, TaskState.RUNNING, TaskState.RUNNING, "healthy", BACKENDS[0] + "/24"),
        ServiceRecordsTest.task("t2", "s-web", 2, TaskState.RUNNING, TaskState.RUNNING, "healthy", BACKENDS[1] + "/24"),
        ServiceRecordsTest.task("t3", "s-web", 3, TaskState.RUNNING, TaskState.RUNNING, "unhealthy", BACKENDS[2] + "/24")));
    directory.update("net1", "front", List.of(ServiceRecords.of("net1", web, tasks)));
    try (FakeUpstream upstream = new FakeUpstream(client, new InetSocketAddress(InetAddress.getByName("127.0.0.53"), 53));
        NodeDiscovery discovery = new NodeDiscovery(directory)) {
      discovery.attach("task-client", client, List.of("net1"), List.of(upstream.address));

      DnsClient.Response r = DnsClient.udp(client, EmbeddedDns.DEFAULT_LISTEN, "web");
      assertEquals(List.of(VIP), r.addresses());
      Map<String, Integer> healthy = spread(r.addresses().get(0), REQUESTS);
      assertEquals(List.of("b1", "b2"), List.copyOf(healthy.keySet()), "the unhealthy task gets nothing: " + healthy);

      // t1 goes away, t3 becomes healthy: rules and names follow before update() returns
      tasks.remove(0);
      tasks.get(1).status.containerStatus.health = "healthy";
      directory.update("net1", "front", List.of(ServiceRecords.of("net1", web, tasks)));
      Map<String, Integer> after = spread(VIP, REQUESTS);
      assertEquals(List.of("b2", "b3"), List.copyOf(after.keySet()), "removed t1 gets nothing: " + after);
      assertEquals(List.of(BACKENDS[1], BACKENDS[2]),
          DnsClient.udp(client, EmbeddedDns.DEFAULT_LISTEN, "tasks.web").addresses().stream().sorted().toList());

      discovery.detach("task-client");
      assertFalse(Nftables.run(client, "list tables").contains(VipBalancer.TABLE), "detach removes the rules");
      assertNull(DnsClient.udp(client, EmbeddedDns.DEFAULT_LISTEN, DnsClient.query(1, "web", 1), 300), "and the DNS");
    }
  }
}
