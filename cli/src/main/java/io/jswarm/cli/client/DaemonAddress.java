package io.jswarm.cli.client;

import java.nio.file.Path;

/**
 * Where the daemon's API listens: {@code unix:///path} or {@code tcp://host:port}. The client takes {@code -H}, else
 * {@code $JSWARM_HOST}, else {@value #DEFAULT}.
 */
public record DaemonAddress(String uri, Path socket, String host, int port) {
  public static final String DEFAULT = "unix:///run/jswarm/jswarm.sock";
  public static final String ENV = "JSWARM_HOST";

  /**
   * Parses {@code unix:///path} or {@code tcp://host:port}.
   *
   * @throws UsageException naming the value and the allowed forms
   */
  public static DaemonAddress parse(String s) {
    if (s.startsWith("unix://")) {
      String path = s.substring("unix://".length());
      if (!path.startsWith("/")) {
        throw invalid(s);
      }
      return new DaemonAddress(s, Path.of(path), null, 0);
    }
    if (s.startsWith("tcp://")) {
      String hostPort = s.substring("tcp://".length());
      if (hostPort.endsWith("/")) {
        hostPort = hostPort.substring(0, hostPort.length() - 1);
      }
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0 || colon == hostPort.length() - 1) {
        throw invalid(s);
      }
      String host = hostPort.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      try {
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        if (port < 1 || port > 65535) {
          throw invalid(s);
        }
        return new DaemonAddress(s, null, host, port);
      } catch (NumberFormatException e) {
        throw invalid(s);
      }
    }
    throw invalid(s);
  }

  /** The address from {@code -H} (may be null), else {@code env}'s {@value #ENV}, else {@value #DEFAULT}. */
  /** The process's environment, as a class rather than {@code System::getenv} (no lambda: see ServiceListing). */
  public static final java.util.function.Function<String, String> SYSTEM_ENV = new java.util.function.Function<>() {
    @Override
    public String apply(String name) {
      return System.getenv(name);
    }
  };

  public static DaemonAddress resolve(String flag, java.util.function.Function<String, String> env) {
    if (flag != null && !flag.isBlank()) {
      return parse(flag.trim());
    }
    String fromEnv = env.apply(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return parse(fromEnv.trim());
    }
    return parse(DEFAULT);
  }

  public boolean isUnix() {
    return socket != null;
  }

  private static UsageException invalid(String s) {
    return new UsageException("invalid daemon address \"" + s
        + "\" for -H/--host or " + ENV + ": want unix:///path/to/socket or tcp://host:port");
  }

  @Override
  public String toString() {
    return uri;
  }
}
