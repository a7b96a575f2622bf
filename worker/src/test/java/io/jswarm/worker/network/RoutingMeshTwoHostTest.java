package io.jswarm.worker.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.dispatcher.NetworkEndpoints;
import io.jswarm.api.types.Driver;
import io.jswarm.api.types.IPAMOptions;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.Task;
import io.jswarm.worker.network.TwoHosts.Host;
import io.jswarm.linux.NetNs;
import io.jswarm.linux.Nftables;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The routing mesh's data path between two "hosts" (throwaway namespaces on a veth underlay, each with its own task
 * bridge and overlay driver, as in {@code OverlayNetworkingTest}): a task on each host on the ingress network, each
 * answering its name on port 80; host B publishes 8080 through its mesh. Requests from host A's namespace (the
 * underlay) to B's address, from B itself to its address and to 127.0.0.1 reach both tasks, the one on A across the
 * VXLAN; the backend list follows updates; a port without backends is refused; teardown leaves no table or sandbox.
 */
class RoutingMeshTwoHostTest {
  private static final String NET = "h2ingress";
  private static final int VNI = 4343;
  private static final String UNDERLAY_A = "192.168.232.1";
  private static final String UNDERLAY_B = "192.168.232.2";
  private static final String TASK_A = "10.232.9.3";
  private static final String TASK_B = "10.232.9.4";
  private static final String SBOX_B = "10.232.9.250";

  private TwoHosts two;
  private final List<Host> hosts = new ArrayList<>();
  private final List<ServerSocket> servers = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    two = new TwoHosts("h2m", "192.168.232", "172.31.232.0/24");
    hosts.addAll(two.hosts);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (ServerSocket s : servers) {
      s.close();
    }
    two.close();
  }

  @Test
  void aPublishedPortOnHostBReachesTasksOnBothHostsAndFollowsTheBackends() throws Exception {
    Host a = hosts.get(0);
    Host b = hosts.get(1);
    Sandbox ta = a.networking().create(task("h2taska", TASK_A + "/24"));
    Sandbox tb = b.networking().create(task("h2taskb", TASK_B + "/24"));
    serve(ta.netns(), "task-a");
    serve(tb.netns(), "task-b");
    // what the managers push: A learns B's sandbox (replies go there), B learns task A
    a.overlay().updateEndpoints(true, List.of(new NetworkEndpoints(NET, VNI, true, List.of(
        ep("ingress-sbox.b", SBOX_B, UNDERLAY_B), ep("h2taskb", TASK_B, UNDERLAY_B)), List.of())));
    b.overlay().updateEndpoints(true, List.of(new NetworkEndpoints(NET, VNI, true, List.of(
        ep("h2taska", TASK_A, UNDERLAY_A)), List.of())));

    RoutingMesh mesh = new RoutingMesh(b.networking());
    mesh.update(attachment(SBOX_B + "/24"), List.of(new IngressPort("tcp", 8080, 80, List.of(TASK_A, TASK_B))));
    Path sbox = mesh.sandboxNetns();
    assertNotNull(sbox);
    assertTrue(NetNs.exists(sbox), "ingress sandbox " + sbox);

    assertEquals(Set.of("task-a", "task-b"), names(a.ns(), UNDERLAY_B, 8080, 30), "from the underlay");
    assertEquals(Set.of("task-a", "task-b"), names(b.ns(), UNDERLAY_B, 8080, 30), "from host B itself");
    assertEquals(Set.of("task-a", "task-b"), names(b.ns(), "127.0.0.1", 8080, 30), "127.0.0.1 on host B");
    assertTrue(Nftables.run(b.ns(), "list tables").contains(mesh.hostTable()), "host table");

    // the backends follow the tasks; a port without any is refused at once
    mesh.update(attachment(SBOX_B + "/24"), List.of(new IngressPort("tcp", 8080, 80, List.of(TASK_A)),
        new IngressPort("tcp", 9090, 80, List.of())));
    assertEquals(Set.of("task-a"), names(a.ns(), UNDERLAY_B, 8080, 15), "only task A after the update");
    assertTrue(refused(a.ns(), UNDERLAY_B, 9090), "no backend: refused");

    // no published port: the tables and the sandbox go; the overlay sandbox stays for task B
    mesh.update(attachment(SBOX_B + "/24"), List.of());
    assertNull(mesh.sandboxNetns());
    assertFalse(NetNs.exists(sbox), "ingress sandbox removed");
    assertFalse(Nftables.run(b.ns(), "list tables").contains(mesh.hostTable()), "host table removed");
    assertTrue(refused(a.ns(), UNDERLAY_B, 8080), "8080 no longer published");
    assertEquals(Set.of(NET), b.overlay().networks(), "task B keeps the overlay sandbox");
  }

  /** A TCP server in {@code ns} on port 80 answering every connection with {@code name}. */
  private void serve(Path ns, String name) {
    ServerSocket s = NetNs.call(ns, () -> {
      ServerSocket srv = new ServerSocket();
      srv.bind(new InetSocketAddress(80));
      return srv;
    });
    servers.add(s);
    Thread t = new Thread(() -> {
      while (!s.isClosed()) {
        try (Socket c = s.accept()) {
          c.getOutputStream().write(name.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
          // closed
        }
      }
    }, "h2-serve-" + name);
    t.setDaemon(true);
    t.start();
  }

  /** The names answered to {@code count} connections from {@code fromNs} to {@code ip:port}. */
  private static Set<String> names(Path fromNs, String ip, int port, int count) {
    Set<String> out = new HashSet<>();
    for (int i = 0; i < count; i++) {
      out.add(NetNs.call(fromNs, () -> {
        try (Socket c = new Socket()) {
          c.connect(new InetSocketAddress(ip, port), 3000);
          c.setSoTimeout(3000);
          return new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
      }));
    }
    return out;
  }

  private static boolean refused(Path fromNs, String ip, int port) {
    return NetNs.call(fromNs, () -> {
      try (Socket c = new Socket()) {
        c.connect(new InetSocketAddress(ip, port), 3000);
        return false;
      } catch (ConnectException e) {
        return true;
      }
    });
  }

  private static Network network() {
    Network n = new Network();
    n.id = NET;
    n.spec = new Network.Spec();
    n.spec.name = "ingress";
    n.spec.ingress = true;
    n.driverState = new Driver();
    n.driverState.name = "overlay";
    n.driverState.options = Map.of(OverlayNetworking.VXLAN_OPTION, Integer.toString(VNI));
    n.ipamOptions = new IPAMOptions();
    IPAMOptions.IPAMConfig c = new IPAMOptions.IPAMConfig();
    c.subnet = "10.232.9.0/24";
    c.gateway = "10.232.9.1";
    n.ipamOptions.configs = List.of(c);
    return n;
  }

  private static NetworkAttachment attachment(String address) {
    NetworkAttachment a = new NetworkAttachment();
    a.network = network();
    a.addresses = List.of(address);
    return a;
  }

  private static Task task(String id, String address) {
    Task t = new Task();
    t.id = id;
    t.nodeId = "node-h2";
    t.networksAttachments = new ArrayList<>(List.of(attachment(address)));
    return t;
  }

  private static NetworkEndpoints.Endpoint ep(String id, String ip, String nodeAddr) {
    return new NetworkEndpoints.Endpoint(id, ip, NetworkEndpoints.macOf(ip), nodeAddr);
  }
}
