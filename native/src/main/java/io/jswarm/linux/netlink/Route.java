package io.jswarm.linux.netlink;

import static io.jswarm.linux.netlink.Rtm.RTA_DST;
import static io.jswarm.linux.netlink.Rtm.RTA_GATEWAY;
import static io.jswarm.linux.netlink.Rtm.RTA_OIF;
import static io.jswarm.linux.netlink.Rtm.RTA_TABLE;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * A route: destination {@code dst/dstLength} ({@code dst} null and length 0: the default route), an optional
 * {@code gateway}, the output interface {@code oif} (ifindex, 0: none), the routing {@code table} (254 = main)
 * and {@code scope} (0 universe, 253 link, 254 host). Also used to describe routes to add or delete.
 */
public record Route(InetAddress dst, int dstLength, InetAddress gateway, int oif, int table, int scope) {
  public static final int TABLE_MAIN = 254;
  public static final int SCOPE_UNIVERSE = 0;
  public static final int SCOPE_LINK = 253;

  public boolean isDefault() {
    return dstLength == 0;
  }

  /** Reads an RTM_NEWROUTE message at the buffer's start (struct rtmsg at 16, attributes from 28). */
  static Route parse(ByteBuffer b) {
    int dstLen = Byte.toUnsignedInt(b.get(17));
    int table = Byte.toUnsignedInt(b.get(20));
    int scope = Byte.toUnsignedInt(b.get(22));
    NlAttrs a = NlAttrs.parse(b, 28, b.getInt(0));
    return new Route(a.inet(RTA_DST), dstLen, a.inet(RTA_GATEWAY), a.u32(RTA_OIF, 0), a.u32(RTA_TABLE, table),
        scope);
  }
}
