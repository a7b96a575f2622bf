package io.jswarm.manager.allocator;

import io.jswarm.api.types.Endpoint;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who holds addresses in the allocator's {@link io.jswarm.overlay.allocator.AddressBook}, and what a stored row says
 * it holds: a task's and a node's attachments, a service's VIPs, as network id to address.
 */
final class Holdings {
  private Holdings() {}

  static String taskOwner(String id) {
    return "task/" + id;
  }

  static String vipOwner(String id) {
    return "vip/" + id;
  }

  static String nodeOwner(String id) {
    return "node/" + id;
  }

  static Map<String, String> of(Task t) {
    return of(t.networksAttachments);
  }

  /** The first address of each attachment, by network id. */
  static Map<String, String> of(List<NetworkAttachment> attachments) {
    Map<String, String> out = new LinkedHashMap<>();
    if (attachments != null) {
      for (NetworkAttachment a : attachments) {
        if (a != null && a.network != null && a.network.id != null && a.addresses != null && !a.addresses.isEmpty()) {
          out.put(a.network.id, a.addresses.get(0));
        }
      }
    }
    return out;
  }

  static Map<String, String> vips(Service s) {
    return s == null ? Map.of() : vips(s.endpoint);
  }

  static Map<String, String> vips(Endpoint e) {
    Map<String, String> out = new LinkedHashMap<>();
    if (e != null && e.virtualIPs != null) {
      for (Endpoint.VirtualIP v : e.virtualIPs) {
        if (v != null && v.networkId != null && v.addr != null && !v.addr.isEmpty()) {
          out.put(v.networkId, v.addr);
        }
      }
    }
    return out;
  }
}
