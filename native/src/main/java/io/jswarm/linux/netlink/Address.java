package io.jswarm.linux.netlink;

import static io.jswarm.linux.netlink.Rtm.IFA_ADDRESS;
import static io.jswarm.linux.netlink.Rtm.IFA_LOCAL;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** An address on an interface ({@code ip addr}): {@code address/prefixLength} on ifindex {@code index}. */
public record Address(int index, InetAddress address, int prefixLength) {
  public String cidr() {
    return address.getHostAddress() + "/" + prefixLength;
  }

  /**
   * Reads an RTM_NEWADDR message at the buffer's start (struct ifaddrmsg at 16, attributes from 24); null when it
   * carries no address.
   */
  static Address parse(ByteBuffer b) {
    int prefix = Byte.toUnsignedInt(b.get(17));
    int index = b.getInt(20);
    NlAttrs a = NlAttrs.parse(b, 24, b.getInt(0));
    InetAddress addr = a.has(IFA_LOCAL) ? a.inet(IFA_LOCAL) : a.inet(IFA_ADDRESS);
    return addr == null ? null : new Address(index, addr, prefix);
  }
}
