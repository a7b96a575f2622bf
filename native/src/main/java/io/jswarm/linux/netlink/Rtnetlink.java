package io.jswarm.linux.netlink;

import static io.jswarm.linux.netlink.Rtm.*;

import io.jswarm.linux.Errno;
import io.jswarm.linux.LinuxException;
import io.jswarm.linux.NetNs;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * An rtnetlink client: links (veth, bridge, vxlan, macvlan; master, netns, MTU, up/down, name), addresses, routes,
 * neighbour and bridge FDB entries, and their dumps — what {@code ip link/addr/route/neigh} and
 * {@code bridge fdb} do, without running them.
 *
 * <p>A client works on the network namespace its socket was opened in: {@link #open()} uses the calling
 * thread's namespace, {@link #openIn(Path)} the namespace named by a file, whichever thread later calls it.
 * Calls are serialised. A refused request throws {@link LinuxException} whose {@code errno()} is the kernel's
 * (EEXIST for a link that exists, ENODEV for a missing device, ...) and whose message names the operation, the
 * object and the kernel's extended-ack text when it gave one.
 */
public final class Rtnetlink implements AutoCloseable {
  private final NetlinkSocket socket;

  private Rtnetlink(NetlinkSocket socket) {
    this.socket = socket;
  }

  /** A client for the calling thread's network namespace. */
  public static Rtnetlink open() {
    return new Rtnetlink(new NetlinkSocket());
  }

  /** A client for the network namespace named by {@code netns} (a netns file); null means {@link #open()}. */
  public static Rtnetlink openIn(Path netns) {
    return netns == null ? open() : NetNs.call(netns, Rtnetlink::open);
  }

  // ---------------------------------------------------------------- links

  /** Creates a bridge {@code name} (down); EEXIST if a link of that name exists. */
  public synchronized void createBridge(String name, int mtu) {
    NlMessage m = newLink(name, mtu, false);
    m.beginNested(IFLA_LINKINFO).attrString(IFLA_INFO_KIND, "bridge").endNested();
    socket.request(m, "RTM_NEWLINK", "bridge " + name);
  }

  /** Creates a link of a kind that takes no settings ({@code ifb}, {@code dummy}), down; EEXIST if it exists. */
  public synchronized void createLink(String name, String kind) {
    NlMessage m = newLink(name, 0, false);
    m.beginNested(IFLA_LINKINFO).attrString(IFLA_INFO_KIND, kind).endNested();
    socket.request(m, "RTM_NEWLINK", kind + " " + name);
  }

  /**
   * Creates a veth pair {@code name} <-> {@code peer}. With {@code peerNetnsFd} >= 0 the peer is created
   * directly in that network namespace (an fd from {@link NetNs#openFd}), so it can take a name such as
   * {@code eth0} that exists here.
   */
  public synchronized void createVeth(String name, String peer, int mtu, int peerNetnsFd) {
    createVeth(name, peer, mtu, peerNetnsFd, null, false);
  }

  /**
   * {@link #createVeth(String, String, int, int)} that also plugs {@code name} into bridge {@code master} (may be
   * null) and brings it up, in the same request.
   */
  public synchronized void createVeth(String name, String peer, int mtu, int peerNetnsFd, String master, boolean up) {
    int masterIndex = master == null ? 0 : linkIndex(master);
    NlMessage m = newLink(name, mtu, up);
    if (masterIndex > 0) {
      m.attrU32(IFLA_MASTER, masterIndex);
    }
    m.beginNested(IFLA_LINKINFO).attrString(IFLA_INFO_KIND, "veth").beginNested(IFLA_INFO_DATA);
    m.beginNested(VETH_INFO_PEER);
    ifinfo(m, 0, 0, 0);
    m.attrString(IFLA_IFNAME, peer);
    if (mtu > 0) {
      m.attrU32(IFLA_MTU, mtu);
    }
    if (peerNetnsFd >= 0) {
      m.attrU32(IFLA_NET_NS_FD, peerNetnsFd);
    }
    m.endNested().endNested().endNested();
    socket.request(m, "RTM_NEWLINK", "veth " + name + " peer " + peer);
  }

  /**
   * Creates a VXLAN device: VNI {@code vni}, UDP {@code port} (4789 is IANA's), {@code local} source address
   * (may be null), learning on or off, and the underlay device {@code dev} (may be null).
   */
  public synchronized void createVxlan(String name, int vni, int port, InetAddress local, boolean learning, String dev,
      int mtu) {
    createVxlan(name, vni, port, local, learning, false, dev, mtu);
  }

  /**
   * {@link #createVxlan(String, int, int, InetAddress, boolean, String, int)} with ARP proxying: with {@code proxy}
   * the device answers ARP requests for addresses in its own neighbour table (static entries for remote
   * endpoints, as Docker's overlay driver programs them) instead of flooding them over the underlay.
   */
  public synchronized void createVxlan(String name, int vni, int port, InetAddress local, boolean learning,
      boolean proxy, String dev, int mtu) {
    createVxlan(name, vni, port, local, learning, proxy, true, dev, mtu);
  }

  /**
   * {@link #createVxlan(String, int, int, InetAddress, boolean, boolean, String, int)} choosing the outer UDP
   * checksum over IPv4: {@code udpChecksum} false sends zero, as RFC 7348 recommends for VXLAN (and Docker's overlay
   * does); a NIC that segments UDP tunnels but cannot also fill in their outer checksum then still segments
   * VXLAN traffic in hardware. True is the kernel's default.
   */
  public synchronized void createVxlan(String name, int vni, int port, InetAddress local, boolean learning,
      boolean proxy, boolean udpChecksum, String dev, int mtu) {
    int devIndex = dev == null ? 0 : linkIndex(dev);
    NlMessage m = newLink(name, mtu, false);
    m.beginNested(IFLA_LINKINFO).attrString(IFLA_INFO_KIND, "vxlan").beginNested(IFLA_INFO_DATA);
    m.attrU32(IFLA_VXLAN_ID, vni);
    if (local != null) {
      m.attr(local instanceof Inet4Address ? IFLA_VXLAN_LOCAL : 17 /* IFLA_VXLAN_LOCAL6 */, local.getAddress());
    }
    if (devIndex > 0) {
      m.attrU32(IFLA_VXLAN_LINK, devIndex);
    }
    m.attrU8(IFLA_VXLAN_LEARNING, learning ? 1 : 0);
    if (proxy) {
      m.attrU8(IFLA_VXLAN_PROXY, 1);
    }
    m.attrBe16(IFLA_VXLAN_PORT, port);
    m.attrU8(IFLA_VXLAN_UDP_CSUM, udpChecksum ? 1 : 0);
    m.endNested().endNested();
    socket.request(m, "RTM_NEWLINK", "vxlan " + name + " id " + vni);
  }

  /**
   * Creates a macvlan device {@code name} in bridge mode on the link {@code lower} of this namespace, with MAC
   * {@code mac} (null: a random one). With {@code netnsFd} >= 0 it is created directly in that network namespace
   * (an fd from {@link NetNs#openFd}) while its lower device stays here, so it can take a name such as
   * {@code eth1} that exists here; with {@code up} it comes up in the same request. Slaves in bridge mode reach
   * each other directly; everything else goes straight to the lower device's transmit, and frames the lower
   * device receives for a slave's MAC go to that slave in the same pass, without a queue in between (a veth
   * pair plus a bridge takes two such queue passes each way).
   */
  public synchronized void createMacvlan(String name, String lower, String mac, int mtu, int netnsFd, boolean up) {
    int lowerIndex = linkIndex(lower);
    NlMessage m = newLink(name, mtu, up);
    if (mac != null) {
      m.attr(IFLA_ADDRESS, macBytes(mac));
    }
    m.attrU32(IFLA_LINK, lowerIndex);
    if (netnsFd >= 0) {
      m.attrU32(IFLA_NET_NS_FD, netnsFd);
    }
    m.beginNested(IFLA_LINKINFO).attrString(IFLA_INFO_KIND, "macvlan").beginNested(IFLA_INFO_DATA);
    m.attrU32(IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE);
    m.endNested().endNested();
    socket.request(m, "RTM_NEWLINK", "macvlan " + name + " on " + lower);
  }

  /** Deletes a link (for a veth, both ends go). ENODEV if there is none. */
  public synchronized void deleteLink(String name) {
    NlMessage m = new NlMessage(RTM_DELLINK, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK);
    ifinfo(m, 0, 0, 0);
    m.attrString(IFLA_IFNAME, name);
    socket.request(m, "RTM_DELLINK", name);
  }

  /** Deletes a link if it exists; returns whether it did. */
  public synchronized boolean deleteLinkIfExists(String name) {
    try {
      deleteLink(name);
      return true;
    } catch (LinuxException e) {
      if (e.errno() == Errno.ENODEV || e.errno() == Errno.ENOENT) {
        return false;
      }
      throw e;
    }
  }

  /** Plugs {@code name} into bridge {@code master}; null master unplugs it. */
  public synchronized void setMaster(String name, String master) {
    int masterIndex = master == null ? 0 : linkIndex(master);
    change(name, "master " + master, m -> m.attrU32(IFLA_MASTER, masterIndex));
  }

  /** Moves {@code name} into the network namespace of {@code netnsFd} (its name and addresses stay with it). */
  public synchronized void setNetns(String name, int netnsFd) {
    change(name, "netns fd " + netnsFd, m -> m.attrU32(IFLA_NET_NS_FD, netnsFd));
  }

  /** Moves {@code name} into the network namespace named by the file {@code netns}. */
  public synchronized void setNetns(String name, Path netns) {
    int fd = NetNs.openFd(netns);
    try {
      setNetns(name, fd);
    } finally {
      NetNs.close(fd);
    }
  }

  /** Sets the hardware address of {@code name} ({@code 02:42:0a:00:01:03} form). */
  public synchronized void setMac(String name, String mac) {
    byte[] b = macBytes(mac);
    change(name, "address " + mac, m -> m.attr(IFLA_ADDRESS, b));
  }

  public synchronized void setMtu(String name, int mtu) {
    change(name, "mtu " + mtu, m -> m.attrU32(IFLA_MTU, mtu));
  }

  /** Renames a link (the kernel refuses with EBUSY while it is up). */
  public synchronized void rename(String name, String newName) {
    int index = linkIndex(name);
    NlMessage m = new NlMessage(RTM_NEWLINK, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK);
    ifinfo(m, index, 0, 0);
    m.attrString(IFLA_IFNAME, newName);
    socket.request(m, "RTM_NEWLINK", "rename " + name + " to " + newName);
  }

  public synchronized void setAlias(String name, String alias) {
    change(name, "alias", m -> m.attrString(IFLA_IFALIAS, alias));
  }

  public synchronized void setUp(String name, boolean up) {
    int index = linkIndex(name);
    NlMessage m = new NlMessage(RTM_NEWLINK, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK);
    ifinfo(m, index, up ? IFF_UP : 0, IFF_UP);
    socket.request(m, "RTM_NEWLINK", name + (up ? " up" : " down"));
  }

  /** The ifindex of {@code name}; LinuxException ENODEV when there is no such link. */
  public synchronized int linkIndex(String name) {
    return getLink(name).index();
  }

  public synchronized Optional<Link> link(String name) {
    try {
      return Optional.of(getLink(name));
    } catch (LinuxException e) {
      if (e.errno() == Errno.ENODEV) {
        return Optional.empty();
      }
      throw e;
    }
  }

  public synchronized List<Link> links() {
    NlMessage m = new NlMessage(RTM_GETLINK, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_DUMP);
    ifinfo(m, 0, 0, 0);
    List<Link> out = new ArrayList<>();
    for (ByteBuffer b : socket.dump(m, "RTM_GETLINK")) {
      if (Short.toUnsignedInt(b.getShort(4)) == RTM_NEWLINK) {
        out.add(Link.parse(b));
      }
    }
    return out;
  }

  private Link getLink(String name) {
    NlMessage m = new NlMessage(RTM_GETLINK, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK);
    ifinfo(m, 0, 0, 0);
    m.attrString(IFLA_IFNAME, name);
    for (ByteBuffer b : socket.exchangeAnswers(m, "RTM_GETLINK", name)) {
      if (Short.toUnsignedInt(b.getShort(4)) == RTM_NEWLINK) {
        return Link.parse(b);
      }
    }
    throw new LinuxException("netlink RTM_GETLINK", name, Errno.ENODEV);
  }

  /** An RTM_NEWLINK request that creates {@code name} (EEXIST if it exists), up or down, of {@code mtu} (0: default). */
  private static NlMessage newLink(String name, int mtu, boolean up) {
    NlMessage m = new NlMessage(RTM_NEWLINK, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK
        | NLM_F_CREATE | NLM_F_EXCL);
    ifinfo(m, 0, up ? IFF_UP : 0, up ? IFF_UP : 0);
    m.attrString(IFLA_IFNAME, name);
    if (mtu > 0) {
      m.attrU32(IFLA_MTU, mtu);
    }
    return m;
  }

  private void change(String name, String what, java.util.function.Consumer<NlMessage> attrs) {
    int index = linkIndex(name);
    NlMessage m = new NlMessage(RTM_NEWLINK, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK);
    ifinfo(m, index, 0, 0);
    attrs.accept(m);
    socket.request(m, "RTM_NEWLINK", name + " " + what);
  }

  private static void ifinfo(NlMessage m, int index, int flags, int change) {
    m.u8(AF_UNSPEC).u8(0).u16(0).u32(index).u32(flags).u32(change);
  }

  // ---------------------------------------------------------------- addresses

  /** Adds {@code address/prefixLength} to {@code dev}; EEXIST when it is there already. */
  public synchronized void addAddress(String dev, InetAddress address, int prefixLength) {
    socket.request(addrMessage(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, dev, address, prefixLength),
        "RTM_NEWADDR", address.getHostAddress() + "/" + prefixLength + " on " + dev);
  }

  public synchronized void deleteAddress(String dev, InetAddress address, int prefixLength) {
    socket.request(addrMessage(RTM_DELADDR, 0, dev, address, prefixLength),
        "RTM_DELADDR", address.getHostAddress() + "/" + prefixLength + " on " + dev);
  }

  private NlMessage addrMessage(int type, int flags, String dev, InetAddress address, int prefixLength) {
    int index = linkIndex(dev);
    NlMessage m = new NlMessage(type, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK | flags);
    m.u8(family(address)).u8(prefixLength).u8(0).u8(0).u32(index);
    m.attr(IFA_LOCAL, address.getAddress());
    m.attr(IFA_ADDRESS, address.getAddress());
    return m;
  }

  /** All addresses (IPv4 and IPv6) in this namespace. */
  public synchronized List<Address> addresses() {
    NlMessage m = new NlMessage(RTM_GETADDR, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_DUMP);
    m.u8(AF_UNSPEC).u8(0).u8(0).u8(0).u32(0);
    List<Address> out = new ArrayList<>();
    for (ByteBuffer b : socket.dump(m, "RTM_GETADDR")) {
      if (Short.toUnsignedInt(b.getShort(4)) != RTM_NEWADDR) {
        continue;
      }
      Address address = Address.parse(b);
      if (address != null) {
        out.add(address);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- routes

  /**
   * Adds a route to {@code dst/dstLength} (null dst: the default route) via {@code gateway} (may be null for a
   * directly connected prefix) out of {@code dev} (may be null when a gateway is given) in the main table.
   * EEXIST when the route is there; {@code replace} overwrites it instead.
   */
  public synchronized void addRoute(InetAddress dst, int dstLength, InetAddress gateway, String dev, boolean replace) {
    int flags = NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL);
    socket.request(routeMessage(RTM_NEWROUTE, flags, dst, dstLength, gateway, dev), "RTM_NEWROUTE",
        routeText(dst, dstLength, gateway, dev));
  }

  public synchronized void addDefaultRoute(InetAddress gateway, String dev) {
    addRoute(null, 0, gateway, dev, false);
  }

  public synchronized void deleteRoute(InetAddress dst, int dstLength, InetAddress gateway, String dev) {
    socket.request(routeMessage(RTM_DELROUTE, 0, dst, dstLength, gateway, dev), "RTM_DELROUTE",
        routeText(dst, dstLength, gateway, dev));
  }

  private NlMessage routeMessage(int type, int flags, InetAddress dst, int dstLength, InetAddress gateway, String dev) {
    InetAddress any = dst != null ? dst : gateway;
    int family = any == null ? AF_INET : family(any);
    int scope = gateway == null && type == RTM_NEWROUTE ? Route.SCOPE_LINK : Route.SCOPE_UNIVERSE;
    NlMessage m = new NlMessage(type, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK | flags);
    m.u8(family).u8(dst == null ? 0 : dstLength).u8(0).u8(0)
        .u8(Route.TABLE_MAIN).u8(type == RTM_NEWROUTE ? RTPROT_STATIC : 0)
        .u8(type == RTM_NEWROUTE ? scope : 255 /* RT_SCOPE_NOWHERE: any scope */).u8(type == RTM_NEWROUTE ? RTN_UNICAST : 0)
        .u32(0);
    if (dst != null) {
      m.attr(RTA_DST, dst.getAddress());
    }
    if (gateway != null) {
      m.attr(RTA_GATEWAY, gateway.getAddress());
    }
    if (dev != null) {
      m.attrU32(RTA_OIF, linkIndex(dev));
    }
    return m;
  }

  private static String routeText(InetAddress dst, int dstLength, InetAddress gateway, String dev) {
    return (dst == null ? "default" : dst.getHostAddress() + "/" + dstLength)
        + (gateway == null ? "" : " via " + gateway.getHostAddress()) + (dev == null ? "" : " dev " + dev);
  }

  /** The IPv4 routes of every table. */
  public synchronized List<Route> routes() {
    NlMessage m = new NlMessage(RTM_GETROUTE, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_DUMP);
    m.u8(AF_INET).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0);
    List<Route> out = new ArrayList<>();
    for (ByteBuffer b : socket.dump(m, "RTM_GETROUTE")) {
      if (Short.toUnsignedInt(b.getShort(4)) != RTM_NEWROUTE) {
        continue;
      }
      out.add(Route.parse(b));
    }
    return out;
  }

  // ---------------------------------------------------------------- neighbours and FDB

  /** Adds (or with {@code replace} overwrites) a permanent neighbour entry {@code ip -> mac} on {@code dev}. */
  public synchronized void addNeighbour(String dev, InetAddress ip, String mac, boolean replace) {
    int flags = NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL);
    NlMessage m = neighMessage(RTM_NEWNEIGH, flags, family(ip), dev, Neighbour.NUD_PERMANENT, 0);
    m.attr(NDA_DST, ip.getAddress());
    m.attr(NDA_LLADDR, macBytes(mac));
    socket.request(m, "RTM_NEWNEIGH", ip.getHostAddress() + " lladdr " + mac + " dev " + dev);
  }

  public synchronized void deleteNeighbour(String dev, InetAddress ip) {
    NlMessage m = neighMessage(RTM_DELNEIGH, 0, family(ip), dev, 0, 0);
    m.attr(NDA_DST, ip.getAddress());
    socket.request(m, "RTM_DELNEIGH", ip.getHostAddress() + " dev " + dev);
  }

  /**
   * Adds (or replaces) a permanent FDB entry on {@code dev} itself (NTF_SELF): {@code mac} is reached through
   * {@code dst} (for a vxlan device, the remote VTEP; may be null for a plain entry).
   */
  public synchronized void addFdb(String dev, String mac, InetAddress dst, boolean replace) {
    addFdb(dev, mac, dst, replace, false);
  }

  /**
   * Like {@link #addFdb(String, String, InetAddress, boolean)}; with {@code onMaster} the entry goes into the
   * forwarding database of the bridge {@code dev} is plugged into (NTF_MASTER, {@code bridge fdb add ... master
   * static}) instead of the device's own.
   */
  public synchronized void addFdb(String dev, String mac, InetAddress dst, boolean replace, boolean onMaster) {
    int flags = NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL);
    NlMessage m = neighMessage(RTM_NEWNEIGH, flags, AF_BRIDGE, dev, Neighbour.NUD_PERMANENT,
        onMaster ? Neighbour.NTF_MASTER : Neighbour.NTF_SELF);
    m.attr(NDA_LLADDR, macBytes(mac));
    if (dst != null) {
      m.attr(NDA_DST, dst.getAddress());
    }
    socket.request(m, "RTM_NEWNEIGH", "fdb " + mac + (dst == null ? "" : " dst " + dst.getHostAddress()) + " dev " + dev);
  }

  public synchronized void deleteFdb(String dev, String mac, InetAddress dst) {
    deleteFdb(dev, mac, dst, false);
  }

  public synchronized void deleteFdb(String dev, String mac, InetAddress dst, boolean onMaster) {
    NlMessage m = neighMessage(RTM_DELNEIGH, 0, AF_BRIDGE, dev, 0, onMaster ? Neighbour.NTF_MASTER : Neighbour.NTF_SELF);
    m.attr(NDA_LLADDR, macBytes(mac));
    if (dst != null) {
      m.attr(NDA_DST, dst.getAddress());
    }
    socket.request(m, "RTM_DELNEIGH", "fdb " + mac + " dev " + dev);
  }

  private NlMessage neighMessage(int type, int flags, int family, String dev, int state, int ntf) {
    int index = linkIndex(dev);
    NlMessage m = new NlMessage(type, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK | flags);
    m.u8(family).u8(0).u16(0).u32(index).u16(state).u8(ntf).u8(0);
    return m;
  }

  /** The IPv4 neighbour (ARP) entries. */
  public synchronized List<Neighbour> neighbours() {
    return neighDump(AF_INET);
  }

  /** The bridge forwarding database (of bridges and of vxlan devices). */
  public synchronized List<Neighbour> fdb() {
    return neighDump(AF_BRIDGE);
  }

  private List<Neighbour> neighDump(int family) {
    NlMessage m = new NlMessage(RTM_GETNEIGH, NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_DUMP);
    m.u8(family).u8(0).u16(0).u32(0).u16(0).u8(0).u8(0);
    List<Neighbour> out = new ArrayList<>();
    for (ByteBuffer b : socket.dump(m, "RTM_GETNEIGH")) {
      if (Short.toUnsignedInt(b.getShort(4)) != RTM_NEWNEIGH) {
        continue;
      }
      out.add(Neighbour.parse(b));
    }
    return out;
  }

  // ---------------------------------------------------------------- helpers

  private static int family(InetAddress a) {
    return a instanceof Inet4Address ? AF_INET : AF_INET6;
  }

  static String mac(byte[] b) {
    return HexFormat.ofDelimiter(":").formatHex(b);
  }

  static byte[] macBytes(String mac) {
    try {
      byte[] b = HexFormat.ofDelimiter(":").parseHex(mac.toLowerCase());
      if (b.length != 6) {
        throw new IllegalArgumentException();
      }
      return b;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("MAC address '" + mac + "' is not six hex bytes separated by ':'");
    }
  }

  /** The socket, for the traffic-control requests {@link TrafficControl} sends on this client's namespace. */
  NetlinkSocket socket() {
    return socket;
  }

  @Override
  public synchronized void close() {
    socket.close();
  }
}
