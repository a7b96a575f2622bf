package io.jswarm.manager.dispatcher;

import io.jswarm.overlay.allocator.NetworkNeeds;
import io.jswarm.api.dispatcher.NetworkServices;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Endpoint;
import io.jswarm.api.types.EndpointSpec;
import io.jswarm.api.types.Healthcheck;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.NetworkAttachmentConfig;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How {@link ServiceRecordFeed} reads the store's objects: which networks a service or task is on, a node's ingress
 * attachment, and the cut-down services and tasks it pushes ({@link NetworkServices}). Pure.
 */
final class RecordCuts {
  private RecordCuts() {}

  static boolean isOverlay(Network n) {
    String driver = n.driverState != null && n.driverState.name != null ? n.driverState.name
        : n.spec != null && n.spec.driverConfiguration != null ? n.spec.driverConfiguration.name : null;
    return driver == null || driver.isEmpty() || "overlay".equals(driver);
  }

  /** The networks a service is on: those it has a VIP on and those its spec names (by id, as stored). */
  static Set<String> networksOf(Service s) {
    Set<String> out = new LinkedHashSet<>();
    if (s.endpoint != null && s.endpoint.virtualIPs != null) {
      for (Endpoint.VirtualIP v : s.endpoint.virtualIPs) {
        if (v != null && v.networkId != null) {
          out.add(v.networkId);
        }
      }
    }
    for (NetworkAttachmentConfig c : NetworkNeeds.specNetworks(s)) {
      if (c != null && c.target != null && !c.target.isEmpty()) {
        out.add(c.target);
      }
    }
    return out;
  }

  /** The attachment to the ingress network ({@code Spec.Ingress}) with an address, or null. */
  static NetworkAttachment ingressAttachment(List<NetworkAttachment> attachments) {
    if (attachments == null) {
      return null;
    }
    for (NetworkAttachment a : attachments) {
      if (a != null && a.network != null && a.network.id != null && a.network.spec != null
          && Boolean.TRUE.equals(a.network.spec.ingress) && a.addresses != null && !a.addresses.isEmpty()) {
        return a;
      }
    }
    return null;
  }

  /** Task's network id -> its first address there (CIDR form), for attachments that have one. */
  static Map<String, String> addressedNetworks(Task t) {
    Map<String, String> out = new LinkedHashMap<>();
    if (t.networksAttachments != null) {
      for (NetworkAttachment a : t.networksAttachments) {
        if (a != null && a.network != null && a.network.id != null && a.addresses != null
            && !a.addresses.isEmpty() && a.addresses.get(0) != null) {
          out.putIfAbsent(a.network.id, a.addresses.get(0));
        }
      }
    }
    return out;
  }

  /** The service as network {@code net} needs it (see {@link NetworkServices}). */
  static Service cut(Service s, String net) {
    Service c = new Service();
    c.id = s.id;
    c.spec = new Service.ServiceSpec();
    c.spec.name = s.spec == null ? s.id : s.spec.name;
    if (s.spec != null && s.spec.endpointSpec != null && s.spec.endpointSpec.mode != null) {
      c.spec.endpointSpec = new EndpointSpec();
      c.spec.endpointSpec.mode = s.spec.endpointSpec.mode;
    }
    Healthcheck hc = s.spec == null || s.spec.taskTemplate == null || s.spec.taskTemplate.containerSpec == null
        ? null : s.spec.taskTemplate.containerSpec.healthcheck;
    List<NetworkAttachmentConfig> aliased = new ArrayList<>();
    for (NetworkAttachmentConfig nc : NetworkNeeds.specNetworks(s)) {
      if (nc != null && net.equals(nc.target) && nc.aliases != null && !nc.aliases.isEmpty() && aliased.isEmpty()) {
        NetworkAttachmentConfig a = new NetworkAttachmentConfig();
        a.target = net;
        a.aliases = new ArrayList<>(nc.aliases);
        aliased.add(a);
      }
    }
    boolean checked = hc != null && hc.test != null && !hc.test.isEmpty() && !"NONE".equals(hc.test.get(0));
    if (checked || !aliased.isEmpty()) {
      c.spec.taskTemplate = new TaskSpec();
      if (checked) {
        c.spec.taskTemplate.containerSpec = new ContainerSpec();
        c.spec.taskTemplate.containerSpec.healthcheck = new Healthcheck();
        c.spec.taskTemplate.containerSpec.healthcheck.test = new ArrayList<>(hc.test);
      }
      if (!aliased.isEmpty()) {
        c.spec.taskTemplate.networks = aliased;
      }
    }
    if (s.endpoint != null) {
      c.endpoint = new Endpoint();
      if (s.endpoint.spec != null && s.endpoint.spec.mode != null) {
        c.endpoint.spec = new EndpointSpec();
        c.endpoint.spec.mode = s.endpoint.spec.mode;
      }
      if (s.endpoint.ports != null && !s.endpoint.ports.isEmpty()) {
        c.endpoint.ports = Json.copy(s.endpoint).ports;
      }
      if (s.endpoint.virtualIPs != null) {
        for (Endpoint.VirtualIP v : s.endpoint.virtualIPs) {
          if (v != null && net.equals(v.networkId)) {
            Endpoint.VirtualIP w = new Endpoint.VirtualIP();
            w.networkId = v.networkId;
            w.addr = v.addr;
            c.endpoint.virtualIPs = new ArrayList<>(List.of(w));
          }
        }
      }
    }
    return c;
  }

  /** The running task as network {@code net} needs it (see {@link NetworkServices}). */
  static Task cut(Task t, String net, String address) {
    Task c = new Task();
    c.id = t.id;
    c.serviceId = t.serviceId;
    c.slot = t.slot;
    c.nodeId = t.nodeId;
    c.desiredState = t.desiredState;
    c.status = new Task.TaskStatus();
    c.status.state = t.status.state;
    if (t.status.containerStatus != null && t.status.containerStatus.health != null) {
      c.status.containerStatus = new Task.ContainerStatus();
      c.status.containerStatus.health = t.status.containerStatus.health;
    }
    NetworkAttachment a = new NetworkAttachment();
    a.network = new Network();
    a.network.id = net;
    a.addresses = new ArrayList<>(List.of(address));
    c.networksAttachments = new ArrayList<>(List.of(a));
    return c;
  }
}
