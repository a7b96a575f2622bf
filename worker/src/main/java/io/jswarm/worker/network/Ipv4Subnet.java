package io.jswarm.worker.network;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 network in CIDR form; addresses as unsigned ints. */
record Ipv4Subnet(int network, int prefixLength) {
  static Ipv4Subnet parse(String cidr) {
    String bad = "subnet '" + cidr + "' must be an IPv4 CIDR such as 172.18.0.0/16 with a prefix length of 8-30";
    if (cidr == null) {
      throw new IllegalArgumentException(bad);
    }
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException(bad);
    }
    int len;
    try {
      len = Integer.parseInt(cidr.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(bad);
    }
    if (len < 8 || len > 30 || !cidr.substring(0, slash).matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      throw new IllegalArgumentException(bad);
    }
    int addr = toInt(cidr.substring(0, slash));
    int mask = (int) (0xffffffffL << (32 - len));
    return new Ipv4Subnet(addr & mask, len);
  }

  int size() {
    return 1 << (32 - prefixLength);
  }

  int gateway() {
    return network + 1;
  }

  int broadcast() {
    return network + size() - 1;
  }

  boolean contains(int addr) {
    int mask = (int) (0xffffffffL << (32 - prefixLength));
    return (addr & mask) == network;
  }

  static int toInt(String dotted) {
    String[] p = dotted.split("\\.");
    if (p.length != 4) {
      throw new IllegalArgumentException("'" + dotted + "' is not an IPv4 address");
    }
    int v = 0;
    for (String s : p) {
      int b = Integer.parseInt(s);
      if (b < 0 || b > 255) {
        throw new IllegalArgumentException("'" + dotted + "' is not an IPv4 address");
      }
      v = (v << 8) | b;
    }
    return v;
  }

  static String toString(int addr) {
    return ((addr >>> 24) & 255) + "." + ((addr >>> 16) & 255) + "." + ((addr >>> 8) & 255) + "." + (addr & 255);
  }

  static InetAddress inet(int addr) {
    try {
      return Inet4Address.getByAddress(new byte[] {(byte) (addr >>> 24), (byte) (addr >>> 16), (byte) (addr >>> 8), (byte) addr});
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public String toString() {
    return toString(network) + "/" + prefixLength;
  }
}
