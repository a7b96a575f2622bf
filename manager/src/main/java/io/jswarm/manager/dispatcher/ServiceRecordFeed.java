package io.jswarm.manager.dispatcher;

import io.jswarm.api.dispatcher.NetworkServices;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the dispatcher pushes for service discovery ({@link NetworkServices}): per overlay network, its services and
 * the tasks running on it, cut down to the fields that matter, and per session what was sent so that later batches
 * send only changes. Used by {@link LeaderTerm} on its events thread only (not thread-safe).
 *
 * <p>Feeding: {@link #networkChanged}, {@link #serviceChanged} and {@link #taskChanged} with each store event (and
 * with every object of the snapshot when the watch opens); a change whose cut-down form is the same as before (a
 * task's status timestamp, a service's update status, ...) is not marked. At each commit, {@link #changes} per
 * session, then {@link #clearDirty}.
 *
 * <p>Which networks a node gets: {@link #receivesRecords}, the one place that decides: the overlay networks it has
 * a task on, and the ingress network for every node with an address there ({@link #nodeChanged}), which is what its
 * routing mesh balances over; that node is also told its own ingress attachment, again only when it changes. So a
 * change of one service or task costs one small object per node that gets its network, whatever the service's size.
 */
final class ServiceRecordFeed {
  /** An overlay network as far as records go. */
  record NetInfo(String name, boolean ingress) {}

  /** A cut-down object and its JSON (compared to what a session was sent). */
  private record Rec<T>(T obj, String json) {}

  /** What one session was sent, per network. */
  static final class Sent {
    final Map<String, SentNet> nets = new HashMap<>();
  }

  private static final class SentNet {
    /** JSON of the node's own attachment sent (ingress network), or null. */
    String nodeAttachment;
    final Map<String, String> services = new HashMap<>();
    final Map<String, String> tasks = new HashMap<>();
  }

  /** What changed on one network in the batch being read. */
  private static final class Dirty {
    final Set<String> services = new LinkedHashSet<>();
    final Set<String> tasks = new LinkedHashSet<>();
  }

  /** Overlay networks by id. */
  private final Map<String, NetInfo> networks = new HashMap<>();
  /** Network id -> service id -> the service as pushed for that network. */
  private final Map<String, Map<String, Rec<Service>>> services = new HashMap<>();
  /** Network id -> task id -> the running task as pushed for that network. */
  private final Map<String, Map<String, Rec<Task>>> tasks = new HashMap<>();
  private final Map<String, Set<String>> serviceNets = new HashMap<>();
  private final Map<String, Set<String>> taskNets = new HashMap<>();
  /** Network id -> node id -> the node's tasks attached there (assigned up to running): who gets the network. */
  private final Map<String, Map<String, Set<String>>> members = new HashMap<>();
  private final Map<String, Set<String>> taskMemberships = new HashMap<>();
  /** Node id -> its attachment to the ingress network ({@code Node.Attachments}): every such node gets that network. */
  private final Map<String, Rec<NetworkAttachment>> nodeIngress = new HashMap<>();
  /** Networks changed in the batch being read (membership, network, services or tasks). */
  private final Map<String, Dirty> dirty = new LinkedHashMap<>();

  void clear() {
    networks.clear();
    services.clear();
    tasks.clear();
    serviceNets.clear();
    taskNets.clear();
    members.clear();
    taskMemberships.clear();
    nodeIngress.clear();
    dirty.clear();
  }

  // ---- feeding ----

  /** A network was created, changed ({@code now}) or deleted ({@code now == null}, {@code id}). */
  void networkChanged(String id, Network now) {
    NetInfo before = networks.remove(id);
    NetInfo after = now == null || !RecordCuts.isOverlay(now) ? null
        : new NetInfo(now.spec == null ? id : now.spec.name, now.spec != null && Boolean.TRUE.equals(now.spec.ingress));
    if (after != null) {
      networks.put(id, after);
    }
    if (before == null ? after != null : !before.equals(after)) {
      dirty(id);
    }
  }

  /** A service was created or changed ({@code now}) or deleted ({@code now == null}, {@code id}). */
  void serviceChanged(String id, Service now) {
    Set<String> nets = new LinkedHashSet<>();
    if (now != null) {
      for (String net : RecordCuts.networksOf(now)) {
        Service c = RecordCuts.cut(now, net);
        String json = Json.toString(c);
        Rec<Service> old = services.computeIfAbsent(net, k -> new HashMap<>()).put(id, new Rec<>(c, json));
        if (old == null || !old.json.equals(json)) {
          dirty(net).services.add(id);
        }
        nets.add(net);
      }
    }
    Set<String> had = serviceNets.remove(id);
    if (had != null) {
      for (String net : had) {
        if (!nets.contains(net)) {
          removeFrom(services, net, id);
          dirty(net).services.add(id);
        }
      }
    }
    if (!nets.isEmpty()) {
      serviceNets.put(id, nets);
    }
  }

  /** A node was created or changed ({@code now}) or deleted ({@code now == null}, {@code id}): its ingress address. */
  void nodeChanged(String id, Node now) {
    NetworkAttachment a = now == null ? null : RecordCuts.ingressAttachment(now.attachments);
    Rec<NetworkAttachment> after = a == null ? null : new Rec<>(a, Json.toString(a));
    Rec<NetworkAttachment> before = after == null ? nodeIngress.remove(id) : nodeIngress.put(id, after);
    if (before != null && (after == null || !before.json.equals(after.json))) {
      dirty(before.obj.network.id);
    }
    if (after != null && (before == null || !before.json.equals(after.json))) {
      dirty(a.network.id);
    }
  }

  /** A task was created or changed ({@code now}) or deleted ({@code now == null}, {@code id}). */
  void taskChanged(String id, Task now) {
    String node = AssignmentFeed.visibleNode(now);
    // Membership: the task is on a node, not yet stopped, with an address on the network.
    Set<String> memberOf = new LinkedHashSet<>();
    if (node != null && now.status.state.number() <= TaskState.RUNNING.number()) {
      memberOf.addAll(RecordCuts.addressedNetworks(now).keySet());
    }
    Set<String> wasMember = taskMemberships.remove(id);
    if (wasMember != null) {
      for (String net : wasMember) {
        Map<String, Set<String>> byNode = members.get(net);
        if (byNode == null) {
          continue;
        }
        for (Map.Entry<String, Set<String>> en : new ArrayList<>(byNode.entrySet())) {
          if (en.getValue().remove(id) && en.getValue().isEmpty()) {
            byNode.remove(en.getKey());
            dirty(net); // the node may leave the network
          }
        }
        if (byNode.isEmpty()) {
          members.remove(net);
        }
      }
    }
    for (String net : memberOf) {
      if (members.computeIfAbsent(net, k -> new HashMap<>()).computeIfAbsent(node, k -> new LinkedHashSet<>())
          .add(id) && members.get(net).get(node).size() == 1) {
        dirty(net); // the node joins the network
      }
    }
    if (!memberOf.isEmpty()) {
      taskMemberships.put(id, memberOf);
    }
    // Records: running tasks of a service.
    Set<String> nets = new LinkedHashSet<>();
    if (node != null && now.serviceId != null && now.status.state == TaskState.RUNNING
        && (now.desiredState == null || now.desiredState.number() <= TaskState.RUNNING.number())) {
      for (Map.Entry<String, String> a : RecordCuts.addressedNetworks(now).entrySet()) {
        String net = a.getKey();
        Task c = RecordCuts.cut(now, net, a.getValue());
        String json = Json.toString(c);
        Rec<Task> old = tasks.computeIfAbsent(net, k -> new HashMap<>()).put(id, new Rec<>(c, json));
        if (old == null || !old.json.equals(json)) {
          dirty(net).tasks.add(id);
        }
        nets.add(net);
      }
    }
    Set<String> had = taskNets.remove(id);
    if (had != null) {
      for (String net : had) {
        if (!nets.contains(net)) {
          removeFrom(tasks, net, id);
          dirty(net).tasks.add(id);
        }
      }
    }
    if (!nets.isEmpty()) {
      taskNets.put(id, nets);
    }
  }

  boolean hasDirty() {
    return !dirty.isEmpty();
  }

  void clearDirty() {
    dirty.clear();
  }

  // ---- per node ----

  /**
   * Whether node {@code nodeId} gets the records of network {@code networkId}: an overlay network it has a task on
   * (assigned up to running). The routing mesh extends this (the ingress network for every node).
   */
  boolean receivesRecords(String nodeId, String networkId) {
    NetInfo info = networks.get(networkId);
    if (info == null) {
      return false;
    }
    if (info.ingress() && ingressOf(nodeId, networkId) != null) {
      return true;
    }
    Map<String, Set<String>> byNode = members.get(networkId);
    return byNode != null && byNode.containsKey(nodeId);
  }

  /** Node {@code nodeId}'s attachment to network {@code networkId} as its routing mesh needs it, or null. */
  private Rec<NetworkAttachment> ingressOf(String nodeId, String networkId) {
    Rec<NetworkAttachment> a = nodeIngress.get(nodeId);
    return a != null && networkId.equals(a.obj.network.id) ? a : null;
  }

  /** Everything node {@code nodeId} gets, for a session's first message (recorded in {@code sent}). */
  List<NetworkServices> full(String nodeId, Sent sent) {
    sent.nets.clear();
    List<NetworkServices> out = new ArrayList<>();
    for (String net : networks.keySet()) {
      if (receivesRecords(nodeId, net)) {
        out.add(fullView(net, nodeId, sent));
      }
    }
    return out;
  }

  /** What node {@code nodeId} must be told about the networks changed in this batch (updating {@code sent}). */
  List<NetworkServices> changes(String nodeId, Sent sent) {
    List<NetworkServices> out = new ArrayList<>();
    for (Map.Entry<String, Dirty> en : dirty.entrySet()) {
      String net = en.getKey();
      boolean want = receivesRecords(nodeId, net);
      SentNet had = sent.nets.get(net);
      if (!want) {
        if (had != null) {
          sent.nets.remove(net);
          out.add(NetworkServices.left(net));
        }
        continue;
      }
      if (had == null) {
        out.add(fullView(net, nodeId, sent));
        continue;
      }
      NetInfo info = networks.get(net);
      List<Service> svcUp = new ArrayList<>();
      List<String> svcGone = new ArrayList<>();
      Map<String, Rec<Service>> svcNow = services.getOrDefault(net, Map.of());
      for (String id : en.getValue().services) {
        diff(id, svcNow.get(id), had.services, svcUp, svcGone);
      }
      List<Task> taskUp = new ArrayList<>();
      List<String> taskGone = new ArrayList<>();
      Map<String, Rec<Task>> tasksNow = tasks.getOrDefault(net, Map.of());
      for (String id : en.getValue().tasks) {
        diff(id, tasksNow.get(id), had.tasks, taskUp, taskGone);
      }
      Rec<NetworkAttachment> mine = info.ingress() ? ingressOf(nodeId, net) : null;
      boolean moved = mine != null && !mine.json.equals(had.nodeAttachment);
      if (!svcUp.isEmpty() || !svcGone.isEmpty() || !taskUp.isEmpty() || !taskGone.isEmpty() || moved) {
        NetworkServices ns = NetworkServices.of(net, info.name(), info.ingress(), false, svcUp, taskUp, svcGone,
            taskGone);
        if (moved) {
          had.nodeAttachment = mine.json;
          ns.nodeAttachment = mine.obj;
        }
        out.add(ns);
      }
    }
    return out;
  }

  private static <T> void diff(String id, Rec<T> now, Map<String, String> sent, List<T> up, List<String> gone) {
    String before = sent.get(id);
    if (now == null) {
      if (before != null) {
        sent.remove(id);
        gone.add(id);
      }
    } else if (!now.json.equals(before)) {
      sent.put(id, now.json);
      up.add(now.obj);
    }
  }

  private NetworkServices fullView(String net, String nodeId, Sent sent) {
    SentNet s = new SentNet();
    List<Service> svc = new ArrayList<>();
    for (Map.Entry<String, Rec<Service>> en : services.getOrDefault(net, Map.of()).entrySet()) {
      svc.add(en.getValue().obj);
      s.services.put(en.getKey(), en.getValue().json);
    }
    List<Task> ts = new ArrayList<>();
    for (Map.Entry<String, Rec<Task>> en : tasks.getOrDefault(net, Map.of()).entrySet()) {
      ts.add(en.getValue().obj);
      s.tasks.put(en.getKey(), en.getValue().json);
    }
    sent.nets.put(net, s);
    NetInfo info = networks.get(net);
    NetworkServices ns = NetworkServices.of(net, info.name(), info.ingress(), true, svc, ts, List.of(), List.of());
    Rec<NetworkAttachment> mine = info.ingress() ? ingressOf(nodeId, net) : null;
    if (mine != null) {
      s.nodeAttachment = mine.json;
      ns.nodeAttachment = mine.obj;
    }
    return ns;
  }

  // ---- index ----

  private Dirty dirty(String net) {
    return dirty.computeIfAbsent(net, k -> new Dirty());
  }

  private static <T> void removeFrom(Map<String, Map<String, Rec<T>>> index, String net, String id) {
    Map<String, Rec<T>> m = index.get(net);
    if (m != null) {
      m.remove(id);
      if (m.isEmpty()) {
        index.remove(net);
      }
    }
  }
}
