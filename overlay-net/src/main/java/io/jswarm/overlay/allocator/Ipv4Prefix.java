package io.jswarm.overlay.allocator;

import io.jswarm.api.errors.InvalidArgumentException;

/**
 * An IPv4 prefix such as {@code 10.0.5.0/24}: its first address (host bits zero) and its length. Addresses are
 * unsigned 32-bit values kept in a {@code long}.
 */
public record Ipv4Prefix(long base, int bits) {
  public Ipv4Prefix {
    if (bits < 0 || bits > 32) {
      throw new IllegalArgumentException("prefix length " + bits + " is not in 0..32");
    }
    if ((base & ~mask(bits) & 0xFFFFFFFFL) != 0) {
      throw new IllegalArgumentException(format(base) + "/" + bits + " has host bits set");
    }
  }

  /**
   * Parses {@code cidr}; {@code field} names the setting in errors.
   *
   * @throws InvalidArgumentException not {@code a.b.c.d/n}, or host bits set ({@code 10.0.5.1/24})
   */
  public static Ipv4Prefix parse(String field, String cidr) {
    if (cidr == null || cidr.isBlank()) {
      throw new InvalidArgumentException(field + ": an IPv4 subnet in CIDR form is required, e.g. 10.0.9.0/24");
    }
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new InvalidArgumentException(field + ": invalid CIDR address \"" + cidr
          + "\": give an IPv4 subnet with its length, e.g. 10.0.9.0/24");
    }
    long addr = parseAddress(field, cidr.substring(0, slash));
    int bits;
    try {
      bits = Integer.parseInt(cidr.substring(slash + 1));
    } catch (NumberFormatException e) {
      bits = -1;
    }
    if (bits < 0 || bits > 32) {
      throw new InvalidArgumentException(field + ": invalid CIDR address \"" + cidr
          + "\": the prefix length must be 0..32");
    }
    if ((addr & ~mask(bits) & 0xFFFFFFFFL) != 0) {
      throw new InvalidArgumentException(field + ": \"" + cidr + "\" has host bits set; did you mean "
          + format(addr & mask(bits)) + "/" + bits + "?");
    }
    return new Ipv4Prefix(addr, bits);
  }

  /** Parses a dotted quad; {@code field} names the setting in errors. */
  public static long parseAddress(String field, String s) {
    String[] parts = s == null ? new String[0] : s.trim().split("\\.", -1);
    if (parts.length != 4) {
      throw new InvalidArgumentException(field + ": \"" + s + "\" is not an IPv4 address (a.b.c.d)");
    }
    long v = 0;
    for (String p : parts) {
      int octet;
      try {
        octet = p.isEmpty() || p.length() > 3 ? -1 : Integer.parseInt(p);
      } catch (NumberFormatException e) {
        octet = -1;
      }
      if (octet < 0 || octet > 255) {
        throw new InvalidArgumentException(field + ": \"" + s + "\" is not an IPv4 address (a.b.c.d)");
      }
      v = (v << 8) | octet;
    }
    return v;
  }

  /** Dotted-quad form of {@code addr}. */
  public static String format(long addr) {
    return ((addr >> 24) & 255) + "." + ((addr >> 16) & 255) + "." + ((addr >> 8) & 255) + "." + (addr & 255);
  }

  static long mask(int bits) {
    return bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
  }

  /** Number of addresses, network and broadcast included. */
  public long size() {
    return 1L << (32 - bits);
  }

  /** The last address (broadcast). */
  public long last() {
    return base + size() - 1;
  }

  public boolean contains(long addr) {
    return addr >= base && addr <= last();
  }

  public boolean overlaps(Ipv4Prefix o) {
    return base <= o.last() && o.base <= last();
  }

  /** {@code addr} with this prefix's length, e.g. {@code 10.0.5.7/24}. */
  public String cidrOf(long addr) {
    return format(addr) + "/" + bits;
  }

  @Override
  public String toString() {
    return format(base) + "/" + bits;
  }
}
