package io.jswarm.manager.allocator;

import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Service;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingress ports of one allocator pass: which protocol/port pairs some service's spec or endpoint already
 * publishes, and the lowest free one of Docker's dynamic range for a port published without a number
 * ({@code -p 80}). Host-mode ports take no cluster-wide port and are left alone.
 */
final class PublishedPorts {
  /** First port handed to an ingress port published without a number (Docker's dynamic range). */
  static final long FIRST_DYNAMIC = 30000;
  /** Last port of the dynamic range. */
  static final long LAST_DYNAMIC = 32767;

  private static final Logger log = LoggerFactory.getLogger(PublishedPorts.class);

  private final Set<String> used = new HashSet<>();

  /** The ports {@code services} publish now, by spec or as filled in their endpoints. */
  static PublishedPorts of(Collection<Service> services) {
    PublishedPorts p = new PublishedPorts();
    for (Service s : services) {
      List<PortConfig> all = new ArrayList<>();
      if (s.spec != null && s.spec.endpointSpec != null && s.spec.endpointSpec.ports != null) {
        all.addAll(s.spec.endpointSpec.ports);
      }
      if (s.endpoint != null && s.endpoint.ports != null) {
        all.addAll(s.endpoint.ports);
      }
      for (PortConfig c : all) {
        if (c != null && c.publishedPort != null && c.publishedPort != 0 && !"host".equals(c.publishMode)) {
          p.used.add(key(c.protocol, c.publishedPort));
        }
      }
    }
    return p;
  }

  private static String key(String protocol, long port) {
    return (protocol == null || protocol.isEmpty() ? "tcp" : protocol) + "/" + port;
  }

  /**
   * Ingress ports of {@code s} published without a number get the lowest free one of
   * {@value #FIRST_DYNAMIC}-{@value #LAST_DYNAMIC}, which is taken from then on.
   */
  void assign(Service s, List<PortConfig> ports) {
    for (PortConfig p : ports) {
      if ("host".equals(p.publishMode) || (p.publishedPort != null && p.publishedPort != 0)) {
        continue;
      }
      for (long port = FIRST_DYNAMIC; port <= LAST_DYNAMIC; port++) {
        if (used.add(key(p.protocol, port))) {
          p.publishedPort = port;
          break;
        }
      }
      if (p.publishedPort == null || p.publishedPort == 0) {
        log.warn("service {}: no free port left in {}-{} for target port {}", s.id, FIRST_DYNAMIC, LAST_DYNAMIC,
            p.targetPort);
      }
    }
  }

  /** Published ports someone else filled in (a 0 in the spec) are kept as they are. */
  static void keep(List<PortConfig> stored, List<PortConfig> wanted) {
    for (PortConfig w : wanted) {
      if (w.publishedPort != null && w.publishedPort != 0) {
        continue;
      }
      for (PortConfig s : stored) {
        if (Objects.equals(s.targetPort, w.targetPort) && Objects.equals(s.protocol, w.protocol)
            && Objects.equals(s.publishMode, w.publishMode) && s.publishedPort != null && s.publishedPort != 0) {
          w.publishedPort = s.publishedPort;
        }
      }
    }
  }
}
