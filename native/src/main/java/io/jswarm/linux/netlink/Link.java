package io.jswarm.linux.netlink;

import static io.jswarm.linux.netlink.Rtm.IFF_UP;
import static io.jswarm.linux.netlink.Rtm.IFLA_ADDRESS;
import static io.jswarm.linux.netlink.Rtm.IFLA_IFALIAS;
import static io.jswarm.linux.netlink.Rtm.IFLA_IFNAME;
import static io.jswarm.linux.netlink.Rtm.IFLA_INFO_DATA;
import static io.jswarm.linux.netlink.Rtm.IFLA_INFO_KIND;
import static io.jswarm.linux.netlink.Rtm.IFLA_LINKINFO;
import static io.jswarm.linux.netlink.Rtm.IFLA_MASTER;
import static io.jswarm.linux.netlink.Rtm.IFLA_MTU;
import static io.jswarm.linux.netlink.Rtm.IFLA_VXLAN_ID;

import java.nio.ByteBuffer;

/**
 * A network interface as a link dump reports it. {@code kind} is the IFLA_INFO_KIND ("veth", "bridge",
 * "vxlan", ...; null for plain devices such as loopback); {@code master} is the ifindex of the bridge it is
 * plugged into (0: none); {@code up} is IFF_UP; {@code vxlanId} is the VNI for vxlan links (else -1).
 */
public record Link(int index, String name, String kind, int mtu, boolean up, int master, String mac, String alias,
    int vxlanId) {

  /** Reads an RTM_NEWLINK message at the buffer's start (struct ifinfomsg at 16, attributes from 32). */
  static Link parse(ByteBuffer b) {
    int index = b.getInt(20);
    int flags = b.getInt(24);
    NlAttrs a = NlAttrs.parse(b, 32, b.getInt(0));
    NlAttrs info = a.nested(IFLA_LINKINFO);
    String kind = info.string(IFLA_INFO_KIND);
    int vni = -1;
    if ("vxlan".equals(kind)) {
      vni = info.nested(IFLA_INFO_DATA).u32(IFLA_VXLAN_ID, -1);
    }
    byte[] mac = a.bytes(IFLA_ADDRESS);
    return new Link(index, a.string(IFLA_IFNAME), kind, a.u32(IFLA_MTU, 0), (flags & IFF_UP) != 0,
        a.u32(IFLA_MASTER, 0), mac == null ? null : Rtnetlink.mac(mac), a.string(IFLA_IFALIAS), vni);
  }
}
