package io.jswarm.linux.netlink;

import java.net.InetAddress;

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
}
