package io.jswarm.worker.network;

import java.util.List;

/**
 * One port published through the routing mesh: every node listens on {@code published} ({@code tcp} or {@code udp})
 * and sends each new connection to {@code target} on one of {@code backends} (task addresses on the ingress network,
 * without prefix length; empty: nothing answers, connections are refused).
 */
public record IngressPort(String protocol, int published, int target, List<String> backends) {
  public IngressPort {
    if (!"tcp".equals(protocol) && !"udp".equals(protocol)) {
      throw new IllegalArgumentException("ingress port protocol '" + protocol + "' is not supported; use tcp or udp");
    }
    if (published < 1 || published > 65535) {
      throw new IllegalArgumentException("published port " + published + " is out of range 1-65535");
    }
    if (target < 1 || target > 65535) {
      throw new IllegalArgumentException("target port " + target + " is out of range 1-65535");
    }
    backends = List.copyOf(backends);
  }
}
