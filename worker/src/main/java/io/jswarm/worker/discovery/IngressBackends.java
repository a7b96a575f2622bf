package io.jswarm.worker.discovery;

import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.worker.network.IngressPort;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the ingress network's records (as the managers push them to every node) into the routing mesh's plain list:
 * for every port a service publishes in ingress mode ({@code Endpoint.Ports}, with the allocator's published port),
 * the ingress addresses of the service's tasks that get traffic by the discovery rule ({@link ServiceRecords}: running, not being shut down, healthy when the
 * service has a health check). Pure.
 */
public final class IngressBackends {
  private static final Logger LOG = LoggerFactory.getLogger(IngressBackends.class);

  private IngressBackends() {}

  /**
   * The ports the routing mesh publishes from the ingress network's records ({@link DirectoryFeed}): {@code tasks}
   * may mix the tasks of all {@code services}; each service takes its own.
   */
  public static List<IngressPort> of(String ingressNetworkId, Collection<Service> services, Collection<Task> tasks) {
    List<IngressPort> out = new ArrayList<>();
    for (Service s : services) {
      if (s != null && s.id != null) {
        add(out, ingressNetworkId, s, tasks);
      }
    }
    return out;
  }

  private static void add(List<IngressPort> out, String net, Service service, Collection<Task> tasks) {
    if (service.endpoint == null || service.endpoint.ports == null) {
      return;
    }
    List<String> backends = new ArrayList<>();
    for (ServiceRecord.TaskEndpoint t : ServiceRecords.of(net, service, tasks).tasks()) {
      backends.add(t.address());
    }
    for (PortConfig p : service.endpoint.ports) {
      if (p == null || "host".equals(p.publishMode) || p.publishedPort == null || p.publishedPort <= 0
          || p.targetPort == null) {
        continue;
      }
      String proto = p.protocol == null || p.protocol.isEmpty() ? "tcp" : p.protocol.toLowerCase();
      try {
        out.add(new IngressPort(proto, p.publishedPort.intValue(), p.targetPort.intValue(), backends));
      } catch (IllegalArgumentException e) {
        LOG.warn("service {}: port {} is not routed: {}", service.id, p.publishedPort, e.getMessage());
      }
    }
  }
}
