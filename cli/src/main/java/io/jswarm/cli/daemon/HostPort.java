package io.jswarm.cli.daemon;

import io.jswarm.api.errors.InvalidArgumentException;

/** {@code host:port} strings as Docker's swarm flags take them ({@code --advertise-addr}, {@code --listen-addr}). */
public record HostPort(String host, int port) {
  /**
   * Parses {@code host}, {@code host:port}, {@code :port} or {@code [v6]:port}; a missing part takes the default.
   *
   * @param field the flag or field name, for the error message
   */
  public static HostPort parse(String field, String value, String defaultHost, int defaultPort) {
    if (value == null || value.isBlank()) {
      return new HostPort(defaultHost, defaultPort);
    }
    String v = value.trim();
    String host = v;
    String port = null;
    if (v.startsWith("[")) {
      int end = v.indexOf(']');
      if (end < 0) {
        throw new InvalidArgumentException(field + ": \"" + value + "\" has no closing ]");
      }
      host = v.substring(1, end);
      if (end + 1 < v.length()) {
        if (v.charAt(end + 1) != ':') {
          throw new InvalidArgumentException(field + ": expected [ADDR]:PORT, got \"" + value + "\"");
        }
        port = v.substring(end + 2);
      }
    } else if (v.indexOf(':') >= 0 && v.indexOf(':') == v.lastIndexOf(':')) {
      host = v.substring(0, v.indexOf(':'));
      port = v.substring(v.indexOf(':') + 1);
    }
    int p = defaultPort;
    if (port != null) {
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        p = -1;
      }
      if (p < 1 || p > 65535) {
        throw new InvalidArgumentException(field + ": port must be 1-65535, got \"" + port + "\" in \"" + value + "\"");
      }
    }
    return new HostPort(host.isEmpty() ? defaultHost : host, p);
  }

  public static String join(String host, int port) {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  @Override
  public String toString() {
    return join(host, port);
  }
}
