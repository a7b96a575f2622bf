package io.jswarm.linux.netlink;

import java.net.InetAddress;

/** An address on an interface ({@code ip addr}): {@code address/prefixLength} on ifindex {@code index}. */
public record Address(int index, InetAddress address, int prefixLength) {
  public String cidr() {
    return address.getHostAddress() + "/" + prefixLength;
  }
}
