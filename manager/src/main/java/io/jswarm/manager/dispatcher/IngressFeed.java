package io.jswarm.manager.dispatcher;

import io.jswarm.api.dispatcher.IngressView;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.NetworkAttachment;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.PortConfig;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.ReadTx;
import io.jswarm.consensus.store.Tables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dispatcher's index of what the routing mesh needs ({@link IngressView}): each node's ingress attachment
 * ({@code Node.Attachments}), the services publishing ingress ports ({@code Endpoint.Ports} as the allocator filled
 * them) and their running tasks with an ingress address. Built from the same snapshot as the rest of a
 * {@link LeaderTerm}'s watch and kept up by its events; events thread only. {@link #dirty} says whether a store batch
 * changed anything the views are made of.
 *
 * <p>Tasks are slimmed to what decides whether they get traffic (state, desired state, health, ingress address), so
 * that a task's status timestamps do not re-send the view to every node.
 */
final class IngressFeed {
  /** Services with at least one published ingress port, by id. */
  private final Map<String, Service> services = new TreeMap<>();
  /** Running tasks of those services with an ingress address, slimmed, by service id then task id. */
  private final Map<String, Map<String, Task>> tasks = new HashMap<>();
  /** Each node's ingress attachment. */
  private final Map<String, NetworkAttachment> nodes = new HashMap<>();
  private boolean dirty;

  void reset(ReadTx tx) {
    services.clear();
    tasks.clear();
    nodes.clear();
    for (Node n : tx.nodes().all()) {
      node(n, null);
    }
    for (Service s : tx.services().all()) {
      service(s, null);
    }
    tx.tasks().scanAll(t -> task(t, null)); // read in place: task() keeps slimmed copies only
    dirty = false;
  }

  /** Takes in a store event (tasks, services, nodes); others are ignored. */
  void onEvent(Event e) {
    boolean deleted = e.kind() == Event.Kind.DELETE;
    if (e.isIn(Tables.TASKS)) {
      Task t = (Task) e.object();
      task(deleted ? null : t, deleted ? t.id : null);
    } else if (e.isIn(Tables.SERVICES)) {
      Service s = (Service) e.object();
      service(deleted ? null : s, deleted ? s.id : null);
    } else if (e.isIn(Tables.NODES)) {
      Node n = (Node) e.object();
      node(deleted ? null : n, deleted ? n.id : null);
    }
  }

  boolean dirty() {
    return dirty;
  }

  void clean() {
    dirty = false;
  }

  /** What node {@code nodeId} is told, or null while it has no ingress address. */
  IngressView viewFor(String nodeId) {
    NetworkAttachment mine = nodes.get(nodeId);
    if (mine == null) {
      return null;
    }
    IngressView v = new IngressView();
    v.nodeAttachment = mine;
    for (Service s : services.values()) {
      List<Task> ts = new ArrayList<>(tasks.getOrDefault(s.id, Map.of()).values());
      ts.sort((a, b) -> a.id.compareTo(b.id));
      v.services.add(new IngressView.ServiceTasks(s, ts));
    }
    return v;
  }

  // ---- index ----

  private void node(Node now, String deletedId) {
    String id = now != null ? now.id : deletedId;
    NetworkAttachment a = now == null ? null : ingressAttachment(now.attachments);
    NetworkAttachment before = a == null ? nodes.remove(id) : nodes.put(id, a);
    if (!LeaderTerm.sameJson(before, a)) {
      dirty = true;
    }
  }

  private void service(Service now, String deletedId) {
    String id = now != null ? now.id : deletedId;
    Service slim = now != null && publishesIngress(now) ? slim(now) : null;
    Service before = slim == null ? services.remove(id) : services.put(id, slim);
    if (now == null) {
      tasks.remove(id); // a service that merely stops publishing keeps its tasks indexed, in case it publishes again
    }
    if (!LeaderTerm.sameJson(before, slim)) {
      dirty = true;
    }
  }

  private void task(Task now, String deletedId) {
    Task slim = now == null ? null : slim(now);
    String id = now != null ? now.id : deletedId;
    if (slim == null) {
      for (Map<String, Task> m : tasks.values()) {
        if (m.remove(id) != null) {
          dirty = true;
        }
      }
      return;
    }
    // tasks of a service not (yet) known publishing ingress ports are kept too: the service event may come later in
    // the batch; views only list tasks of services that publish
    Task before = tasks.computeIfAbsent(slim.serviceId, k -> new TreeMap<>()).put(id, slim);
    if (!LeaderTerm.sameJson(before, slim)) {
      dirty = true;
    }
  }

  private static boolean publishesIngress(Service s) {
    if (s.endpoint == null || s.endpoint.ports == null) {
      return false;
    }
    for (PortConfig p : s.endpoint.ports) {
      if (p != null && !"host".equals(p.publishMode) && p.publishedPort != null && p.publishedPort > 0) {
        return true;
      }
    }
    return false;
  }

  private static Service slim(Service s) {
    Service c = Json.copy(s);
    c.version = null;
    c.createdAt = null;
    c.updatedAt = null;
    c.previousSpec = null;
    c.updateStatus = null;
    c.serviceStatus = null;
    c.jobStatus = null;
    return c;
  }

  /** A running task with an ingress address, reduced to what decides its traffic; null for any other task. */
  private static Task slim(Task t) {
    if (t.serviceId == null || AssignmentFeed.visibleNode(t) == null || t.status.state != TaskState.RUNNING
        || t.desiredState == null || t.desiredState.number() > TaskState.RUNNING.number()) {
      return null;
    }
    NetworkAttachment in = ingressAttachment(t.networksAttachments);
    if (in == null) {
      return null;
    }
    return ServiceRecordFeed.cut(t, in.network.id, in.addresses.get(0));
  }

  /** The attachment to the ingress network ({@code Spec.Ingress}) with an address, or null. */
  private static NetworkAttachment ingressAttachment(List<NetworkAttachment> attachments) {
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
}
