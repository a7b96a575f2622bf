package io.jswarm.linux.netlink;

/**
 * The rtnetlink numbers {@link Rtnetlink} and {@link TrafficControl} speak, as the kernel's uapi headers name them
 * ({@code linux/rtnetlink.h}, {@code linux/netlink.h}, {@code linux/if_link.h}, {@code linux/if_addr.h},
 * {@code linux/neighbour.h}).
 */
final class Rtm {
  private Rtm() {}

  static final int RTM_NEWLINK = 16;
  static final int RTM_DELLINK = 17;
  static final int RTM_GETLINK = 18;
  static final int RTM_NEWADDR = 20;
  static final int RTM_DELADDR = 21;
  static final int RTM_GETADDR = 22;
  static final int RTM_NEWROUTE = 24;
  static final int RTM_DELROUTE = 25;
  static final int RTM_GETROUTE = 26;
  static final int RTM_NEWNEIGH = 28;
  static final int RTM_DELNEIGH = 29;
  static final int RTM_GETNEIGH = 30;

  static final int NLM_F_REPLACE = 0x100;
  static final int NLM_F_EXCL = 0x200;
  static final int NLM_F_CREATE = 0x400;

  static final int AF_UNSPEC = 0;
  static final int AF_INET = 2;
  static final int AF_BRIDGE = 7;
  static final int AF_INET6 = 10;

  static final int IFF_UP = 1;
  static final int IFLA_ADDRESS = 1;
  static final int IFLA_IFNAME = 3;
  static final int IFLA_MTU = 4;
  static final int IFLA_LINK = 5;
  static final int IFLA_MASTER = 10;
  static final int IFLA_LINKINFO = 18;
  static final int IFLA_IFALIAS = 20;
  static final int IFLA_NET_NS_FD = 28;
  static final int IFLA_INFO_KIND = 1;
  static final int IFLA_INFO_DATA = 2;
  static final int VETH_INFO_PEER = 1;
  static final int IFLA_VXLAN_ID = 1;
  static final int IFLA_VXLAN_LINK = 3;
  static final int IFLA_VXLAN_LOCAL = 4;
  static final int IFLA_VXLAN_LEARNING = 7;
  static final int IFLA_VXLAN_PROXY = 11;
  static final int IFLA_VXLAN_PORT = 15;
  static final int IFLA_VXLAN_UDP_CSUM = 18;
  static final int IFLA_MACVLAN_MODE = 1;
  static final int MACVLAN_MODE_BRIDGE = 4;

  static final int IFA_ADDRESS = 1;
  static final int IFA_LOCAL = 2;

  static final int RTA_DST = 1;
  static final int RTA_OIF = 4;
  static final int RTA_GATEWAY = 5;
  static final int RTA_TABLE = 15;
  static final int RTPROT_STATIC = 4;
  static final int RTN_UNICAST = 1;

  static final int NDA_DST = 1;
  static final int NDA_LLADDR = 2;
  static final int NDA_MASTER = 9;
}
