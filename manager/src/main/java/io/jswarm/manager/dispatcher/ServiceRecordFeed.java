package io.jswarm.manager.dispatcher;

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
 * <p>Which networks a node gets: {@link #receivesRecords}, the one place to extend (the routing mesh gives every
 * node the ingress network's records).
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
    dirty.clear();
  }

  // ---- feeding ----

  /** A network was created, changed ({@code now}) or deleted ({@code now == null}, {@code id}). */
  void networkChanged(String id, Network now) {
    NetInfo before = networks.remove(id);
    NetInfo after = now == null || !isOverlay(now) ? null : new NetInfo(now.spec == null ? id : now.spec.name,
        now.spec != null && Boolean.TRUE.equals(now.spec.ingress));
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
      for (String net : networksOf(now)) {
        Service c = cut(now, net);
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

  /** A task was created or changed ({@code now}) or deleted ({@code now == null}, {@code id}). */
  void taskChanged(String id, Task now) {
    String node = AssignmentFeed.visibleNode(now);
    // Membership: the task is on a node, not yet stopped, with an address on the network.
    Set<String> memberOf = new LinkedHashSet<>();
    if (node != null && now.status.state.number() <= TaskState.RUNNING.number()) {
      memberOf.addAll(addressedNetworks(now).keySet());
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
      for (Map.Entry<String, String> a : addressedNetworks(now).entrySet()) {
        String net = a.getKey();
        Task c = cut(now, net, a.getValue());
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
    if (!networks.containsKey(networkId)) {
      return false;
    }
    Map<String, Set<String>> byNode = members.get(networkId);
    return byNode != null && byNode.containsKey(nodeId);
  }

  /** Everything node {@code nodeId} gets, for a session's first message (recorded in {@code sent}). */
  List<NetworkServices> full(String nodeId, Sent sent) {
    sent.nets.clear();
    List<NetworkServices> out = new ArrayList<>();
    for (String net : networks.keySet()) {
      if (receivesRecords(nodeId, net)) {
        out.add(fullView(net, sent));
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
        out.add(fullView(net, sent));
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
      if (!svcUp.isEmpty() || !svcGone.isEmpty() || !taskUp.isEmpty() || !taskGone.isEmpty()) {
        out.add(NetworkServices.of(net, info.name(), info.ingress(), false, svcUp, taskUp, svcGone, taskGone));
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

  private NetworkServices fullView(String net, Sent sent) {
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
    return NetworkServices.of(net, info.name(), info.ingress(), true, svc, ts, List.of(), List.of());
  }

  // ---- cutting objects down ----

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
    for (NetworkAttachmentConfig c : specNetworks(s)) {
      if (c != null && c.target != null && !c.target.isEmpty()) {
        out.add(c.target);
      }
    }
    return out;
  }

  private static List<NetworkAttachmentConfig> specNetworks(Service s) {
    List<NetworkAttachmentConfig> out = new ArrayList<>();
    if (s.spec != null && s.spec.taskTemplate != null && s.spec.taskTemplate.networks != null) {
      out.addAll(s.spec.taskTemplate.networks);
    }
    if (s.spec != null && s.spec.networks != null) {
      out.addAll(s.spec.networks);
    }
    return out;
  }

  /** Task's network id -> its first address there (CIDR form), for attachments that have one. */
  private static Map<String, String> addressedNetworks(Task t) {
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
    for (NetworkAttachmentConfig nc : specNetworks(s)) {
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
