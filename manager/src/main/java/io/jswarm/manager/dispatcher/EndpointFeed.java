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
 */
final class EndpointFeed {
  /** A task's place on an overlay network, as the store has it. */
  private record Endpoint(String taskId, String nodeId, Integer vni, String addr) {}

  /** Network id -> task id -> the task's endpoint on it. */
  private final Map<String, Map<String, Endpoint>> endpoints = new HashMap<>();
  /** Task id -> networks it has an endpoint on. */
  private final Map<String, Set<String>> taskNetworks = new HashMap<>();
  /** Node id -> underlay address (the host part of {@code Node.Status.Addr}). */
  private final Map<String, String> nodeAddrs = new HashMap<>();
  /** Networks whose endpoints changed in the store batch being read. */
  private final Set<String> dirtyNetworks = new LinkedHashSet<>();

  void clear() {
    endpoints.clear();
    taskNetworks.clear();
    nodeAddrs.clear();
    dirtyNetworks.clear();
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
      for (Map.Entry<String, Map<String, Endpoint>> en : endpoints.entrySet()) {
        if (en.getValue().values().stream().anyMatch(ep -> ep.nodeId.equals(n.id))) {
          dirtyNetworks.add(en.getKey());
        }
      }
    }
    indexNodeEndpoint(deleted ? null : n, n.id);
  }

  boolean hasDirty() {
    return !dirtyNetworks.isEmpty();
  }

  void clearDirty() {
    dirtyNetworks.clear();
  }

  /** Re-reads the endpoints of task {@code now} (or drops those of the deleted task {@code deletedId}). */
  void taskChanged(Task now, String deletedId) {
    String id = now != null ? now.id : deletedId;
    unindex(id);
    String node = AssignmentFeed.visibleNode(now);
    if (node == null || now.status.state.number() > TaskState.RUNNING.number() || now.networksAttachments == null) {
      return; // not (or no longer) on a node, or stopped there: its address may already be someone else's
    }
    index(id, node, now.networksAttachments);
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
    String key = nodeEndpointKey(nodeId);
    unindex(key);
    if (now == null || now.attachments == null) {
      return;
    }
    index(key, nodeId, now.attachments);
  }

  private void unindex(String key) {
    Set<String> had = taskNetworks.remove(key);
    if (had == null) {
      return;
    }
    for (String net : had) {
      Map<String, Endpoint> eps = endpoints.get(net);
      if (eps != null && eps.remove(key) != null) {
        dirtyNetworks.add(net);
        if (eps.isEmpty()) {
          endpoints.remove(net);
        }
      }
    }
  }

  private void index(String key, String nodeId, List<NetworkAttachment> attachments) {
    Set<String> nets = new LinkedHashSet<>();
    for (NetworkAttachment a : attachments) {
      if (a == null || a.network == null || a.network.id == null || a.addresses == null || a.addresses.isEmpty()) {
        continue;
      }
      String ip = a.addresses.get(0).split("/")[0];
      endpoints.computeIfAbsent(a.network.id, k -> new LinkedHashMap<>())
          .put(key, new Endpoint(key, nodeId, vniOf(a), ip));
      nets.add(a.network.id);
      dirtyNetworks.add(a.network.id);
    }
    if (!nets.isEmpty()) {
      taskNetworks.put(key, nets);
    }
  }

  /** Everything session {@code s} gets on every network it is on (its first message; recorded in the session). */
  List<NetworkEndpoints> full(Session s) {
    List<NetworkEndpoints> all = new ArrayList<>();
    for (String net : endpoints.keySet()) {
      NetworkEndpoints ne = changes(s, net);
      if (ne != null) {
        all.add(ne);
      }
    }
    return all;
  }

  /** What session {@code s} must be told about the networks changed in the batch just committed. */
  List<NetworkEndpoints> changes(Session s) {
    List<NetworkEndpoints> changes = new ArrayList<>();
    for (String net : dirtyNetworks) {
      NetworkEndpoints ne = changes(s, net);
      if (ne != null) {
        changes.add(ne);
      }
    }
    return changes;
  }

  /**
   * What session {@code s} must be told about network {@code net}, given what it was sent before (which this
   * updates): all of it when the node just joined the network (an endpoint of its own appeared), an empty full list
   * when it left, else the endpoints added or changed and those removed; null when nothing changed.
   */
  private NetworkEndpoints changes(Session s, String net) {
    Map<String, Endpoint> eps = endpoints.getOrDefault(net, Map.of());
    Map<String, NetworkEndpoints.Endpoint> want = null;
    Integer vni = null;
    if (eps.values().stream().anyMatch(ep -> ep.nodeId.equals(s.nodeId))) {
      want = new LinkedHashMap<>();
      for (Endpoint ep : eps.values()) {
        vni = vni == null ? ep.vni : vni;
        String nodeAddr = nodeAddrs.get(ep.nodeId);
        if (!ep.nodeId.equals(s.nodeId) && nodeAddr != null) {
          want.put(ep.taskId, new NetworkEndpoints.Endpoint(ep.taskId, ep.addr, NetworkEndpoints.macOf(ep.addr),
              nodeAddr));
        }
      }
    }
    Map<String, NetworkEndpoints.Endpoint> sent = s.sentEndpoints.get(net);
    if (want == null) {
      if (sent == null) {
        return null;
      }
      s.sentEndpoints.remove(net);
      return new NetworkEndpoints(net, null, true, List.of(), List.of());
    }
    s.sentEndpoints.put(net, want);
    if (sent == null) {
      return new NetworkEndpoints(net, vni, true, new ArrayList<>(want.values()), List.of());
    }
    List<NetworkEndpoints.Endpoint> upserts = new ArrayList<>();
    for (NetworkEndpoints.Endpoint ep : want.values()) {
      if (!ep.equals(sent.get(ep.taskId))) {
        upserts.add(ep);
      }
    }
    List<String> removed = new ArrayList<>();
    for (String id : sent.keySet()) {
      if (!want.containsKey(id)) {
        removed.add(id);
      }
    }
    return upserts.isEmpty() && removed.isEmpty() ? null : new NetworkEndpoints(net, vni, false, upserts, removed);
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
