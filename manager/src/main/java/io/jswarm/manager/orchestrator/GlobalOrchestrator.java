package io.jswarm.manager.orchestrator;

import io.jswarm.api.types.Node;
import io.jswarm.api.types.PlacementConstraint;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.consensus.store.Tables;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Global services: one runnable task on every eligible node, created with {@code NodeID} preset (the scheduler
 * only checks it). Eligible: ready or unknown, availability active, placement constraints satisfied
 * ({@link NodeFit#forGlobal}). Per node, in one pass over a service:
 * <ul>
 *   <li>node deleted: its tasks get desired REMOVE;
 *   <li>node drained, down, or no longer matching the constraints: its runnable task is shut down;
 *   <li>node paused or disconnected: the task stays; if it stops it is not replaced there;
 *   <li>eligible: a stopped task goes through the restart policy (attempts counted per node), a node without
 *       a task gets one, an outdated task is rolled ({@link Updater}).
 * </ul>
 */
public final class GlobalOrchestrator extends ServiceOrchestrator {
  private static final Logger LOG = LoggerFactory.getLogger(GlobalOrchestrator.class);

  public GlobalOrchestrator(MemoryStore store, Clock clock, RestartSupervisor restarts) {
    super("global", store, clock, restarts);
  }

  @Override
  protected boolean owns(Service s) {
    return Modes.isGlobal(s);
  }

  @Override
  protected void plan(Pass p, Service service) {
    List<PlacementConstraint> constraints = constraints(service);
    TreeMap<String, Node> nodes = new TreeMap<>();
    for (Node n : p.tx.nodes().all()) {
      nodes.put(n.id, n);
    }
    TreeMap<String, SlotGroup> byNode = new TreeMap<>();
    for (Task t : liveTasks(p, service.id)) {
      if (t.nodeId == null) {
        p.desire(t, TaskState.REMOVE); // a global task always has its node
        continue;
      }
      byNode.computeIfAbsent(t.nodeId, id -> newGroup(service, id)).tasks.add(t);
    }
    byNode.values().forEach(ServiceOrchestrator::sortSlot);
    for (String id : nodes.keySet()) {
      byNode.computeIfAbsent(id, k -> newGroup(service, k));
    }

    List<SlotGroup> updatable = new ArrayList<>();
    for (SlotGroup g : byNode.values()) {
      if (p.full()) {
        return;
      }
      NodeFit fit = constraints == null ? NodeFit.EVICT : NodeFit.forGlobal(nodes.get(g.nodeId), constraints);
      switch (fit) {
        case GONE -> removeSlot(p, g);
        case EVICT -> {
          for (Task t : g.runnable()) {
            p.desire(t, TaskState.SHUTDOWN);
          }
          p.afterCommit(() -> restarts.cancel(g.key));
        }
        case KEEP, ELIGIBLE -> {
          boolean eligible = fit == NodeFit.ELIGIBLE;
          keepOneRunnable(p, service, g);
          Task t = g.running();
          if (t != null && TaskFacts.stopped(t)) {
            handleStopped(p, service, g, t, eligible);
          }
          startDueRestart(p, service, g, eligible);
          if (eligible) {
            if (!occupied(g)) {
              create(p, service, g);
            }
            updatable.add(g);
          }
        }
      }
    }
    if (!p.full()) {
      rollingUpdate(p, service, updatable);
    }
  }

  /** The service's parsed constraints, or null (matching no node) when one does not parse. */
  static List<PlacementConstraint> constraints(Service service) {
    List<PlacementConstraint> out = new ArrayList<>();
    if (service.spec.taskTemplate == null || service.spec.taskTemplate.placement == null
        || service.spec.taskTemplate.placement.constraints == null) {
      return out;
    }
    for (String c : service.spec.taskTemplate.placement.constraints) {
      try {
        out.add(PlacementConstraint.parse(c));
      } catch (RuntimeException e) {
        LOG.warn("service {}: placement constraint ignored, no node matches: {}", service.spec.name, e.getMessage());
        return null;
      }
    }
    return out;
  }

  private static SlotGroup newGroup(Service service, String nodeId) {
    return new SlotGroup(RestartSupervisor.nodeKey(service.id, nodeId), null, nodeId);
  }

  // ---- events ----

  @Override
  protected boolean interested(Event e) {
    if (e.isIn(Tables.SERVICES)) {
      return e.kind() != Event.Kind.DELETE;
    }
    if (e.isIn(Tables.TASKS)) {
      return ReplicatedOrchestrator.taskEventMatters(e);
    }
    return e.isIn(Tables.NODES);
  }

  @Override
  protected void noteEvent(Event e) {
    if (e.isIn(Tables.SERVICES)) {
      Service s = (Service) e.object();
      if (owns(s)) {
        noteUpdateState(s);
        dirty.add(s.id);
      }
    } else if (e.isIn(Tables.TASKS)) {
      Task t = (Task) e.object();
      if (t.serviceId != null && (t.slot == null || t.slot == 0)) {
        noteTaskEvent(e);
      }
    } else if (e.isIn(Tables.NODES)) {
      dirty.addAll(store.viewStale(tx -> {
        List<String> ids = new ArrayList<>();
        for (Service s : tx.services().all()) {
          if (owns(s)) {
            ids.add(s.id);
          }
        }
        return ids;
      }));
    }
  }
}
