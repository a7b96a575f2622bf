package io.jswarm.worker.network;

import io.jswarm.api.dispatcher.NetworkEndpoints;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Task;
import io.jswarm.linux.Errno;
import io.jswarm.linux.LinuxException;
import io.jswarm.linux.NetNs;
import io.jswarm.linux.Nftables;
import io.jswarm.linux.netlink.Link;
import io.jswarm.linux.netlink.Rtnetlink;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Task networking on one node through a local bridge, like Docker's {@code docker_gwbridge}: the bridge holds the
 * gateway (first address of the subnet); each task gets a network namespace pinned at
 * {@code <exec-root>/netns/<task id>}, a veth pair whose host end is on the bridge and whose other end is the
 * task's {@code eth0} with an address from a node-local IPAM (persisted under {@code <data-root>/network/}),
 * a default route via the gateway and loopback up. Outbound traffic is masqueraded; host-mode published ports
 * are DNAT rules for traffic arriving from outside and for traffic from the node itself to any of its addresses,
 * 127.0.0.1 included (route_localnet on the bridge plus masquerade of loopback sources). All rules live in one
 * nftables table of this daemon, rewritten atomically on every change from the lease file.
 *
 * <p>Thread-safe (calls are serialised). {@link #close()} only frees the netlink socket;
 * {@link #teardown()} removes every sandbox, the table and the bridge (the node leaves the swarm).
 */
public final class BridgeNetworking implements TaskNetworking, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeNetworking.class);
  private static final String CONTAINER_IF = "eth0";

  private final BridgeConfig config;
  private final Ipv4Subnet subnet;
  private final Path netnsDir;
  private final NodeLocalLeases leases;
  private Rtnetlink host;
  private boolean bridgeReady;

  public BridgeNetworking(BridgeConfig config) {
    this.config = config;
    this.subnet = Ipv4Subnet.parse(config.subnet());
    this.netnsDir = config.execRoot().resolve("netns");
    this.leases = new NodeLocalLeases(config.dataRoot().resolve("network").resolve(config.bridgeName() + ".leases"),
        subnet);
  }

  public BridgeConfig config() {
    return config;
  }

  /** The gateway address (on the bridge). */
  public String gateway() {
    return Ipv4Subnet.toString(subnet.gateway());
  }

  /** Where the sandbox of {@code taskId} is (or would be) pinned. */
  public Path netnsPath(String taskId) {
    return netnsDir.resolve(checkId(taskId));
  }

  @Override
  public Sandbox create(Task task) throws Exception {
    String id = checkId(task.id);
    NodeLocalLeases.Lease lease;
    synchronized (this) {
      ensureBridge();
      lease = leases.get(id).orElse(null);
      if (lease != null && intact(lease)) {
        return sandbox(lease);
      }
      if (lease == null) {
        List<HostPort> ports = assignPorts(id, hostPorts(task), task.nodeId);
        lease = new NodeLocalLeases.Lease(id, leases.freeAddress(), vethName(id), hostname(task), ports);
        leases.put(lease);
      }
    }
    try {
      // outside the lock: a task's netns and veth are its own, so sandboxes of several tasks are made at once
      try (Rtnetlink nl = Rtnetlink.openIn(config.hostNetns())) {
        plumb(lease, nl);
      }
      if (!lease.ports().isEmpty()) {
        synchronized (this) {
          applyRules(); // the table changes only when the task publishes ports
        }
      }
    } catch (Exception | Error e) {
      try {
        release(id);
      } catch (Exception cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    return sandbox(lease);
  }

  @Override
  public synchronized void release(String taskId) throws Exception {
    String id = checkId(taskId);
    NodeLocalLeases.Lease lease = leases.get(id).orElse(null);
    hostLinks().deleteLinkIfExists(lease == null ? vethName(id) : lease.hostVeth());
    NetNs.delete(netnsDir.resolve(id));
    leases.remove(id);
    if (lease != null && !lease.ports().isEmpty()) {
      applyRules();
    }
  }

  @Override
  public synchronized void retainOnly(Set<String> taskIds) throws Exception {
    ensureBridge();
    for (NodeLocalLeases.Lease l : leases.all()) {
      if (!taskIds.contains(l.taskId())) {
        LOG.info("releasing network sandbox of task {} (no longer on this node)", l.taskId());
        hostLinks().deleteLinkIfExists(l.hostVeth());
        NetNs.delete(netnsDir.resolve(l.taskId()));
        leases.remove(l.taskId());
      }
    }
    // namespaces and veths an interrupted create left without a lease
    if (Files.isDirectory(netnsDir)) {
      try (Stream<Path> files = Files.list(netnsDir)) {
        for (Path f : files.toList()) {
          String id = f.getFileName().toString();
          if (!taskIds.contains(id) || leases.get(id).isEmpty()) {
            NetNs.delete(f);
          }
        }
      }
    }
    Set<String> keep = new HashSet<>();
    for (NodeLocalLeases.Lease l : leases.all()) {
      keep.add(l.hostVeth());
    }
    int bridgeIndex = hostLinks().linkIndex(config.bridgeName());
    for (Link l : hostLinks().links()) {
      if (l.master() == bridgeIndex && "veth".equals(l.kind()) && !keep.contains(l.name())) {
        hostLinks().deleteLinkIfExists(l.name());
      }
    }
    applyRules();
  }

  /** Removes every sandbox, the nftables table, the bridge and the lease file: the node leaves the swarm. */
  public synchronized void teardown() throws Exception {
    for (NodeLocalLeases.Lease l : leases.all()) {
      hostLinks().deleteLinkIfExists(l.hostVeth());
      NetNs.delete(netnsDir.resolve(l.taskId()));
    }
    leases.clear();
    Nftables.run(config.hostNetns(), "table ip " + config.nftTable() + "\ndelete table ip " + config.nftTable());
    hostLinks().deleteLinkIfExists(config.bridgeName());
    bridgeReady = false;
  }

  @Override
  public synchronized void close() {
    if (host != null) {
      host.close();
      host = null;
    }
  }

  // ---------------------------------------------------------------- bridge, sandbox, rules

  private Rtnetlink hostLinks() {
    if (host == null) {
      host = Rtnetlink.openIn(config.hostNetns());
    }
    return host;
  }

  private void ensureBridge() throws Exception {
    if (bridgeReady) {
      return;
    }
    Rtnetlink nl = hostLinks();
    String br = config.bridgeName();
    Link link = nl.link(br).orElse(null);
    if (link == null) {
      try {
        nl.createBridge(br, config.mtu());
      } catch (LinuxException e) {
        if (e.errno() != Errno.EEXIST) {
          throw e;
        }
      }
      link = nl.link(br).orElseThrow();
    }
    if (!"bridge".equals(link.kind())) {
      throw new IllegalStateException("network interface " + br + " exists but is a " + link.kind()
          + ", not a bridge; remove it or configure another bridge name");
    }
    int index = link.index();
    String gw = gateway();
    boolean hasGateway = nl.addresses().stream()
        .anyMatch(a -> a.index() == index && a.address().getHostAddress().equals(gw));
    if (!hasGateway) {
      nl.addAddress(br, Ipv4Subnet.inet(subnet.gateway()), subnet.prefixLength());
    }
    // A bridge whose address nobody set takes the lowest MAC of its ports, so it changes when that task's veth goes.
    // The task namespaces (the routing mesh's sandbox among them) still hold the old MAC for the gateway, and what
    // they send through it (replies to clients outside the bridge) is lost until their neighbour entry is probed
    // again, 20 s and more: a request in flight through the mesh hung during a rolling update. Setting the address,
    // even to the one it has, makes the kernel keep it (NET_ADDR_SET), as Docker sets its bridges' addresses.
    if (link.mac() != null && !link.mac().isEmpty()) {
      nl.setMac(br, link.mac());
    }
    nl.setUp(br, true);
    NetNs.call(config.hostNetns(), () -> {
      sysctl("net/ipv4/ip_forward", "1");
      sysctl("net/ipv4/conf/" + br + "/route_localnet", "1");
      return null;
    });
    Files.createDirectories(netnsDir);
    bridgeReady = true;
    applyRules();
  }

  private static void sysctl(String key, String value) {
    Path p = Path.of("/proc/sys").resolve(key);
    try {
      Files.writeString(p, value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot set " + key.replace('/', '.') + " = " + value + " (" + e
          + "); the daemon needs root (CAP_NET_ADMIN) and a writable /proc/sys", e);
    }
  }

  /** Whether the task's namespace and host veth are still there (an earlier daemon process made them). */
  private boolean intact(NodeLocalLeases.Lease lease) {
    return NetNs.exists(netnsDir.resolve(lease.taskId())) && hostLinks().link(lease.hostVeth())
        .map(l -> l.master() == hostLinks().linkIndex(config.bridgeName())).orElse(false);
  }

  private void plumb(NodeLocalLeases.Lease lease, Rtnetlink nl) throws Exception {
    Path ns = netnsDir.resolve(lease.taskId());
    nl.deleteLinkIfExists(lease.hostVeth());
    NetNs.delete(ns);
    NetNs.create(ns);
    int fd = NetNs.openFd(ns);
    try {
      // the peer is born inside the task namespace, so it can be called eth0 at once
      // and the host end is plugged into the bridge and up in the same request
      nl.createVeth(lease.hostVeth(), CONTAINER_IF, config.mtu(), fd, config.bridgeName(), true);
    } finally {
      NetNs.close(fd);
    }
    try (Rtnetlink in = Rtnetlink.openIn(ns)) {
      in.setUp("lo", true);
      // Docker's rule (02:42 + the address): a namespace remade with the same address (the routing mesh's sandbox
      // after a daemon restart) keeps its MAC, so the neighbour entries others still hold for it stay right
      in.setMac(CONTAINER_IF, NetworkEndpoints.macOf(Ipv4Subnet.toString(lease.address())));
      in.addAddress(CONTAINER_IF, Ipv4Subnet.inet(lease.address()), subnet.prefixLength());
      in.setUp(CONTAINER_IF, true);
      in.addDefaultRoute(Ipv4Subnet.inet(subnet.gateway()), CONTAINER_IF);
    }
  }

  /** Rewrites this daemon's table in one transaction from the leases. */
  private void applyRules() {
    String t = config.nftTable();
    String br = config.bridgeName();
    StringBuilder s = new StringBuilder();
    s.append("table ip ").append(t).append('\n');
    s.append("delete table ip ").append(t).append('\n');
    s.append("table ip ").append(t).append(" {\n");
    s.append("  chain hostports {\n");
    for (NodeLocalLeases.Lease l : leases.all()) {
      for (HostPort p : l.ports()) {
        s.append("    ").append(p.protocol()).append(" dport ").append(p.published()).append(" dnat to ")
            .append(Ipv4Subnet.toString(l.address())).append(':').append(p.target())
            .append(" comment \"task ").append(l.taskId()).append("\"\n");
      }
    }
    s.append("  }\n");
    s.append("  chain prerouting {\n    type nat hook prerouting priority -100; policy accept;\n")
        .append("    fib daddr type local jump hostports\n  }\n");
    s.append("  chain output {\n    type nat hook output priority -100; policy accept;\n")
        .append("    fib daddr type local jump hostports\n  }\n");
    s.append("  chain postrouting {\n    type nat hook postrouting priority 100; policy accept;\n")
        .append("    ip saddr ").append(subnet).append(" oifname != \"").append(br).append("\" masquerade\n")
        .append("    ip saddr 127.0.0.0/8 oifname \"").append(br).append("\" masquerade\n")
        .append("    ip saddr ").append(subnet).append(" oifname \"").append(br).append("\" ct status dnat masquerade\n")
        .append("  }\n");
    s.append("}\n");
    Nftables.run(config.hostNetns(), s.toString());
  }

  private Sandbox sandbox(NodeLocalLeases.Lease lease) {
    String ip = Ipv4Subnet.toString(lease.address());
    List<PortConfig> published = new ArrayList<>();
    for (HostPort p : lease.ports()) {
      PortConfig c = new PortConfig();
      c.protocol = p.protocol();
      c.targetPort = (long) p.target();
      c.publishedPort = (long) p.published();
      c.publishMode = "host";
      published.add(c);
    }
    return new Sandbox(netnsDir.resolve(lease.taskId()), List.of(ip + "/" + subnet.prefixLength()),
        List.of(ip + "\t" + lease.hostname()), nameservers(), List.copyOf(published));
  }

  // ---------------------------------------------------------------- ports

  /** The task's ports published in host mode (from its endpoint, else its endpoint's spec). */
  static List<PortConfig> hostPorts(Task task) {
    List<PortConfig> all = null;
    if (task.endpoint != null) {
      all = task.endpoint.ports;
      if ((all == null || all.isEmpty()) && task.endpoint.spec != null) {
        all = task.endpoint.spec.ports;
      }
    }
    List<PortConfig> host = new ArrayList<>();
    if (all != null) {
      for (PortConfig p : all) {
        if ("host".equals(p.publishMode)) {
          host.add(p);
        }
      }
    }
    return host;
  }

  private List<HostPort> assignPorts(String taskId, List<PortConfig> wanted, String nodeId) throws IOException {
    String node = nodeId == null || nodeId.isEmpty() ? config.nodeName() : nodeId;
    List<HostPort> out = new ArrayList<>();
    Set<String> mine = new HashSet<>();
    for (PortConfig p : wanted) {
      String proto = p.protocol == null || p.protocol.isEmpty() ? "tcp" : p.protocol.toLowerCase();
      if (!proto.equals("tcp") && !proto.equals("udp")) {
        throw new IllegalArgumentException("host-mode port protocol '" + proto + "' is not supported; use tcp or udp");
      }
      if (p.targetPort == null || p.targetPort < 1 || p.targetPort > 65535) {
        throw new IllegalArgumentException("host-mode port needs a target port 1-65535, got " + p.targetPort);
      }
      int published;
      if (p.publishedPort == null || p.publishedPort == 0) {
        published = ephemeralPort(proto, mine);
      } else {
        if (p.publishedPort < 1 || p.publishedPort > 65535) {
          throw new IllegalArgumentException("published port " + p.publishedPort + " is out of range 1-65535");
        }
        published = p.publishedPort.intValue();
        String holder = leases.portHolder(proto, published).orElse(null);
        if (holder != null && !holder.equals(taskId) || mine.contains(published + "/" + proto)) {
          throw new IllegalStateException("host port " + published + "/" + proto + " is already in use on node "
              + node + " by task " + (holder == null ? taskId : holder));
        }
      }
      mine.add(published + "/" + proto);
      out.add(new HostPort(proto, published, p.targetPort.intValue()));
    }
    return List.copyOf(out);
  }

  /** A free port of the kernel's ephemeral range (ip_local_port_range), as Docker picks for host mode. */
  private int ephemeralPort(String proto, Set<String> taken) throws IOException {
    int[] range = NetNs.call(config.hostNetns(), () -> {
      // Files.readString trusts the size /proc reports (4096) and stops early; read the stream instead
      String[] f = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim().split("\\s+");
      return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
    });
    for (int port = range[0]; port <= range[1]; port++) {
      if (taken.contains(port + "/" + proto) || leases.portHolder(proto, port).isPresent()) {
        continue;
      }
      int candidate = port;
      boolean free = NetNs.call(config.hostNetns(), () -> bindable(proto, candidate));
      if (free) {
        return port;
      }
    }
    throw new IllegalStateException("no free " + proto + " port left in the ephemeral range " + range[0] + "-"
        + range[1] + " on node " + config.nodeName() + "; publish a fixed port instead");
  }

  private static boolean bindable(String proto, int port) {
    try {
      if (proto.equals("udp")) {
        try (DatagramSocket s = new DatagramSocket(null)) {
          s.bind(new InetSocketAddress(port));
        }
      } else {
        try (ServerSocket s = new ServerSocket()) {
          s.bind(new InetSocketAddress(port));
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------- names

  /** Host end of a task's veth: "jv" + 12 hex digits of a hash of bridge and task (14 characters, under 15). */
  private String vethName(String taskId) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256")
          .digest((config.bridgeName() + "/" + taskId).getBytes(StandardCharsets.UTF_8));
      return "jv" + HexFormat.of().formatHex(h, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static String hostname(Task task) {
    String h = task.spec != null && task.spec.containerSpec != null ? task.spec.containerSpec.hostname : null;
    if (h != null && h.matches("[A-Za-z0-9][A-Za-z0-9.-]{0,62}")) {
      return h;
    }
    return task.id.length() > 12 ? task.id.substring(0, 12) : task.id;
  }

  private static String checkId(String taskId) {
    if (taskId == null || !taskId.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
      throw new IllegalArgumentException("task id '" + taskId + "' must be letters, digits, '_', '.' or '-'");
    }
    return taskId;
  }

  /** The host's nameservers, without loopback ones (they mean nothing inside the task's namespace). */
  List<String> nameservers() {
    List<String> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(config.resolvConf())) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 2 && f[0].equals("nameserver")) {
          String ns = f[1];
          boolean loopback = ns.startsWith("127.") || ns.equals("::1") || ns.equals("0:0:0:0:0:0:0:1");
          if (!loopback) {
            out.add(ns);
          }
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot read {}: {}; tasks get no nameserver", config.resolvConf(), e.toString());
    }
    return List.copyOf(out);
  }
}
