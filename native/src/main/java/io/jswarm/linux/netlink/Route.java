package io.jswarm.linux.netlink;

import java.net.InetAddress;

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
}
