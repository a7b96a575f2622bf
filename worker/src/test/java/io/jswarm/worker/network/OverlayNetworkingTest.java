package io.jswarm.worker.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.NetworkEndpoints;
import io.jswarm.api.types.Driver;
import io.jswarm.api.types.Endpoint;
import io.jswarm.api.types.IPAMOptions;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Task;
import io.jswarm.linux.Mounts;
import io.jswarm.worker.network.TwoHosts.Host;
import io.jswarm.linux.NetNs;
import io.jswarm.linux.netlink.Link;
import io.jswarm.linux.netlink.Neighbour;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The overlay data path between two "hosts": two throwaway namespaces joined by a veth (the underlay,
 * 192.168.231.1 and .2), each with its own task bridge and overlay driver, as two daemons on two machines would be.
 * One task namespace per host on the same overlay network; TCP goes from task A to task B's overlay address through
 * the VXLAN devices once the remote endpoints are pushed, and stops when they are withdrawn.
 */
class OverlayNetworkingTest {
  private static final String NET = "hovnet1";
  private static final int VNI = 4242;
  private static final String UNDERLAY_A = "192.168.231.1";
  private static final String UNDERLAY_B = "192.168.231.2";

  private TwoHosts two;
  private Path tmp;
  private final List<Host> hosts = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    two = new TwoHosts("hov", "192.168.231", "172.31.231.0/24");
    tmp = two.tmp;
    hosts.addAll(two.hosts);
  }

  @AfterEach
  void tearDown() throws Exception {
    two.close();
  }

  @Test
  void tcpCrossesTheVxlanBetweenTwoHostsAndStopsWhenTheEndpointIsWithdrawn() throws Exception {
    Host a = hosts.get(0);
    Host b = hosts.get(1);
    Sandbox sa = a.networking().create(task("hovtaska", "10.231.7.2/24"));
    Sandbox sb = b.networking().create(task("hovtaskb", "10.231.7.3/24"));
    assertEquals(List.of("172.31.231.2/24", "10.231.7.2/24"), sa.addresses());
    assertEquals(List.of("172.31.231.2/24", "10.231.7.3/24"), sb.addresses());

    // the task side: eth1 (a macvlan of the sandbox's VXLAN device) with the address, Docker's MAC and the overlay
    // MTU; the default route stays on eth0
    try (Rtnetlink t = Rtnetlink.openIn(sa.netns())) {
      Link eth1 = t.link("eth1").orElseThrow();
      assertEquals("macvlan", eth1.kind());
      assertEquals("02:42:0a:e7:07:02", eth1.mac());
      assertEquals(1450, eth1.mtu());
      assertTrue(eth1.up());
      assertTrue(t.routes().stream().anyMatch(r -> r.dstLength() == 0 && r.gateway() != null
          && r.gateway().getHostAddress().equals("172.31.231.1")), "default route via the task bridge");
    }
    // the sandbox: the vxlan with the VNI, gw0 (its macvlan) with the gateway; no bridge, no veth; nothing of it in
    // the host namespace
    Path sandboxA = a.overlay().sandboxPath(NET);
    assertTrue(NetNs.exists(sandboxA));
    try (Rtnetlink s = Rtnetlink.openIn(sandboxA)) {
      Link gw = s.link("gw0").orElseThrow();
      assertEquals("macvlan", gw.kind());
      Link vx = s.links().stream().filter(l -> "vxlan".equals(l.kind())).findFirst().orElseThrow();
      assertEquals(VNI, vx.vxlanId());
      assertEquals(1450, vx.mtu());
      assertTrue(vx.up());
      assertEquals(Set.of("lo", "gw0", vx.name()), s.links().stream().map(Link::name)
          .collect(java.util.stream.Collectors.toSet()));
      assertTrue(s.addresses().stream().anyMatch(x -> x.index() == gw.index()
          && x.address().getHostAddress().equals("10.231.7.1")));
    }
    assertTrue(hostLinks(a).stream().noneMatch(l -> "vxlan".equals(l.kind())));

    // without the remote endpoints the overlay does not reach the other host
    assertFalse(tcpWorks(sa.netns(), sb.netns(), "10.231.7.3", 700));

    a.overlay().updateEndpoints(true, List.of(endpoints(true, ep("hovtaskb", "10.231.7.3", UNDERLAY_B))));
    b.overlay().updateEndpoints(true, List.of(endpoints(true, ep("hovtaska", "10.231.7.2", UNDERLAY_A))));
    assertTrue(tcpWorks(sa.netns(), sb.netns(), "10.231.7.3", 5000), "task A reaches task B across the VXLAN");
    assertTrue(tcpWorks(sb.netns(), sa.netns(), "10.231.7.2", 5000), "and back");
    assertTrue(ping(sa.netns(), "10.231.7.3"));
    assertTrue(ping(sa.netns(), "10.231.7.1"), "the gateway address in the sandbox answers");
    try (Rtnetlink s = Rtnetlink.openIn(sandboxA)) {
      int vx = s.links().stream().filter(l -> "vxlan".equals(l.kind())).findFirst().orElseThrow().index();
      Neighbour fdb = s.fdb().stream().filter(n -> n.index() == vx && n.dst() != null
          && "02:42:0a:e7:07:03".equals(n.mac()))
          .findFirst().orElseThrow();
      assertEquals(UNDERLAY_B, fdb.dst().getHostAddress());
      assertTrue(fdb.permanent());
      assertTrue(s.neighbours().stream().anyMatch(n -> n.dst() != null
          && n.dst().getHostAddress().equals("10.231.7.3") && "02:42:0a:e7:07:03".equals(n.mac())));
    }

    // B's endpoint goes (incremental): A's FDB and neighbour entries for it go too
    a.overlay().updateEndpoints(false, List.of(new NetworkEndpoints(NET, VNI, false, List.of(),
        List.of("hovtaskb"))));
    try (Rtnetlink s = Rtnetlink.openIn(sandboxA)) {
      assertTrue(s.fdb().stream().noneMatch(n -> "02:42:0a:e7:07:03".equals(n.mac()) && n.dst() != null),
          "FDB entry removed: " + s.fdb());
      assertTrue(s.neighbours().stream().noneMatch(n -> n.dst() != null
          && n.dst().getHostAddress().equals("10.231.7.3")), "neighbour entry removed");
    }

    // the last endpoint of the network on a host takes the sandbox, bridge and vxlan with it
    a.networking().release("hovtaska");
    b.networking().release("hovtaskb");
    for (Host h : hosts) {
      assertFalse(NetNs.exists(h.overlay().sandboxPath(NET)));
      assertTrue(h.overlay().networks().isEmpty());
      assertTrue(hostLinks(h).stream().noneMatch(l -> "vxlan".equals(l.kind()) || "veth".equals(l.kind())
          && !l.name().equals("ul0")), "links left: " + hostLinks(h));
      try (Stream<Path> f = Files.list(h.exec().resolve("overlay"))) {
        assertEquals(0, f.count());
      }
    }
  }

  @Test
  void twoTasksOnOneHostReachEachOtherWithoutTheTunnel() throws Exception {
    Host a = hosts.get(0);
    Sandbox s1 = a.networking().create(task("hovlocal1", "10.231.7.21/24"));
    Sandbox s2 = a.networking().create(task("hovlocal2", "10.231.7.22/24"));
    // no endpoints pushed: local tasks are reached through the macvlans' bridge mode, not the VXLAN device
    assertTrue(tcpWorks(s1.netns(), s2.netns(), "10.231.7.22", 5000), "task 1 reaches task 2 on the same host");
    assertTrue(tcpWorks(s2.netns(), s1.netns(), "10.231.7.21", 5000), "and back");
    assertTrue(ping(s2.netns(), "10.231.7.1"), "the gateway answers");
    a.networking().release("hovlocal1");
    assertFalse(NetNs.exists(s1.netns()));
    Sandbox s3 = a.networking().create(task("hovlocal3", "10.231.7.23/24"));
    assertTrue(tcpWorks(s3.netns(), s2.netns(), "10.231.7.22", 5000), "a task plugged later reaches task 2");
    a.networking().release("hovlocal2");
    assertTrue(NetNs.exists(a.overlay().sandboxPath(NET)), "task 3 keeps the sandbox");
    a.networking().release("hovlocal3");
    assertFalse(NetNs.exists(a.overlay().sandboxPath(NET)));
  }

  @Test
  void endpointsPushedBeforeTheFirstTaskAreProgrammedWhenTheSandboxIsMade() throws Exception {
    Host a = hosts.get(0);
    Host b = hosts.get(1);
    // session message: underlay address (host:port form as Node.Status.Addr may have) and data path port
    DispatcherMessage session = DispatcherMessage.session("s1", 1, List.of(), node(UNDERLAY_A + ":2377"), 4789);
    a.overlay().onDispatcherMessage(session);
    a.overlay().onDispatcherMessage(DispatcherMessage.endpoints(true,
        List.of(endpoints(true, ep("hovtaskb", "10.231.7.3", UNDERLAY_B)))));
    b.overlay().updateEndpoints(true, List.of(endpoints(true, ep("hovtaska", "10.231.7.2", UNDERLAY_A))));
    Sandbox sa = a.networking().create(task("hovtaska", "10.231.7.2/24"));
    Sandbox sb = b.networking().create(task("hovtaskb", "10.231.7.3/24"));
    assertTrue(tcpWorks(sa.netns(), sb.netns(), "10.231.7.3", 5000));
    // a full message without the network clears it
    a.overlay().updateEndpoints(true, List.of());
    assertFalse(tcpWorks(sa.netns(), sb.netns(), "10.231.7.3", 700));
    a.networking().release("hovtaska");
    b.networking().release("hovtaskb");
  }

  @Test
  void twoHundredCreateReleaseCyclesLeakNothing() throws Exception {
    Host a = hosts.get(0);
    a.overlay().updateEndpoints(true, List.of(endpoints(true, ep("hovtaskb", "10.231.7.3", UNDERLAY_B))));
    // warm up: the task bridge and its table are made once
    a.networking().create(task("hovwarm", "10.231.7.9/24"));
    a.networking().release("hovwarm");
    int links = hostLinks(a).size();
    long fds = openFds();
    long t0 = System.nanoTime();
    Path taskNs = a.exec().resolve("netns").resolve("hovcycle");
    Path anchorNs = a.exec().resolve("netns").resolve("hovanchor");
    NetNs.create(anchorNs);
    try {
      // 200 plug/unplug cycles; an anchor endpoint keeps the sandbox for the first 150, so the last 50 also make and
      // remove the sandbox each time (about 0.2 s of kernel work per sandbox). The task namespace is the task
      // bridge's business (BridgeNetworkingTest); here only the overlay side cycles.
      a.overlay().attach(task("hovanchor", "10.231.7.250/24"), anchorNs);
      for (int i = 0; i < 200; i++) {
        if (i == 150) {
          a.overlay().release("hovanchor");
        }
        String id = "hovcycle" + i;
        NetNs.create(taskNs);
        try {
          a.overlay().attach(task(id, "10.231.7." + (10 + i % 200) + "/24"), taskNs);
          a.overlay().release(id);
          if (i < 150) { // (then with the sandbox kept: release deletes the task's macvlan itself)
            try (Rtnetlink t = Rtnetlink.openIn(taskNs)) {
              assertEquals(Set.of("lo"), t.links().stream().map(Link::name)
                  .collect(java.util.stream.Collectors.toSet()), "links left in the task namespace");
            }
          }
        } finally {
          NetNs.delete(taskNs);
        }
        if (i == 149) {
          try (Rtnetlink s = Rtnetlink.openIn(a.overlay().sandboxPath(NET))) {
            assertEquals(Set.of("lo", "gw0"),
                s.links().stream().filter(l -> !"vxlan".equals(l.kind())).map(Link::name)
                    .collect(java.util.stream.Collectors.toSet()), "the sandbox keeps only its own links");
          }
          try (Rtnetlink t = Rtnetlink.openIn(anchorNs)) {
            assertEquals("macvlan", t.link("eth1").orElseThrow().kind(), "the anchor's interface is left");
          }
        }
      }
    } finally {
      a.overlay().release("hovanchor");
      NetNs.delete(anchorNs);
    }
    System.out.println("200 cycles took " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    assertEquals(links, hostLinks(a).size(), "host links: " + hostLinks(a));
    try (Stream<Path> f = Files.list(a.exec().resolve("overlay"))) {
      assertEquals(0, f.count());
    }
    try (Stream<Path> f = Files.list(a.exec().resolve("netns"))) {
      assertEquals(0, f.count());
    }
    assertTrue(Mounts.mountsUnder(tmp).stream().noneMatch(m -> !m.equals(a.ns()) && !m.equals(hosts.get(1).ns())),
        "mounts: " + Mounts.mountsUnder(tmp));
    long after = openFds();
    assertTrue(after <= fds + 5, "open fds grew from " + fds + " to " + after);
  }

  @Test
  void retainOnlyRemovesSandboxesOfOtherTasksAndOfAnEarlierProcess() throws Exception {
    Host a = hosts.get(0);
    a.networking().create(task("hovkeep", "10.231.7.2/24"));
    Task other = task("hovgone", "10.231.8.2/24");
    other.networksAttachments.get(0).network = network("hovnet2", 4243, "10.231.8.0/24");
    a.networking().create(other);
    assertEquals(Set.of(NET, "hovnet2"), a.overlay().networks());
    a.networking().retainOnly(Set.of("hovkeep"));
    assertEquals(Set.of(NET), a.overlay().networks());
    assertFalse(NetNs.exists(a.overlay().sandboxPath("hovnet2")));
    // a new daemon process (fresh driver) that no longer has the task drops the old sandbox; create plumbs the
    // task again
    OverlayNetworking fresh = new OverlayNetworking(a.exec(), a.ns(), InetAddress.getByName(UNDERLAY_A), 4789);
    CompositeNetworking again = new CompositeNetworking(a.bridge(), fresh);
    try {
      again.retainOnly(Set.of("hovkeep"));
      assertEquals(Set.of(NET), fresh.networks(), "the kept task's sandbox is adopted");
      fresh.retainOnly(Set.of("hovother"));
      assertFalse(NetNs.exists(a.overlay().sandboxPath(NET)));
      Sandbox s = again.create(task("hovkeep", "10.231.7.2/24"));
      assertEquals("10.231.7.2/24", s.addresses().get(1));
      assertTrue(NetNs.exists(fresh.sandboxPath(NET)));
      again.release("hovkeep");
      assertFalse(NetNs.exists(fresh.sandboxPath(NET)));
    } finally {
      fresh.teardown();
      fresh.close();
    }
  }

  @Test
  void aFreshDriverAdoptsTheSandboxOfKeptTasksAndTheirTrafficGoesOn() throws Exception {
    Host a = hosts.get(0);
    Host b = hosts.get(1);
    Sandbox sa = a.networking().create(task("hovtaska", "10.231.7.2/24"));
    Task second = task("hovtaska2", "10.231.7.4/24");
    Sandbox sa2 = a.networking().create(second);
    Sandbox sb = b.networking().create(task("hovtaskb", "10.231.7.3/24"));
    a.overlay().updateEndpoints(true, List.of(endpoints(true, ep("hovtaskb", "10.231.7.3", UNDERLAY_B),
        ep("hovgone", "10.231.7.9", UNDERLAY_B))));
    b.overlay().updateEndpoints(true, List.of(endpoints(true, ep("hovtaska", "10.231.7.2", UNDERLAY_A))));
    assertTrue(tcpWorks(sa.netns(), sb.netns(), "10.231.7.3", 5000), "before the restart");
    int eth1 = taskLink(sa.netns(), "eth1").index();
    assertNotNull(taskLink(sa2.netns(), "eth1"));

    // the daemon process ends without cleaning up (kill -9); a new one keeps hovtaska only
    OverlayNetworking fresh = new OverlayNetworking(a.exec(), a.ns(), InetAddress.getByName(UNDERLAY_A), 4789);
    try {
      CompositeNetworking again = new CompositeNetworking(a.bridge(), fresh);
      again.retainOnly(Set.of("hovtaska"));
      assertEquals(Set.of(NET), fresh.networks(), "sandbox adopted");
      assertEquals(eth1, taskLink(sa.netns(), "eth1").index(), "the task's overlay interface is the same one");
      assertTrue(tcpWorks(sa.netns(), sb.netns(), "10.231.7.3", 5000), "traffic goes on before the endpoints come");
      assertTrue(tcpWorks(sb.netns(), sa.netns(), "10.231.7.2", 5000), "both ways");
      assertFalse(NetNs.exists(sa2.netns()), "the task not kept lost its namespace, and its eth1 with it");
      // the entries the earlier process programmed were read back: a complete list without one deletes it
      fresh.updateEndpoints(true, List.of(endpoints(true, ep("hovtaskb", "10.231.7.3", UNDERLAY_B))));
      try (Rtnetlink s = Rtnetlink.openIn(fresh.sandboxPath(NET))) {
        assertTrue(s.neighbours().stream().noneMatch(n -> n.dst() != null
            && n.dst().getHostAddress().equals("10.231.7.9")), "stale neighbour entry removed");
        assertTrue(s.fdb().stream().noneMatch(n -> "02:42:0a:e7:07:09".equals(n.mac()) && n.dst() != null),
            "stale FDB entry removed");
      }
      assertTrue(tcpWorks(sa.netns(), sb.netns(), "10.231.7.3", 5000), "after the endpoints came again");
      // the adopted task's release takes the sandbox with it
      again.release("hovtaska");
      assertFalse(NetNs.exists(fresh.sandboxPath(NET)));
      assertTrue(fresh.networks().isEmpty());
      assertTrue(hostLinks(a).stream().noneMatch(l -> "vxlan".equals(l.kind())));
    } finally {
      fresh.teardown();
      fresh.close();
    }
  }

  @Test
  void mtuComesFromTheNetworkOptionElseASmallerUnderlayLowersIt() throws Exception {
    Host a = hosts.get(0);
    Host b = hosts.get(1);
    // -o com.docker.network.driver.mtu=1300 (the allocator copies spec options into DriverState)
    Task t = task("hovmtu1", "10.231.7.2/24");
    Network withMtu = network(NET, VNI, "10.231.7.0/24");
    withMtu.driverState.options = Map.of(OverlayNetworking.VXLAN_OPTION, Integer.toString(VNI),
        OverlayNetworking.MTU_OPTION, "1300");
    t.networksAttachments.get(0).network = withMtu;
    Sandbox s = a.networking().create(t);
    assertEquals(1300, linkMtus(s.netns(), a.overlay().sandboxPath(NET)));
    a.networking().release("hovmtu1");
    // no option, underlay MTU 1400: 1350
    try (Rtnetlink nb = Rtnetlink.openIn(b.ns())) {
      nb.setMtu("ul0", 1400);
    }
    Sandbox s2 = b.networking().create(task("hovmtu2", "10.231.7.3/24"));
    assertEquals(1350, linkMtus(s2.netns(), b.overlay().sandboxPath(NET)));
    b.networking().release("hovmtu2");
    // a bad option names the option and what is allowed
    Task bad = task("hovmtu3", "10.231.7.4/24");
    bad.networksAttachments.get(0).network.driverState.options = Map.of(OverlayNetworking.VXLAN_OPTION, "4242",
        OverlayNetworking.MTU_OPTION, "jumbo");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.networking().create(bad));
    assertTrue(e.getMessage().contains(OverlayNetworking.MTU_OPTION) && e.getMessage().contains("68-65485"),
        e.getMessage());
  }

  /** The MTU of the task's eth1, checked to be that of the sandbox's VXLAN device and gw0 too. */
  private static int linkMtus(Path taskNs, Path sandbox) {
    try (Rtnetlink t = Rtnetlink.openIn(taskNs); Rtnetlink s = Rtnetlink.openIn(sandbox)) {
      int mtu = t.link("eth1").orElseThrow().mtu();
      for (Link l : s.links()) {
        if (!"lo".equals(l.name())) {
          assertEquals(mtu, l.mtu(), l.name() + " in the sandbox");
        }
      }
      return mtu;
    }
  }

  @Test
  void encryptedNetworksAreRefusedWithAClearMessage() throws Exception {
    Host a = hosts.get(0);
    Task t = task("hovenc", "10.231.7.2/24");
    t.networksAttachments.get(0).network.spec.driverConfiguration = new Driver();
    t.networksAttachments.get(0).network.spec.driverConfiguration.options = Map.of("encrypted", "");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.networking().create(t));
    assertTrue(e.getMessage().contains("--opt encrypted") && e.getMessage().contains("IPsec"), e.getMessage());
    try (Stream<Path> f = Files.list(a.exec().resolve("netns"))) {
      assertEquals(0, f.count(), "the failed create left its task namespace");
    }
  }

  // ---------------------------------------------------------------- helpers

  private static Link taskLink(Path ns, String name) {
    Link l = taskLinkOrNull(ns, name);
    assertNotNull(l, name + " in " + ns);
    return l;
  }

  private static Link taskLinkOrNull(Path ns, String name) {
    try (Rtnetlink nl = Rtnetlink.openIn(ns)) {
      return nl.link(name).orElse(null);
    }
  }

  private static List<Link> hostLinks(Host h) {
    try (Rtnetlink nl = Rtnetlink.openIn(h.ns())) {
      return nl.links();
    }
  }

  private static long openFds() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }

  /** Connects from {@code fromNs} to a listener in {@code toNs} on {@code ip}; whether a line went through. */
  private static boolean tcpWorks(Path fromNs, Path toNs, String ip, int timeoutMs) throws Exception {
    try (ServerSocket server = NetNs.call(toNs, () -> {
      ServerSocket s = new ServerSocket();
      s.bind(new InetSocketAddress(ip, 0));
      return s;
    })) {
      server.setSoTimeout(timeoutMs + 1000);
      Thread echo = new Thread(() -> {
        try (Socket c = server.accept(); InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
          out.write(in.readNBytes(5));
        } catch (IOException ignored) {
          // the client timed out
        }
      });
      echo.start();
      int port = server.getLocalPort();
      try {
        // java.net.Socket makes its fd at connect time: connect on a thread inside the client's namespace
        return NetNs.call(fromNs, () -> {
          try (Socket c = new Socket()) {
            try {
              c.connect(new InetSocketAddress(ip, port), timeoutMs);
            } catch (IOException e) {
              return false;
            }
            c.setSoTimeout(timeoutMs);
            c.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
            return "hello".equals(new String(c.getInputStream().readNBytes(5), StandardCharsets.UTF_8));
          }
        });
      } finally {
        server.close();
        echo.join(5000);
      }
    }
  }

  private static boolean ping(Path ns, String ip) throws Exception {
    Process p = NetNs.call(ns, () -> new ProcessBuilder("/bin/busybox", "ping", "-c", "1", "-W", "3", ip)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
    try {
      assertTrue(p.waitFor(10, TimeUnit.SECONDS));
      return p.exitValue() == 0;
    } finally {
      p.destroyForcibly();
    }
  }

  private static Network network(String id, int vni, String subnet) {
    Network n = new Network();
    n.id = id;
    n.spec = new Network.Spec();
    n.spec.name = id;
    n.driverState = new Driver();
    n.driverState.name = "overlay";
    n.driverState.options = Map.of(OverlayNetworking.VXLAN_OPTION, Integer.toString(vni));
    n.ipamOptions = new IPAMOptions();
    IPAMOptions.IPAMConfig c = new IPAMOptions.IPAMConfig();
    c.subnet = subnet;
    c.gateway = subnet.substring(0, subnet.lastIndexOf('.')) + ".1";
    n.ipamOptions.configs = List.of(c);
    return n;
  }

  private static Task task(String id, String address) {
    Task t = new Task();
    t.id = id;
    t.nodeId = "node-hov";
    t.endpoint = new Endpoint();
    t.endpoint.ports = List.of();
    NetworkAttachment a = new NetworkAttachment();
    a.network = network(NET, VNI, "10.231.7.0/24");
    a.addresses = List.of(address);
    t.networksAttachments = new ArrayList<>(List.of(a));
    return t;
  }

  private static Node node(String addr) {
    Node n = new Node();
    n.id = "node-hov";
    n.status = new Node.Status();
    n.status.addr = addr;
    return n;
  }

  private static NetworkEndpoints.Endpoint ep(String task, String ip, String nodeAddr) {
    return new NetworkEndpoints.Endpoint(task, ip, NetworkEndpoints.macOf(ip), nodeAddr);
  }

  private static NetworkEndpoints endpoints(boolean full, NetworkEndpoints.Endpoint... eps) {
    return new NetworkEndpoints(NET, VNI, full, List.of(eps), List.of());
  }
}
