package io.jswarm.worker.image;

import io.jswarm.api.errors.InvalidArgumentException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where image pulls and pushes may dial ({@code jswarm daemon --registry-allow}): registry host names, IP addresses
 * and CIDR ranges. Every connection a registry client opens is checked: the registry itself, the redirects of its
 * blob downloads and the token server its challenge names, so an image name with an IP literal (or a registry that
 * redirects) cannot make a node dial an address the operator did not allow. Empty: every address, as before.
 *
 * <p>A host name is allowed when it is listed (exactly, or under a listed {@code *.domain}), or when every address
 * it resolves to lies in a listed range; an IP literal when it lies in a listed range. Names are matched without
 * their port.
 */
public final class RegistryAllowList {
  /** Allows everything: the default. */
  public static final RegistryAllowList ALL = new RegistryAllowList(List.of(), List.of(), List.of());

  private final List<String> entries;
  private final List<String> names;
  private final List<Cidr> ranges;

  private RegistryAllowList(List<String> entries, List<String> names, List<Cidr> ranges) {
    this.entries = entries;
    this.names = names;
    this.ranges = ranges;
  }

  /**
   * Parses {@code host}, {@code *.domain}, {@code 10.0.0.5}, {@code 10.0.0.0/8} or {@code fd00::/8} entries (each
   * may also hold several, comma-separated).
   *
   * @throws InvalidArgumentException an entry that is none of these, naming it
   */
  public static RegistryAllowList parse(List<String> values) {
    List<String> entries = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<Cidr> ranges = new ArrayList<>();
    for (String v : values == null ? List.<String>of() : values) {
      for (String raw : v.split(",")) {
        String e = raw.trim().toLowerCase(Locale.ROOT);
        if (e.isEmpty()) {
          continue;
        }
        entries.add(e);
        Cidr c = Cidr.parse(e);
        if (c != null) {
          ranges.add(c);
        } else if (e.matches("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
          names.add(e);
        } else {
          throw new InvalidArgumentException("--registry-allow: \"" + raw.trim() + "\" is not a host name, "
              + "*.domain, IP address or CIDR range (e.g. registry.example.com, *.example.com, 10.0.0.0/8)");
        }
      }
    }
    return entries.isEmpty() ? ALL : new RegistryAllowList(List.copyOf(entries), List.copyOf(names),
        List.copyOf(ranges));
  }

  public boolean allowsEverything() {
    return entries.isEmpty();
  }

  /** The entries as given (lowercase), for messages and {@code info}. */
  public List<String> entries() {
    return entries;
  }

  /**
   * Refuses a connection to {@code uri}'s host unless it is allowed.
   *
   * @throws RegistryNotAllowedException naming the host and what is allowed
   */
  void check(URI uri, String display) throws RegistryNotAllowedException {
    if (allowsEverything()) {
      return;
    }
    String host = uri.getHost();
    if (host == null || !allows(host)) {
      throw new RegistryNotAllowedException(display + ": " + (host == null ? uri.toString() : host)
          + " is not an allowed registry address (the daemon's --registry-allow is " + String.join(",", entries)
          + "); pull from an allowed registry, or ask the operator to add it");
    }
  }

  /** Whether a connection to {@code host} (a name, or an IP literal; IPv6 in brackets or not) is allowed. */
  boolean allows(String host) {
    if (allowsEverything()) {
      return true;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    byte[] literal = Cidr.literal(h);
    if (literal != null) {
      return inRanges(literal);
    }
    for (String n : names) {
      if (n.equals(h) || (n.startsWith("*.") && h.endsWith(n.substring(1)))) {
        return true;
      }
    }
    if (ranges.isEmpty()) {
      return false;
    }
    try {
      InetAddress[] all = InetAddress.getAllByName(h);
      for (InetAddress a : all) {
        if (!inRanges(a.getAddress())) {
          return false;
        }
      }
      return all.length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private boolean inRanges(byte[] addr) {
    for (Cidr c : ranges) {
      if (c.contains(addr)) {
        return true;
      }
    }
    return false;
  }

  /** An address range: the first {@code bits} bits of {@code prefix}. */
  private record Cidr(byte[] prefix, int bits) {
    /** The range of {@code s} (an address or address/bits), or null when it is not one. */
    static Cidr parse(String s) {
      int slash = s.indexOf('/');
      byte[] addr = literal(slash < 0 ? s : s.substring(0, slash));
      if (addr == null) {
        return null;
      }
      int bits = addr.length * 8;
      if (slash >= 0) {
        try {
          bits = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
          throw new InvalidArgumentException("--registry-allow: \"" + s + "\" has no valid prefix length");
        }
        if (bits < 0 || bits > addr.length * 8) {
          throw new InvalidArgumentException("--registry-allow: \"" + s + "\": the prefix length must be 0-"
              + addr.length * 8);
        }
      }
      return new Cidr(addr, bits);
    }

    /** The bytes of an IPv4 or IPv6 literal, or null for anything else (never a DNS lookup). */
    static byte[] literal(String s) {
      boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
      boolean v6 = s.contains(":") && s.matches("[0-9a-f:.]+");
      if (!v4 && !v6) {
        return null;
      }
      if (v4) {
        for (String part : s.split("\\.")) {
          if (Integer.parseInt(part) > 255) {
            return null;
          }
        }
      }
      try {
        return InetAddress.getByName(s).getAddress(); // a literal: parsed, not resolved
      } catch (UnknownHostException e) {
        return null;
      }
    }

    boolean contains(byte[] addr) {
      if (addr.length != prefix.length) {
        return false;
      }
      for (int i = 0; i < bits; i++) {
        int mask = 0x80 >> (i % 8);
        if ((addr[i / 8] & mask) != (prefix[i / 8] & mask)) {
          return false;
        }
      }
      return true;
    }
  }
}
