package io.jswarm.manager.allocator;

import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachmentConfig;
import io.jswarm.api.types.Service;
import io.jswarm.overlay.allocator.NetworkNeeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The networks the allocator knows, by id: found by id or name, the ingress network, a service's VIP networks. */
final class NetworkIndex {
  private final Map<String, Network> byId = new TreeMap<>();

  void put(Network n) {
    byId.put(n.id, n);
  }

  void remove(String id) {
    byId.remove(id);
  }

  void clear() {
    byId.clear();
  }

  /** A network by id, else by name (older specs may name it); null when there is none. */
  Network resolve(String target) {
    Network n = byId.get(target);
    if (n != null) {
      return n;
    }
    for (Network x : byId.values()) {
      if (x.spec != null && target.equals(x.spec.name)) {
        return x;
      }
    }
    return null;
  }

  /** The ingress network (the routing mesh's), or null when there is none. */
  Network ingress() {
    for (Network n : byId.values()) {
      if (n.spec != null && Boolean.TRUE.equals(n.spec.ingress)) {
        return n;
      }
    }
    return null;
  }

  /** The networks (by id, in order) a service gets VIPs on. */
  List<String> vipNetworks(Service s) {
    List<String> out = new ArrayList<>();
    if (!NetworkNeeds.wantsVips(s) || s.spec == null) {
      return out;
    }
    if (NetworkNeeds.wantsIngress(s)) {
      Network in = ingress();
      if (in != null) {
        out.add(in.id);
      }
    }
    for (NetworkAttachmentConfig c : NetworkNeeds.specNetworks(s)) {
      Network n = c == null || c.target == null ? null : resolve(c.target);
      if (n != null && !out.contains(n.id)) {
        out.add(n.id);
      }
    }
    return out;
  }
}
