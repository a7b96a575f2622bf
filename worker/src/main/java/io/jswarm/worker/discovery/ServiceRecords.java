package io.jswarm.worker.discovery;

import io.jswarm.api.types.Endpoint;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.NetworkAttachmentConfig;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Turns the api objects the manager pushes (a service and its tasks) into the {@link ServiceRecord} of one
 * network. Pure; the integrator calls it for every service on every network this node's tasks are attached to.
 *
 * <p>Which tasks get traffic: observed state RUNNING and desired state RUNNING or earlier (a task being shut
 * down gets no new connections); when the service's template has a health check (one that is not {@code NONE}),
 * only tasks whose container reports {@code healthy}. A task without an address on the network is left out.
 */
public final class ServiceRecords {
  private ServiceRecords() {}

  public static ServiceRecord of(String networkId, Service service, Collection<Task> tasks) {
    String name = service.spec == null ? service.id : service.spec.name;
    String vip = null;
    Endpoint ep = service.endpoint;
    if (ep != null && ep.virtualIPs != null && !dnsrr(service)) {
      for (Endpoint.VirtualIP v : ep.virtualIPs) {
        if (networkId.equals(v.networkId) && v.addr != null) {
          vip = stripPrefix(v.addr);
        }
      }
    }
    boolean healthChecked = hasHealthcheck(service);
    List<Task> sorted = new ArrayList<>(tasks);
    sorted.sort(Comparator.comparing((Task t) -> t.slot == null ? 0L : t.slot).thenComparing(t -> t.id));
    List<ServiceRecord.TaskEndpoint> endpoints = new ArrayList<>();
    for (Task t : sorted) {
      if (!service.id.equals(t.serviceId) || !receivesTraffic(t, healthChecked)) {
        continue;
      }
      String addr = address(t, networkId);
      if (addr != null) {
        endpoints.add(new ServiceRecord.TaskEndpoint(taskName(name, t), addr));
      }
    }
    return new ServiceRecord(service.id, name, aliases(service, networkId), vip, endpoints);
  }

  /** Docker's container name of a task: {@code <service>.<slot>.<task id>}, or {@code <service>.<node id>.<task id>} for global services. */
  public static String taskName(String serviceName, Task t) {
    String middle = t.slot != null && t.slot > 0 ? Long.toString(t.slot) : t.nodeId;
    return serviceName + "." + middle + "." + t.id;
  }

  static boolean receivesTraffic(Task t, boolean healthChecked) {
    if (t.status == null || t.status.state != TaskState.RUNNING) {
      return false;
    }
    if (t.desiredState != null && t.desiredState.number() > TaskState.RUNNING.number()) {
      return false;
    }
    if (!healthChecked) {
      return true;
    }
    return t.status.containerStatus != null && "healthy".equals(t.status.containerStatus.health);
  }

  private static boolean dnsrr(Service s) {
    String mode = null;
    if (s.endpoint != null && s.endpoint.spec != null) {
      mode = s.endpoint.spec.mode;
    } else if (s.spec != null && s.spec.endpointSpec != null) {
      mode = s.spec.endpointSpec.mode;
    }
    return "dnsrr".equalsIgnoreCase(mode);
  }

  private static boolean hasHealthcheck(Service s) {
    if (s.spec == null || s.spec.taskTemplate == null || s.spec.taskTemplate.containerSpec == null) {
      return false;
    }
    var hc = s.spec.taskTemplate.containerSpec.healthcheck;
    return hc != null && hc.test != null && !hc.test.isEmpty() && !"NONE".equals(hc.test.get(0));
  }

  private static String address(Task t, String networkId) {
    if (t.networksAttachments == null) {
      return null;
    }
    for (NetworkAttachment a : t.networksAttachments) {
      if (a.network != null && networkId.equals(a.network.id) && a.addresses != null && !a.addresses.isEmpty()) {
        return stripPrefix(a.addresses.get(0));
      }
    }
    return null;
  }

  private static List<String> aliases(Service s, String networkId) {
    if (s.spec == null || s.spec.taskTemplate == null || s.spec.taskTemplate.networks == null) {
      return List.of();
    }
    for (NetworkAttachmentConfig c : s.spec.taskTemplate.networks) {
      if (networkId.equals(c.target) && c.aliases != null) {
        return c.aliases;
      }
    }
    return List.of();
  }

  static String stripPrefix(String cidr) {
    int slash = cidr.indexOf('/');
    return slash < 0 ? cidr : cidr.substring(0, slash);
  }
}
