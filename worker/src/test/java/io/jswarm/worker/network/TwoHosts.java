package io.jswarm.worker.network;

import io.jswarm.linux.Mounts;
import io.jswarm.linux.NetNs;
import io.jswarm.linux.netlink.Rtnetlink;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Two throwaway "hosts" for data-path tests: two namespaces under a temp dir joined by a veth (the underlay,
 * {@code <underlay>.1} and {@code .2}), each with its own task bridge and overlay driver, as two daemons on two
 * machines would be. {@link #close} tears every host's networking down and removes everything, then fails the test
 * if something could not be removed.
 */
final class TwoHosts implements AutoCloseable {
  /** One test host: its namespace, exec root, task bridge and overlay driver. */
  record Host(Path ns, Path exec, BridgeNetworking bridge, OverlayNetworking overlay,
      CompositeNetworking networking) {}

  final Path tmp;
  final List<Host> hosts = new ArrayList<>();

  /**
   * @param prefix names the temp dir, the bridge ({@code <prefix>br<random>}) and its nft table
   * @param underlay the first three octets of the underlay addresses, e.g. {@code 192.168.231}
   * @param bridgeSubnet the task bridge's subnet on both hosts
   */
  TwoHosts(String prefix, String underlay, String bridgeSubnet) throws Exception {
    tmp = Files.createTempDirectory(prefix + "-");
    Path resolv = tmp.resolve("resolv.conf");
    Files.writeString(resolv, "nameserver 127.0.0.53\n");
    String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    for (String name : List.of("a", "b")) {
      Path ns = tmp.resolve("host-" + name);
      NetNs.create(ns);
      Path exec = tmp.resolve("exec-" + name);
      BridgeConfig bc = new BridgeConfig(tmp.resolve("data-" + name), exec, prefix + "br" + suffix, bridgeSubnet,
          prefix + "_" + suffix, 1500, "node-" + name, ns, resolv);
      BridgeNetworking bridge = new BridgeNetworking(bc);
      OverlayNetworking overlay = new OverlayNetworking(exec, ns, underlay(underlay, name), OverlayNetworking.DEFAULT_PORT);
      hosts.add(new Host(ns, exec, bridge, overlay, new CompositeNetworking(bridge, overlay)));
    }
    try (Rtnetlink na = Rtnetlink.openIn(hosts.get(0).ns()); Rtnetlink nb = Rtnetlink.openIn(hosts.get(1).ns())) {
      na.setUp("lo", true);
      nb.setUp("lo", true);
      int fd = NetNs.openFd(hosts.get(1).ns());
      try {
        na.createVeth("ul0", "ul0", 1500, fd);
      } finally {
        NetNs.close(fd);
      }
      na.addAddress("ul0", underlay(underlay, "a"), 24);
      nb.addAddress("ul0", underlay(underlay, "b"), 24);
      na.setUp("ul0", true);
      nb.setUp("ul0", true);
    }
  }

  private static InetAddress underlay(String net, String host) throws Exception {
    return InetAddress.getByName(net + (host.equals("a") ? ".1" : ".2"));
  }

  @Override
  public void close() throws Exception {
    List<Throwable> errors = new ArrayList<>();
    for (Host h : hosts) {
      try {
        h.networking().teardown();
      } catch (Exception e) {
        errors.add(e);
      }
      h.overlay().close();
      h.bridge().close();
      NetNs.delete(h.ns());
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
    if (!mounts.isEmpty()) {
      throw new AssertionError("mounts left: " + mounts);
    }
    if (!errors.isEmpty()) {
      throw new AssertionError("cleanup failed: " + errors, errors.get(0));
    }
  }
}
