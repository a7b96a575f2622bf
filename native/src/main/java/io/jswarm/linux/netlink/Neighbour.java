package io.jswarm.linux.netlink;

import static io.jswarm.linux.netlink.Rtm.AF_BRIDGE;
import static io.jswarm.linux.netlink.Rtm.NDA_DST;
import static io.jswarm.linux.netlink.Rtm.NDA_LLADDR;
import static io.jswarm.linux.netlink.Rtm.NDA_MASTER;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * A neighbour (ARP) entry or, with {@code bridge} set, a bridge forwarding-database entry. For FDB entries of a
 * vxlan device {@code dst} is the remote VTEP address. {@code state} is the NUD_* bit set, {@code flags} the
 * NTF_* bits.
 */
public record Neighbour(boolean bridge, int index, InetAddress dst, String mac, int state, int flags, int master) {
  public static final int NUD_REACHABLE = 0x02;
  public static final int NUD_NOARP = 0x40;
  public static final int NUD_PERMANENT = 0x80;
  public static final int NTF_SELF = 0x02;
  public static final int NTF_MASTER = 0x04;

  public boolean permanent() {
    return (state & NUD_PERMANENT) != 0;
  }

  /** Reads an RTM_NEWNEIGH message at the buffer's start (struct ndmsg at 16, attributes from 28). */
  static Neighbour parse(ByteBuffer b) {
    int family = Byte.toUnsignedInt(b.get(16));
    int index = b.getInt(20);
    int state = Short.toUnsignedInt(b.getShort(24));
    int ntf = Byte.toUnsignedInt(b.get(26));
    NlAttrs a = NlAttrs.parse(b, 28, b.getInt(0));
    byte[] ll = a.bytes(NDA_LLADDR);
    return new Neighbour(family == AF_BRIDGE, index, a.inet(NDA_DST), ll == null ? null : Rtnetlink.mac(ll), state,
        ntf, a.u32(NDA_MASTER, 0));
  }
}
