package io.jswarm.manager.dispatcher;

import io.jswarm.api.dispatcher.NetworkEndpoints;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Overlay endpoints: what each node must know of the other nodes' endpoints on the overlay networks it is on
 * (task addresses, and each node's own ingress-sandbox address), with the underlay address of the node behind
 * each. Fed with every object of the watch's snapshot and then its events; {@link #changes} per session at each
 * commit, then {@link #clearDirty}. Events thread only.
 *
 * <p>Cost: a store batch costs each session on a touched network the endpoints that batch changed, not the
 * network's whole list (every node is on the ingress network, so a whole list per node per change would be
 * quadratic in the nodes). A session remembers only which networks it was given in full.
 */
final class EndpointFeed {
  /** A task's place on an overlay network, as the store has it. */
  private record Endpoint(String taskId, String nodeId, Integer vni, String addr) {}

  /** Network id -> task id -> the task's endpoint on it. */
  private final Map<String, Map<String, Endpoint>> endpoints = new HashMap<>();
  /** Task id -> networks it has an endpoint on. */
  private final Map<String, Set<String>> taskNetworks = new HashMap<>();
  /** Network id -> node id -> how many endpoints the node has there: the nodes on the network. */
  private final Map<String, Map<String, Integer>> members = new HashMap<>();
  /** Node id -> underlay address (the host part of {@code Node.Status.Addr}). */
  private final Map<String, String> nodeAddrs = new HashMap<>();
  /** Node id -> the endpoint keys on that node (to re-send them when its address changes). */
  private final Map<String, Set<String>> nodeEndpoints = new HashMap<>();
  /** Network id -> endpoint keys added, changed or removed in the store batch being read. */
  private final Map<String, Set<String>> dirty = new LinkedHashMap<>();

  void clear() {
    endpoints.clear();
    taskNetworks.clear();
    members.clear();
    nodeAddrs.clear();
    nodeEndpoints.clear();
    dirty.clear();
  }

  /** A node of the snapshot the watch opened with. */
  void loadNode(Node n) {
    nodeAddrs.put(n.id, underlayAddr(n));
    indexNodeEndpoint(n, null);
  }

  /** A node event: its underlay address and its own endpoints. */
  void nodeChanged(Node n, boolean deleted) {
    String addr = deleted ? null : underlayAddr(n);
    String before = deleted ? nodeAddrs.remove(n.id) : nodeAddrs.put(n.id, addr);
    if (!Objects.equals(before, addr)) {
      for (String key : nodeEndpoints.getOrDefault(n.id, Set.of())) {
        for (String net : taskNetworks.getOrDefault(key, Set.of())) {
          dirty(net).add(key);
        }
      }
    }
    indexNodeEndpoint(deleted ? null : n, n.id);
  }

  boolean hasDirty() {
    return !dirty.isEmpty();
  }

  void clearDirty() {
    dirty.clear();
  }

  /** Re-reads the endpoints of task {@code now} (or drops those of the deleted task {@code deletedId}). */
  void taskChanged(Task now, String deletedId) {
    String id = now != null ? now.id : deletedId;
    String node = AssignmentFeed.visibleNode(now);
    boolean placed = node != null && now.status.state.number() <= TaskState.RUNNING.number()
        && now.networksAttachments != null;
    // not (or no longer) on a node, or stopped there: its address may already be someone else's
    reindex(id, node, placed ? now.networksAttachments : null);
  }

  /** The endpoint key of a node's own ingress address (its routing-mesh sandbox). */
  static String nodeEndpointKey(String nodeId) {
    return "ingress-sbox." + nodeId;
  }

  /**
   * Re-reads node {@code now}'s own addresses ({@code Node.Attachments}, the ingress sandbox), or drops those of the
   * deleted node {@code id}: they are endpoints like tasks', so every node on the network (every node, for ingress)
   * can reach the sandbox, and replies from tasks on other nodes find their way back.
   */
  private void indexNodeEndpoint(Node now, String id) {
    String nodeId = now != null ? now.id : id;
    reindex(nodeEndpointKey(nodeId), nodeId, now == null ? null : now.attachments);
  }

  /**
   * Replaces the endpoints under {@code key} with those of {@code attachments} (null: none) on node {@code nodeId};
   * marks dirty only the networks where the endpoint really changed.
   */
  private void reindex(String key, String nodeId, List<NetworkAttachment> attachments) {
    Map<String, Endpoint> before = unindex(key);
    Map<String, Endpoint> after = attachments == null ? Map.of() : index(key, nodeId, attachments);
    for (Map.Entry<String, Endpoint> en : before.entrySet()) {
      if (!en.getValue().equals(after.get(en.getKey()))) {
        dirty(en.getKey()).add(key);
      }
    }
    for (Map.Entry<String, Endpoint> en : after.entrySet()) {
      if (!before.containsKey(en.getKey())) {
        dirty(en.getKey()).add(key);
      }
    }
  }

  /** Drops every endpoint under {@code key}; returns them by network. */
  private Map<String, Endpoint> unindex(String key) {
    Set<String> had = taskNetworks.remove(key);
    if (had == null) {
      return Map.of();
    }
    Map<String, Endpoint> out = new HashMap<>();
    for (String net : had) {
      Map<String, Endpoint> eps = endpoints.get(net);
      Endpoint ep = eps == null ? null : eps.remove(key);
      if (ep == null) {
        continue;
      }
      out.put(net, ep);
      if (eps.isEmpty()) {
        endpoints.remove(net);
      }
      Map<String, Integer> m = members.get(net);
      if (m != null && m.merge(ep.nodeId, -1, Integer::sum) <= 0) {
        m.remove(ep.nodeId);
        if (m.isEmpty()) {
          members.remove(net);
        }
      }
      Set<String> own = nodeEndpoints.get(ep.nodeId);
      if (own != null && own.remove(key) && own.isEmpty()) {
        nodeEndpoints.remove(ep.nodeId);
      }
    }
    return out;
  }

  /** Adds the endpoints of {@code attachments} under {@code key}; returns them by network. */
  private Map<String, Endpoint> index(String key, String nodeId, List<NetworkAttachment> attachments) {
    Map<String, Endpoint> out = new LinkedHashMap<>();
    for (NetworkAttachment a : attachments) {
      if (a == null || a.network == null || a.network.id == null || a.addresses == null || a.addresses.isEmpty()) {
        continue;
      }
      String ip = a.addresses.get(0).split("/")[0];
      Endpoint ep = new Endpoint(key, nodeId, vniOf(a), ip);
      if (endpoints.computeIfAbsent(a.network.id, k -> new LinkedHashMap<>()).put(key, ep) == null) {
        members.computeIfAbsent(a.network.id, k -> new HashMap<>()).merge(nodeId, 1, Integer::sum);
        nodeEndpoints.computeIfAbsent(nodeId, k -> new LinkedHashSet<>()).add(key);
      }
      out.put(a.network.id, ep);
    }
    if (!out.isEmpty()) {
      taskNetworks.put(key, new LinkedHashSet<>(out.keySet()));
    }
    return out;
  }

  private Set<String> dirty(String net) {
    return dirty.computeIfAbsent(net, k -> new LinkedHashSet<>());
  }

  /** Everything session {@code s} gets on every network it is on (its first message; recorded in the session). */
  List<NetworkEndpoints> full(Session s) {
    s.endpointNets.clear();
    List<NetworkEndpoints> all = new ArrayList<>();
    for (String net : endpoints.keySet()) {
      if (isOn(s.nodeId, net)) {
        s.endpointNets.add(net);
        all.add(fullList(s.nodeId, net));
      }
    }
    return all;
  }

  /**
   * What session {@code s} must be told about the networks changed in the batch just committed: the whole list of
   * a network its node just joined (an endpoint of its own appeared), an empty whole list of one it left, else the
   * endpoints of other nodes the batch added or changed and those it removed.
   */
  List<NetworkEndpoints> changes(Session s) {
    List<NetworkEndpoints> out = new ArrayList<>();
    for (Map.Entry<String, Set<String>> en : dirty.entrySet()) {
      String net = en.getKey();
      boolean on = isOn(s.nodeId, net);
      boolean had = s.endpointNets.contains(net);
      if (!on) {
        if (had) {
          s.endpointNets.remove(net);
          out.add(new NetworkEndpoints(net, null, true, List.of(), List.of()));
        }
        continue;
      }
      if (!had) {
        s.endpointNets.add(net);
        out.add(fullList(s.nodeId, net));
        continue;
      }
      Map<String, Endpoint> eps = endpoints.getOrDefault(net, Map.of());
      List<NetworkEndpoints.Endpoint> upserts = new ArrayList<>();
      List<String> removed = new ArrayList<>();
      for (String key : en.getValue()) {
        Endpoint ep = eps.get(key);
        if (ep != null && ep.nodeId.equals(s.nodeId)) {
          continue; // the node's own endpoint: never in its remote list
        }
        NetworkEndpoints.Endpoint e = remote(s.nodeId, ep);
        if (e != null) {
          upserts.add(e);
        } else {
          removed.add(key); // gone, or its node has no address: not a remote endpoint now
        }
      }
      if (!upserts.isEmpty() || !removed.isEmpty()) {
        out.add(new NetworkEndpoints(net, vni(eps), false, upserts, removed));
      }
    }
    return out;
  }

  private boolean isOn(String nodeId, String net) {
    Map<String, Integer> m = members.get(net);
    return m != null && m.containsKey(nodeId);
  }

  private NetworkEndpoints fullList(String nodeId, String net) {
    Map<String, Endpoint> eps = endpoints.getOrDefault(net, Map.of());
    List<NetworkEndpoints.Endpoint> list = new ArrayList<>();
    for (Endpoint ep : eps.values()) {
      NetworkEndpoints.Endpoint e = remote(nodeId, ep);
      if (e != null) {
        list.add(e);
      }
    }
    return new NetworkEndpoints(net, vni(eps), true, list, List.of());
  }

  /** Endpoint {@code ep} as node {@code nodeId} is told of it, or null when it is the node's own or unreachable. */
  private NetworkEndpoints.Endpoint remote(String nodeId, Endpoint ep) {
    if (ep == null || ep.nodeId.equals(nodeId)) {
      return null;
    }
    String nodeAddr = nodeAddrs.get(ep.nodeId);
    return nodeAddr == null ? null
        : new NetworkEndpoints.Endpoint(ep.taskId, ep.addr, NetworkEndpoints.macOf(ep.addr), nodeAddr);
  }

  /** The network's VNI: that of its first endpoint that names one. */
  private static Integer vni(Map<String, Endpoint> eps) {
    for (Endpoint ep : eps.values()) {
      if (ep.vni != null) {
        return ep.vni;
      }
    }
    return null;
  }

  private static Integer vniOf(NetworkAttachment a) {
    Map<String, String> o = a.network.driverState == null ? null : a.network.driverState.options;
    String v = o == null ? null : o.get("com.docker.network.driver.overlay.vxlanid_list");
    try {
      return v == null ? null : Integer.valueOf(v.split(",")[0].trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The host part of {@code Node.Status.Addr} ({@code host}, {@code host:port} or {@code [v6]:port}), or null. */
  static String underlayAddr(Node n) {
    String a = n == null || n.status == null ? null : n.status.addr;
    if (a == null || a.isBlank()) {
      return null;
    }
    a = a.trim();
    if (a.startsWith("[")) {
      return a.substring(1, a.indexOf(']'));
    }
    int colon = a.indexOf(':');
    return colon >= 0 && a.indexOf(':', colon + 1) < 0 ? a.substring(0, colon) : a;
  }
}
