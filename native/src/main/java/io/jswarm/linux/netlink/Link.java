package io.jswarm.linux.netlink;

/**
 * A network interface as a link dump reports it. {@code kind} is the IFLA_INFO_KIND ("veth", "bridge",
 * "vxlan", ...; null for plain devices such as loopback); {@code master} is the ifindex of the bridge it is
 * plugged into (0: none); {@code up} is IFF_UP; {@code vxlanId} is the VNI for vxlan links (else -1).
 */
public record Link(int index, String name, String kind, int mtu, boolean up, int master, String mac, String alias,
    int vxlanId) {}
