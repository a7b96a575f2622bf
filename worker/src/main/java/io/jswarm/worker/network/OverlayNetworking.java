package io.jswarm.worker.network;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.NetworkEndpoints;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.Task;
import io.jswarm.linux.Errno;
import io.jswarm.linux.LinuxException;
import io.jswarm.linux.NetNs;
import io.jswarm.linux.netlink.Link;
import io.jswarm.linux.netlink.Rtnetlink;
import io.jswarm.worker.network.OverlaySandbox.Plug;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node side of overlay networks (Docker's overlay driver without gossip). For every overlay network with an
 * endpoint on this node there is one sandbox network namespace, pinned at {@code <exec-root>/overlay/<network id>},
 * holding the network's VXLAN device: the network's VNI, the swarm's data path port (UDP, default
 * {@value #DEFAULT_PORT}), learning off, ARP proxy on, outer UDP checksum zero (RFC 7348, as Docker), source address =
 * the node's underlay address. The VXLAN device
 * is created in the node's namespace and then moved into the sandbox, so its UDP socket stays bound in the node's
 * namespace (as Docker does). The subnet's gateway address is on {@code gw0}, a macvlan of the VXLAN device in the
 * sandbox.
 *
 * <p>Remote endpoints come from the managers ({@link #onDispatcherMessage}); each one is a static FDB entry on the
 * VXLAN device (MAC -> the remote node's underlay address) and a permanent neighbour entry (address -> MAC) which the
 * device's ARP proxy answers from. Each task attachment is a macvlan (bridge mode) of the VXLAN device, created in the
 * task's namespace: {@code eth1}, {@code eth2}, ... in attachment order (the task bridge's {@code eth0} keeps the
 * default route), with the task's address, MAC {@code 02:42:<address bytes>} and the network's MTU (option
 * {@value #MTU_OPTION}, else {@value #MTU}, or less on an underlay with a smaller MTU). Docker uses a
 * bridge in the sandbox and a veth pair per task instead; a macvlan sends straight into the VXLAN device and receives
 * straight from it, which saves two queue passes each way (see docs/overlay.md, benchmark). The sandbox goes with
 * the network's last endpoint on this node.
 *
 * <p>State lives in memory; after a daemon restart {@link #retainOnly} adopts the sandboxes of the earlier process that
 * kept tasks are plugged into (adopted containers are not plugged again) and removes the others. Thread-safe (calls
 * are serialised).
 */
public final class OverlayNetworking implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OverlayNetworking.class);
  /** IANA's VXLAN port, Docker's default data path port. */
  public static final int DEFAULT_PORT = 4789;
  /** 1500 on the underlay minus the 50 bytes of VXLAN encapsulation: the default overlay MTU. */
  public static final int MTU = 1450;
  /** Outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14. */
  static final int VXLAN_OVERHEAD = 50;
  /** Docker's network option for the MTU of a network's interfaces ({@code network create -o}). */
  public static final String MTU_OPTION = "com.docker.network.driver.mtu";
  /** The largest MTU a VXLAN device takes (65535 minus the encapsulation). */
  static final int MAX_MTU = 65535 - VXLAN_OVERHEAD;
  public static final String VXLAN_OPTION = "com.docker.network.driver.overlay.vxlanid_list";
  /** The sandbox's macvlan with the subnet's gateway address. */
  static final String GATEWAY = "gw0";

  private final Path sandboxDir;
  private final Path hostNetns;
  private final String daemonKey;
  private InetAddress local;
  private int port = DEFAULT_PORT;
  private Rtnetlink host;

  /** Sandboxes by network id. */
  private final Map<String, OverlaySandbox> sandboxes = new LinkedHashMap<>();
  /** Attachments by task id. */
  private final Map<String, List<Plug>> tasks = new LinkedHashMap<>();
  /** What the managers say is on other nodes: network id -> task id -> endpoint. */
  private final Map<String, Map<String, NetworkEndpoints.Endpoint>> remote = new HashMap<>();

  /**
   * @param execRoot  the daemon's exec root; sandboxes are pinned under {@code overlay/}
   * @param hostNetns the node's namespace (where the VXLAN sockets are bound), null: the daemon's own
   * @param local     the node's underlay address (the VXLAN source), null until known
   * @param port      the data path port
   */
  public OverlayNetworking(Path execRoot, Path hostNetns, InetAddress local, int port) {
    this.sandboxDir = execRoot.resolve("overlay");
    this.hostNetns = hostNetns;
    this.daemonKey = execRoot.toAbsolutePath().toString();
    this.local = local;
    setPort(port);
  }

  /** The node's underlay address and the swarm's data path port, learnt when a dispatcher session opens. */
  public synchronized void setUnderlay(InetAddress local, int port) {
    if (!sandboxes.isEmpty() && (!Objects.equals(local, this.local) || port != this.port)) {
      LOG.warn("underlay changed to {} port {}; existing overlay sandboxes keep {} port {} until they are recreated",
          local, port, this.local, this.port);
    }
    this.local = local;
    setPort(port);
  }

  private void setPort(int p) {
    if (p < 1024 || p > 49151) {
      throw new IllegalArgumentException("data path port " + p + " is out of range 1024-49151");
    }
    this.port = p;
  }

  /** Where the sandbox of {@code networkId} is (or would be) pinned. */
  public Path sandboxPath(String networkId) {
    return sandboxDir.resolve(checkName(networkId, "network id"));
  }

  /** Network ids with a sandbox on this node. */
  public synchronized Set<String> networks() {
    return Set.copyOf(sandboxes.keySet());
  }

  // ---------------------------------------------------------------- tasks

  /**
   * Plugs the task, whose namespace is {@code taskNetns}, into every overlay network it is attached to; returns its
   * addresses there (CIDR form), in attachment order. Any earlier plug of the same task is replaced.
   */
  public synchronized List<String> attach(Task task, Path taskNetns) throws Exception {
    List<NetworkAttachment> attachments = task.networksAttachments == null ? List.of() : task.networksAttachments;
    if (attachments.isEmpty()) {
      return List.of();
    }
    String taskId = checkName(task.id, "task id");
    release(taskId);
    List<Plug> plugs = new ArrayList<>();
    tasks.put(taskId, plugs);
    List<String> out = new ArrayList<>();
    try {
      int n = 0;
      for (NetworkAttachment a : attachments) {
        OverlayAttachment at = OverlayAttachment.of(a);
        OverlaySandbox sb = ensureSandbox(at);
        sb.localTasks.add(taskId);
        Plug p = new Plug(at.networkId(), "eth" + (++n), at.cidr(), taskNetns);
        plugs.add(p);
        plug(sb, p, at, taskNetns);
        out.add(at.cidr());
      }
    } catch (Exception | Error e) {
      try {
        release(taskId);
      } catch (Exception cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    return List.copyOf(out);
  }

  /** Unplugs the task from its networks; a network's sandbox goes with its last endpoint here. Idempotent. */
  public synchronized void release(String taskId) throws Exception {
    List<Plug> plugs = tasks.remove(taskId);
    if (plugs == null) {
      return;
    }
    Exception first = null;
    for (Plug p : plugs) {
      OverlaySandbox sb = sandboxes.get(p.networkId());
      if (sb == null) {
        continue;
      }
      try {
        sb.localTasks.remove(taskId);
        if (sb.localTasks.isEmpty()) {
          destroy(sb);
        } else if (NetNs.exists(p.taskNetns())) {
          // (the last task's goes with the VXLAN device; one whose namespace is gone went with the namespace)
          try (Rtnetlink in = Rtnetlink.openIn(p.taskNetns())) {
            in.deleteLinkIfExists(p.ifname());
          }
        }
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * Releases every task not in {@code taskIds} and removes sandboxes no task here accounts for (earlier process);
   * adopts none (see {@link #retainOnly(Set, Function)}).
   */
  public synchronized void retainOnly(Set<String> taskIds) throws Exception {
    retainOnly(taskIds, null);
  }

  /**
   * Releases every task not in {@code taskIds}. A sandbox an earlier daemon process left is adopted when some task in
   * {@code taskIds} is still plugged into it ({@link #adoptSandbox}); otherwise it is removed.
   *
   * @param taskNetns where the namespace of a task is (its overlay interfaces are looked for there); null: adopt none
   */
  public synchronized void retainOnly(Set<String> taskIds, Function<String, Path> taskNetns) throws Exception {
    for (String id : new ArrayList<>(tasks.keySet())) {
      if (!taskIds.contains(id)) {
        release(id);
      }
    }
    if (Files.isDirectory(sandboxDir)) {
      try (Stream<Path> files = Files.list(sandboxDir)) {
        for (Path f : files.toList()) {
          if (!sandboxes.containsKey(f.getFileName().toString()) && !adoptSandbox(f, taskIds, taskNetns)) {
            LOG.info("removing overlay sandbox {} (left by an earlier daemon process)", f);
            removeSandboxFile(f);
          }
        }
      }
    }
  }

  /** Takes over the sandbox {@code ns} an earlier daemon process made ({@link SandboxAdoption}); false: not kept. */
  private boolean adoptSandbox(Path ns, Set<String> taskIds, Function<String, Path> taskNetns) {
    SandboxAdoption.Adopted a = SandboxAdoption.adopt(ns, taskIds, taskNetns);
    if (a == null) {
      return false;
    }
    a.plugs().forEach((taskId, plugs) -> tasks.computeIfAbsent(taskId, x -> new ArrayList<>()).addAll(plugs));
    sandboxes.put(a.sandbox().networkId, a.sandbox());
    return true;
  }

  /** Removes every sandbox (the node leaves the swarm). */
  public synchronized void teardown() throws Exception {
    tasks.clear();
    for (OverlaySandbox sb : new ArrayList<>(sandboxes.values())) {
      destroy(sb);
    }
    remote.clear();
    retainOnly(Set.of());
  }

  @Override
  public synchronized void close() {
    if (host != null) {
      host.close();
      host = null;
    }
  }

  // ---------------------------------------------------------------- remote endpoints

  /**
   * The agent's hook: a session message gives the data path port and this node's underlay address
   * ({@code Node.Status.Addr}); an endpoints message updates the remote endpoints.
   */
  public void onDispatcherMessage(DispatcherMessage m) {
    try {
      if (DispatcherMessage.SESSION.equals(m.type)) {
        InetAddress addr = m.node != null && m.node.status != null && m.node.status.addr != null
            && !m.node.status.addr.isBlank() ? InetAddress.getByName(hostPart(m.node.status.addr)) : local;
        int p = m.dataPathPort == null || m.dataPathPort == 0 ? port : m.dataPathPort.intValue();
        setUnderlay(addr, p);
      } else if (DispatcherMessage.ENDPOINTS.equals(m.type)) {
        updateEndpoints(m.isFull(), m.networks == null ? List.of() : m.networks);
      }
    } catch (Exception e) {
      LOG.warn("cannot apply dispatcher {} message to the overlay networks: {}", m.type, e.toString());
    }
  }

  /** Applies pushed endpoints: with {@code full} the list is everything (networks not named have none). */
  public synchronized void updateEndpoints(boolean full, List<NetworkEndpoints> networks) {
    Set<String> touched = new LinkedHashSet<>();
    if (full) {
      touched.addAll(sandboxes.keySet()); // also adopted sandboxes whose network the message does not name
      touched.addAll(remote.keySet());
      remote.clear();
    }
    for (NetworkEndpoints ne : networks) {
      if (ne.networkId == null) {
        continue;
      }
      touched.add(ne.networkId);
      Map<String, NetworkEndpoints.Endpoint> eps = remote.computeIfAbsent(ne.networkId, k -> new LinkedHashMap<>());
      if (ne.isFull()) {
        eps.clear();
      }
      if (ne.removed != null) {
        ne.removed.forEach(eps::remove);
      }
      if (ne.endpoints != null) {
        for (NetworkEndpoints.Endpoint e : ne.endpoints) {
          if (e.taskId != null && e.addr != null && e.nodeAddr != null) {
            eps.put(e.taskId, e);
          }
        }
      }
      if (eps.isEmpty()) {
        remote.remove(ne.networkId);
      }
    }
    for (String id : touched) {
      OverlaySandbox sb = sandboxes.get(id);
      if (sb != null) {
        try {
          program(sb);
        } catch (Exception e) {
          LOG.warn("cannot program remote endpoints of overlay network {}: {}", id, e.toString());
        }
      }
    }
  }

  /** Brings the sandbox's FDB and neighbour entries in line with the remote endpoints of its network. */
  private void program(OverlaySandbox sb) {
    Map<String, NetworkEndpoints.Endpoint> want = new TreeMap<>();
    for (NetworkEndpoints.Endpoint e : remote.getOrDefault(sb.networkId, Map.of()).values()) {
      String ip = e.addr.split("/")[0];
      String node = hostPart(e.nodeAddr);
      if (local != null && node.equals(local.getHostAddress())) {
        continue; // on this node: the bridge reaches it
      }
      String mac = e.mac == null || e.mac.isEmpty() ? NetworkEndpoints.macOf(ip) : e.mac;
      want.put(ip, new NetworkEndpoints.Endpoint(e.taskId, ip, mac, node));
    }
    try (Rtnetlink in = Rtnetlink.openIn(sb.netns)) {
      for (Map.Entry<String, NetworkEndpoints.Endpoint> had : new ArrayList<>(sb.programmed.entrySet())) {
        NetworkEndpoints.Endpoint w = want.get(had.getKey());
        NetworkEndpoints.Endpoint h = had.getValue();
        if (w != null && w.mac.equals(h.mac) && w.nodeAddr.equals(h.nodeAddr)) {
          continue;
        }
        ignoreMissing(() -> in.deleteNeighbour(sb.vxlan, inet(h.addr)));
        ignoreMissing(() -> in.deleteFdb(sb.vxlan, h.mac, inet(h.nodeAddr)));
        sb.programmed.remove(had.getKey());
      }
      for (NetworkEndpoints.Endpoint w : want.values()) {
        if (sb.programmed.containsKey(w.addr)) {
          continue;
        }
        in.addFdb(sb.vxlan, w.mac, inet(w.nodeAddr), true);
        in.addNeighbour(sb.vxlan, inet(w.addr), w.mac, true);
        sb.programmed.put(w.addr, w);
      }
    }
  }

  // ---------------------------------------------------------------- sandboxes

  private OverlaySandbox ensureSandbox(OverlayAttachment at) throws Exception {
    OverlaySandbox sb = sandboxes.get(at.networkId());
    if (sb != null) {
      return sb;
    }
    Path ns = sandboxPath(at.networkId());
    if (NetNs.exists(ns) || Files.exists(ns)) {
      removeSandboxFile(ns);
    }
    Files.createDirectories(sandboxDir);
    String vx = String.format("vx-%06x-%s", at.vni(), hash(daemonKey + "/" + at.networkId(), 3).substring(0, 5));
    int mtu = mtu(at);
    sb = new OverlaySandbox(at.networkId(), ns, vx, at.vni(), mtu);
    sandboxes.put(at.networkId(), sb);
    try {
      NetNs.create(ns);
      try (Rtnetlink in = Rtnetlink.openIn(ns)) {
        in.setUp("lo", true);
        Rtnetlink h = hostLinks();
        h.deleteLinkIfExists(vx);
        try {
          h.createVxlan(vx, at.vni(), port, local, false, true, false, null, mtu);
        } catch (LinuxException e) {
          if (e.errno() == Errno.EEXIST) {
            throw new IllegalStateException("cannot create the VXLAN device of overlay network " + at.networkId()
                + ": another device already uses VXLAN id " + at.vni() + " on UDP port " + port
                + " in this node's network namespace (another daemon on the same host?)", e);
          }
          throw e;
        }
        try {
          h.setNetns(vx, ns);
        } catch (Exception e) {
          h.deleteLinkIfExists(vx);
          throw e;
        }
        in.setUp(vx, true);
        in.createMacvlan(GATEWAY, vx, NetworkEndpoints.macOf(Ipv4Subnet.toString(at.gateway())), mtu, -1, false);
        in.addAddress(GATEWAY, Ipv4Subnet.inet(at.gateway()), at.subnet().prefixLength());
        in.setUp(GATEWAY, true);
      }
      program(sb);
    } catch (Exception | Error e) {
      sandboxes.remove(at.networkId());
      try {
        removeSandboxFile(ns);
      } catch (Exception cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    LOG.info("overlay network {}: sandbox {} with {} (VNI {}, UDP {}, MTU {})", at.networkId(), ns, vx, at.vni(), port,
        mtu);
    return sb;
  }

  /**
   * The MTU of a new sandbox: the network's {@value #MTU_OPTION}, else {@value #MTU}; without the option an underlay
   * device with an MTU below 1500 lowers it to that MTU minus {@value #VXLAN_OVERHEAD} (a larger one does not raise
   * it: every node of the network must agree, and other nodes' underlays may be smaller).
   */
  private int mtu(OverlayAttachment at) {
    int underlay = underlayMtu();
    if (at.mtu() > 0) {
      if (underlay > 0 && at.mtu() > underlay - VXLAN_OVERHEAD) {
        LOG.warn("overlay network {}: {} {} is more than this node's underlay MTU {} minus {}; the underlay will "
            + "fragment or drop the larger VXLAN packets", at.networkId(), MTU_OPTION, at.mtu(), underlay,
            VXLAN_OVERHEAD);
      }
      return at.mtu();
    }
    return underlay > 0 ? Math.max(68, Math.min(MTU, underlay - VXLAN_OVERHEAD)) : MTU;
  }

  /** The MTU of the node's interface holding the underlay address; 0 when unknown. */
  private int underlayMtu() {
    if (local == null) {
      return 0;
    }
    try {
      Rtnetlink h = hostLinks();
      for (io.jswarm.linux.netlink.Address a : h.addresses()) {
        if (a.address().equals(local)) {
          for (Link l : h.links()) {
            if (l.index() == a.index()) {
              return l.mtu();
            }
          }
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("cannot read the underlay MTU: {}", e.toString());
    }
    return 0;
  }

  private void plug(OverlaySandbox sb, Plug p, OverlayAttachment at, Path taskNetns) throws Exception {
    try (Rtnetlink in = Rtnetlink.openIn(sb.netns); Rtnetlink task = Rtnetlink.openIn(taskNetns)) {
      task.deleteLinkIfExists(p.ifname());
      int fd = NetNs.openFd(taskNetns);
      try {
        in.createMacvlan(p.ifname(), sb.vxlan, NetworkEndpoints.macOf(Ipv4Subnet.toString(at.address())), sb.mtu, fd,
            false);
      } finally {
        NetNs.close(fd);
      }
      task.addAddress(p.ifname(), Ipv4Subnet.inet(at.address()), at.subnet().prefixLength());
      task.setUp(p.ifname(), true);
    }
  }

  private void destroy(OverlaySandbox sb) throws Exception {
    sandboxes.remove(sb.networkId);
    removeSandboxFile(sb.netns);
    LOG.info("overlay network {}: sandbox removed (no endpoint left on this node)", sb.networkId);
  }

  /** Deletes the links of a sandbox (so the VXLAN id is free again at once), then the namespace. */
  private static void removeSandboxFile(Path ns) throws Exception {
    if (NetNs.exists(ns)) {
      try (Rtnetlink in = Rtnetlink.openIn(ns)) {
        for (Link l : in.links()) {
          if ("vxlan".equals(l.kind())) {
            in.deleteLinkIfExists(l.name());
          }
        }
        for (Link l : in.links()) {
          if (l.kind() != null && !"lo".equals(l.name())) {
            in.deleteLinkIfExists(l.name());
          }
        }
      }
    }
    NetNs.delete(ns);
  }

  private Rtnetlink hostLinks() {
    if (host == null) {
      host = Rtnetlink.openIn(hostNetns);
    }
    return host;
  }

  // ---------------------------------------------------------------- helpers

  private interface NetlinkCall {
    void run() throws Exception;
  }

  private static void ignoreMissing(NetlinkCall c) throws RuntimeException {
    try {
      c.run();
    } catch (LinuxException e) {
      if (e.errno() != Errno.ENOENT && e.errno() != Errno.ENODEV && e.errno() != Errno.ESRCH) {
        throw e;
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static InetAddress inet(String ip) {
    return Ipv4Subnet.inet(Ipv4Subnet.toInt(ip));
  }

  /** {@code host} of {@code host}, {@code host:port} or {@code [v6]:port}. */
  static String hostPart(String addr) {
    String a = addr.trim();
    if (a.startsWith("[")) {
      return a.substring(1, a.indexOf(']'));
    }
    int colon = a.indexOf(':');
    return colon >= 0 && a.indexOf(':', colon + 1) < 0 ? a.substring(0, colon) : a;
  }

  private static String hash(String s, int bytes) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static String checkName(String id, String what) {
    if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
      throw new IllegalArgumentException(what + " '" + id + "' must be letters, digits, '_', '.' or '-'");
    }
    return id;
  }
}
