package io.jswarm.cli.client;

import io.jswarm.api.types.PortConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Docker's {@code -p/--publish} syntax for services. Short: {@code [published:]target[/protocol]} with optional
 * equal-length ranges ({@code 8080-8081:80-81}); published ports go through the routing mesh (ingress).
 * Long: {@code published=8080,target=80,protocol=tcp,mode=host}.
 */
public final class PortSpecs {
  private static final Pattern LONG = Pattern.compile("\\w+=\\w+(,\\w+=\\w+)*");

  private PortSpecs() {}

  /**
   * Parses one {@code --publish} value.
   *
   * @throws IllegalArgumentException naming the bad part and what is allowed
   */
  public static List<PortConfig> parse(String value) {
    return LONG.matcher(value).find() ? List.of(parseLong(value)) : parseShort(value);
  }

  private static PortConfig parseLong(String value) {
    PortConfig p = new PortConfig();
    p.protocol = "tcp";
    p.publishMode = "ingress";
    for (String field : value.split(",")) {
      int eq = field.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("invalid field \"" + field + "\" in \"" + value + "\": want key=value");
      }
      String key = field.substring(0, eq).toLowerCase(Locale.ROOT);
      String val = field.substring(eq + 1).toLowerCase(Locale.ROOT);
      switch (key) {
        case "protocol" -> p.protocol = protocol(val);
        case "mode" -> {
          if (!val.equals("ingress") && !val.equals("host")) {
            throw new IllegalArgumentException("invalid publish mode \"" + val + "\": must be either 'ingress' or 'host'");
          }
          p.publishMode = val;
        }
        case "target" -> p.targetPort = port("target", val);
        case "published" -> p.publishedPort = port("published", val);
        default -> throw new IllegalArgumentException("invalid field key \"" + key
            + "\": allowed are published, target, protocol and mode");
      }
    }
    if (p.targetPort == null || p.targetPort == 0) {
      throw new IllegalArgumentException("missing mandatory field 'target' in \"" + value + "\"");
    }
    return p;
  }

  private static List<PortConfig> parseShort(String value) {
    String proto = "tcp";
    String ports = value;
    int slash = value.lastIndexOf('/');
    if (slash >= 0) {
      proto = protocol(value.substring(slash + 1).toLowerCase(Locale.ROOT));
      ports = value.substring(0, slash);
    }
    String[] parts = ports.split(":", -1);
    if (parts.length > 2) {
      throw new IllegalArgumentException("invalid port \"" + value
          + "\": a host IP is not supported; want [published:]target[/protocol], such as 8080:80");
    }
    long[] target = range("target", parts[parts.length - 1], value);
    long[] published = parts.length == 2 && !parts[0].isEmpty() ? range("published", parts[0], value) : null;
    long count = target[1] - target[0] + 1;
    if (published != null && published[1] - published[0] + 1 != count) {
      throw new IllegalArgumentException("invalid port \"" + value + "\": published and target ranges differ in length");
    }
    List<PortConfig> out = new ArrayList<>();
    for (long i = 0; i < count; i++) {
      PortConfig p = new PortConfig();
      p.protocol = proto;
      p.targetPort = target[0] + i;
      p.publishedPort = published == null ? null : published[0] + i;
      p.publishMode = "ingress";
      out.add(p);
    }
    return out;
  }

  private static long[] range(String what, String s, String value) {
    int dash = s.indexOf('-');
    try {
      if (dash < 0) {
        long p = port(what, s);
        return new long[] {p, p};
      }
      long lo = port(what, s.substring(0, dash));
      long hi = port(what, s.substring(dash + 1));
      if (hi < lo) {
        throw new IllegalArgumentException("invalid " + what + " port range \"" + s + "\": end before start");
      }
      return new long[] {lo, hi};
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " (in \"" + value + "\")");
    }
  }

  private static long port(String what, String s) {
    try {
      long p = Long.parseLong(s);
      if (p >= 0 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("invalid " + what + " port \"" + s + "\": want an integer from 0 to 65535");
  }

  private static String protocol(String p) {
    if (p.equals("tcp") || p.equals("udp") || p.equals("sctp")) {
      return p;
    }
    throw new IllegalArgumentException("invalid protocol \"" + p + "\": allowed are tcp, udp and sctp");
  }
}
