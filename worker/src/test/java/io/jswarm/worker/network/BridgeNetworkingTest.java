package io.jswarm.worker.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.Endpoint;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Task;
import io.jswarm.linux.Mounts;
import io.jswarm.linux.NetNs;
import io.jswarm.linux.Nftables;
import io.jswarm.linux.netlink.Link;
import io.jswarm.linux.netlink.Rtnetlink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * BridgeNetworking end to end without a container runtime. The "host" is a throwaway namespace (so the test
 * leaves the machine's own namespace, ip_forward and nftables alone); the "container" is busybox httpd started
 * in the task's sandbox namespace — forked from a thread that entered it (see {@link NetNs}).
 */
class BridgeNetworkingTest {
  private Path tmp;
  private Path hostNs;
  private Path clientNs;
  private BridgeConfig config;
  private final List<BridgeNetworking> instances = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    tmp = Files.createTempDirectory("hnet-bn-");
    hostNs = tmp.resolve("hnet-host");
    NetNs.create(hostNs);
    try (Rtnetlink nl = Rtnetlink.openIn(hostNs)) {
      nl.setUp("lo", true);
    }
    Path resolv = tmp.resolve("resolv.conf");
    Files.writeString(resolv, "search example\nnameserver 127.0.0.53\nnameserver 10.238.0.53\n");
    String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    config = new BridgeConfig(tmp.resolve("data"), tmp.resolve("exec"), "hnetbr" + suffix, "10.231.0.0/24",
        "hnet_" + suffix, 1500, "node-hnet", hostNs, resolv);
  }

  @AfterEach
  void tearDown() throws Exception {
    List<Throwable> errors = new ArrayList<>();
    for (Process p : processes) {
      p.destroyForcibly().waitFor();
    }
    for (BridgeNetworking b : instances) {
      try {
        b.teardown();
      } catch (Exception e) {
        errors.add(e);
      }
      b.close();
    }
    Path netnsDir = tmp.resolve("exec/netns");
    if (Files.isDirectory(netnsDir)) {
      try (Stream<Path> files = Files.list(netnsDir)) {
        for (Path f : files.toList()) {
          errors.add(new AssertionError("teardown left " + f));
          NetNs.delete(f);
        }
      }
    }
    if (clientNs != null) {
      NetNs.delete(clientNs);
    }
    NetNs.delete(hostNs);
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
    if (!errors.isEmpty()) {
      throw new AssertionError("cleanup failed: " + errors, errors.get(0));
    }
  }

  private BridgeNetworking newNetworking() {
    BridgeNetworking b = new BridgeNetworking(config);
    instances.add(b);
    return b;
  }

  private static Task task(String id, PortConfig... ports) {
    Task t = new Task();
    t.id = id;
    t.nodeId = "node-hnet";
    t.endpoint = new Endpoint();
    t.endpoint.ports = List.of(ports);
    return t;
  }

  private static PortConfig port(String proto, Long published, long target, String mode) {
    PortConfig p = new PortConfig();
    p.protocol = proto;
    p.publishedPort = published;
    p.targetPort = target;
    p.publishMode = mode;
    return p;
  }

  private Process httpd(Sandbox sb, String body) throws Exception {
    Path www = Files.createDirectories(tmp.resolve("www-" + processes.size()));
    Files.writeString(www.resolve("index.html"), body);
    Process p = NetNs.run(sb.netns(), () ->
        new ProcessBuilder("/bin/busybox", "httpd", "-f", "-p", "80", "-h", www.toString()).redirectErrorStream(true).start());
    processes.add(p);
    return p;
  }

  /** GET / from inside {@code ns}; retries while the server is starting. */
  private static String get(Path ns, String host, int port) throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (true) {
      try {
        return NetNs.run(ns, () -> fetch(host, port));
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new IOException("GET http://" + host + ":" + port + "/ from " + ns.getFileName() + ": " + e, e);
        }
        Thread.sleep(100);
      }
    }
  }

  private static String fetch(String host, int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 1000);
      s.setSoTimeout(3000);
      OutputStream out = s.getOutputStream();
      out.write(("GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private List<Link> bridgePorts() throws Exception {
    try (Rtnetlink nl = Rtnetlink.openIn(hostNs)) {
      int br = nl.linkIndex(config.bridgeName());
      return nl.links().stream().filter(l -> l.master() == br).toList();
    }
  }

  private String rules() {
    return Nftables.run(hostNs, "list table ip " + config.nftTable());
  }

  @Test
  void taskAnswersOnPublishedPortsFromHostAndOutsideAndReleaseRemovesEverything() throws Exception {
    BridgeNetworking net = newNetworking();
    Sandbox sb = net.create(task("hnet-t1", port("tcp", 18080L, 80, "host"), port(null, null, 80, "host"),
        port("tcp", 8888L, 80, "ingress")));
    assertEquals(config.execRoot().resolve("netns/hnet-t1"), sb.netns());
    assertTrue(NetNs.exists(sb.netns()));
    assertEquals(List.of("10.231.0.2/24"), sb.addresses());
    assertEquals(List.of("10.231.0.2\thnet-t1"), sb.hostsEntries());
    assertEquals(List.of("10.238.0.53"), sb.nameservers(), "loopback nameservers are dropped");
    assertEquals(2, sb.publishedPorts().size(), "only host-mode ports: " + sb.publishedPorts());
    assertEquals(18080L, sb.publishedPorts().get(0).publishedPort);
    long ephemeral = sb.publishedPorts().get(1).publishedPort;
    assertTrue(ephemeral >= 32768 && ephemeral <= 60999, "ephemeral port " + ephemeral);
    assertEquals("tcp", sb.publishedPorts().get(1).protocol);
    assertEquals(80L, sb.publishedPorts().get(1).targetPort);

    // inside: eth0 with the address, default route via the gateway, loopback up
    InetAddress gateway = InetAddress.getByName("10.231.0.1");
    try (Rtnetlink in = Rtnetlink.openIn(sb.netns())) {
      Link eth0 = in.link("eth0").orElseThrow();
      assertTrue(eth0.up());
      assertTrue(in.link("lo").orElseThrow().up());
      assertTrue(in.addresses().stream().anyMatch(a -> a.index() == eth0.index() && a.cidr().equals("10.231.0.2/24")));
      assertTrue(in.routes().stream().anyMatch(r -> r.isDefault()
          && gateway.equals(r.gateway())));
    }
    assertEquals(1, bridgePorts().size());

    httpd(sb, "hello from hnet-t1");
    assertTrue(get(hostNs, "10.231.0.2", 80).contains("hello from hnet-t1"), "task address from the host");
    assertTrue(get(hostNs, "127.0.0.1", 18080).contains("hello from hnet-t1"), "127.0.0.1:published on the host");
    assertTrue(get(hostNs, "10.231.0.1", 18080).contains("hello from hnet-t1"), "gateway:published on the host");
    assertTrue(get(hostNs, "127.0.0.1", (int) ephemeral).contains("hello from hnet-t1"), "ephemeral port");
    // another task on the node reaches the published port through the gateway (hairpin NAT)
    Sandbox other = net.create(task("hnet-t2"));
    assertTrue(get(other.netns(), "10.231.0.1", 18080).contains("hello from hnet-t1"), "hairpin: task -> node:published");
    net.release("hnet-t2");

    // from outside: a client namespace wired to the host with a veth
    clientNs = tmp.resolve("hnet-client");
    NetNs.create(clientNs);
    try (Rtnetlink h = Rtnetlink.openIn(hostNs); Rtnetlink c = Rtnetlink.openIn(clientNs)) {
      int fd = NetNs.openFd(clientNs);
      try {
        h.createVeth("hnetcl0", "eth0", 1500, fd);
      } finally {
        NetNs.close(fd);
      }
      h.addAddress("hnetcl0", InetAddress.getByName("10.238.0.1"), 24);
      h.setUp("hnetcl0", true);
      c.setUp("lo", true);
      c.addAddress("eth0", InetAddress.getByName("10.238.0.2"), 24);
      c.setUp("eth0", true);
    }
    assertTrue(get(clientNs, "10.238.0.1", 18080).contains("hello from hnet-t1"), "outside -> host:published");

    // outbound from the task is masqueraded behind the host's address
    String seenSource = NetNs.run(clientNs, () -> {
      try (ServerSocket server = new ServerSocket()) {
        server.bind(new InetSocketAddress("10.238.0.2", 19999));
        Thread dial = new Thread(() -> {
          try {
            NetNs.run(sb.netns(), () -> {
              try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("10.238.0.2", 19999), 2000);
              }
              return null;
            });
          } catch (Exception ignored) {
            // the accept below times out and the assertion fails
          }
        });
        dial.start();
        server.setSoTimeout(3000);
        try (Socket accepted = server.accept()) {
          return accepted.getInetAddress().getHostAddress();
        } finally {
          dial.join();
        }
      }
    });
    assertEquals("10.238.0.1", seenSource);

    net.release("hnet-t1");
    assertFalse(Files.exists(sb.netns()));
    assertFalse(Mounts.isMountPoint(sb.netns()));
    assertTrue(bridgePorts().isEmpty(), "veth gone: " + bridgePorts());
    assertFalse(rules().contains("dnat to"), rules());
    assertThrows(IOException.class, () -> NetNs.run(hostNs, () -> fetch("127.0.0.1", 18080)));
    net.release("hnet-t1"); // idempotent
  }

  @Test
  void aHostPortHeldByAnotherTaskIsRefused() throws Exception {
    BridgeNetworking net = newNetworking();
    net.create(task("hnet-a", port("tcp", 18081L, 80, "host")));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> net.create(task("hnet-b", port("tcp", 18081L, 8080, "host"))));
    assertEquals("host port 18081/tcp is already in use on node node-hnet by task hnet-a", e.getMessage());
    assertFalse(Files.exists(net.netnsPath("hnet-b")), "nothing left of the refused task");
    assertEquals(1, bridgePorts().size());
    // the same number over udp is another port
    Sandbox udp = net.create(task("hnet-c", port("udp", 18081L, 53, "host")));
    assertEquals("udp", udp.publishedPorts().get(0).protocol);
    assertTrue(rules().contains("udp dport 18081 dnat to 10.231.0.3:53"), rules());
    assertTrue(rules().contains("tcp dport 18081 dnat to 10.231.0.2:80"), rules());
  }

  @Test
  void leasesSurviveARestartAndAreReleased() throws Exception {
    BridgeNetworking first = newNetworking();
    Sandbox a = first.create(task("hnet-a", port("tcp", null, 80, "host")));
    Sandbox b = first.create(task("hnet-b"));
    first.close();

    BridgeNetworking second = newNetworking();
    Sandbox again = second.create(task("hnet-a", port("tcp", null, 80, "host")));
    assertEquals(a.addresses(), again.addresses());
    assertEquals(a.publishedPorts().get(0).publishedPort, again.publishedPorts().get(0).publishedPort);
    assertEquals(2, bridgePorts().size(), "adopted, not plumbed twice");
    Sandbox c = second.create(task("hnet-c"));
    assertEquals(List.of("10.231.0.4/24"), c.addresses());
    assertNotEquals(b.addresses(), c.addresses());
    second.release("hnet-a");
    Sandbox d = second.create(task("hnet-d"));
    assertEquals(a.addresses(), d.addresses(), "a released address is reused");

    // a sandbox whose namespace vanished is plumbed again with the same address
    NetNs.delete(second.netnsPath("hnet-b"));
    Sandbox b2 = second.create(task("hnet-b"));
    assertEquals(b.addresses(), b2.addresses());
    assertTrue(NetNs.exists(b2.netns()));
    assertEquals(3, bridgePorts().size());
  }

  @Test
  void retainOnlyRemovesEverythingOfOtherTasks() throws Exception {
    BridgeNetworking net = newNetworking();
    net.create(task("hnet-a", port("tcp", 18082L, 80, "host")));
    net.create(task("hnet-b", port("tcp", 18083L, 80, "host")));
    net.create(task("hnet-c", port("tcp", 18084L, 80, "host")));
    // leftovers of a create that crashed halfway: a namespace and a veth without a lease
    NetNs.create(config.execRoot().resolve("netns/hnet-stray"));
    try (Rtnetlink nl = Rtnetlink.openIn(hostNs)) {
      nl.createVeth("hnetstray0", "hnetstray1", 1500, -1);
      nl.setMaster("hnetstray0", config.bridgeName());
    }
    assertEquals(4, bridgePorts().size());

    BridgeNetworking restarted = newNetworking();
    restarted.retainOnly(Set.of("hnet-b"));
    try (Stream<Path> files = Files.list(config.execRoot().resolve("netns"))) {
      assertEquals(List.of("hnet-b"), files.map(p -> p.getFileName().toString()).toList());
    }
    assertEquals(1, bridgePorts().size());
    String rules = rules();
    assertTrue(rules.contains("tcp dport 18083"), rules);
    assertFalse(rules.contains("18082") || rules.contains("18084"), rules);
    assertEquals(List.of("10.231.0.2/24"), restarted.create(task("hnet-e")).addresses());
  }

  /**
   * The bridge keeps its MAC when tasks come and go. A Linux bridge whose address was never set takes the lowest MAC
   * of its ports, so releasing the task whose veth has it would change the gateway's MAC under every other task
   * namespace, whose neighbour entry still names the old one: their replies through the gateway were lost for 20 s
   * and more (a request through the routing mesh hung during a rolling update).
   */
  @Test
  void theBridgeKeepsItsMacWhenTheTaskWithTheLowestMacGoes() throws Exception {
    BridgeNetworking net = newNetworking();
    Map<String, String> portMac = new HashMap<>();
    for (String id : List.of("hnet-m1", "hnet-m2", "hnet-m3")) {
      Set<String> before = new HashSet<>(portMac.values());
      net.create(task(id));
      String added = bridgePorts().stream().map(Link::mac).filter(m -> !before.contains(m)).findFirst().orElseThrow();
      portMac.put(id, added);
    }
    String mac = bridgeMac();
    List<String> byMac = new ArrayList<>(portMac.keySet());
    byMac.sort(Comparator.comparing(portMac::get));
    for (String id : byMac.subList(0, 2)) { // the lowest first: the one a bridge without a set address follows
      net.release(id);
      assertEquals(mac, bridgeMac(), "the bridge's MAC after releasing " + id + " (its veth had " + portMac.get(id)
          + "; ports were " + portMac + ")");
    }
    net.create(task("hnet-m4"));
    assertEquals(mac, bridgeMac(), "the bridge's MAC after a new task");
  }

  private String bridgeMac() throws Exception {
    try (Rtnetlink nl = Rtnetlink.openIn(hostNs)) {
      return nl.link(config.bridgeName()).orElseThrow().mac();
    }
  }

  @Test
  void twoDaemonsShareANamespaceWithTheirOwnNames() throws Exception {
    BridgeNetworking one = newNetworking();
    String suffix = config.nftTable().substring(5);
    BridgeConfig otherConfig = new BridgeConfig(tmp.resolve("data2"), tmp.resolve("exec2"), "hnetbs" + suffix,
        "10.232.0.0/24", "hnet2_" + suffix, 1400, "node-hnet2", hostNs, config.resolvConf());
    BridgeNetworking two = new BridgeNetworking(otherConfig);
    instances.add(two);
    Sandbox a = one.create(task("hnet-same", port("tcp", 18086L, 80, "host")));
    Sandbox b = two.create(task("hnet-same", port("tcp", 18087L, 80, "host")));
    assertNotEquals(a.netns(), b.netns());
    assertEquals(List.of("10.232.0.2/24"), b.addresses());
    try (Rtnetlink nl = Rtnetlink.openIn(hostNs)) {
      assertEquals(1400, nl.link("hnetbs" + suffix).orElseThrow().mtu());
      assertEquals(2, nl.links().stream().filter(l -> "veth".equals(l.kind())).count());
    }
    two.teardown();
    assertTrue(NetNs.exists(a.netns()), "the other daemon's sandbox is untouched");
    assertEquals(1, bridgePorts().size());
    assertTrue(rules().contains("tcp dport 18086"));
    assertFalse(Nftables.run(hostNs, "list tables").contains("hnet2_"));
    Files.deleteIfExists(tmp.resolve("exec2/netns"));
  }

  @Test
  void teardownRemovesBridgeAndTable() throws Exception {
    BridgeNetworking net = newNetworking();
    net.create(task("hnet-a", port("tcp", 18085L, 80, "host")));
    net.teardown();
    try (Rtnetlink nl = Rtnetlink.openIn(hostNs)) {
      assertTrue(nl.link(config.bridgeName()).isEmpty());
      assertTrue(nl.links().stream().noneMatch(l -> "veth".equals(l.kind())));
    }
    assertFalse(Nftables.run(hostNs, "list tables").contains(config.nftTable()));
    assertFalse(Files.exists(net.netnsPath("hnet-a")));
  }

  @Test
  void badConfigIsRefusedWithTheRule() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> config.withNames("a-bridge-name-too-long", "10.0.0.0/24", "t"));
    assertTrue(e.getMessage().contains("1-15 characters"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> config.withNames("br", "10.0.0.0/31", "t"));
    assertTrue(e.getMessage().contains("IPv4 CIDR"), e.getMessage());
  }
}
