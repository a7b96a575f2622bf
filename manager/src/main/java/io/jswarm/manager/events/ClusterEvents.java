package io.jswarm.manager.events;

import io.jswarm.api.types.EventMessage;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.ServiceMode;
import io.jswarm.api.types.StoreObject;
import io.jswarm.api.types.Timestamps;
import io.jswarm.consensus.store.Event;
import io.jswarm.consensus.store.TableSpec;
import io.jswarm.consensus.store.Tables;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A store change as dockerd reports a swarm change ({@code daemon/events.go}, {@code logServiceEvent} and friends):
 * Type service/node/network/secret/config, Action create/update/remove, Actor = the object's id with its {@code
 * name}, scope {@code swarm}; the time is the object's {@code CreatedAt} (create), {@code UpdatedAt} (update) or
 * now (remove). Updates also carry what changed where dockerd reports it: a service's {@code image.old/new},
 * {@code replicas.old/new} and {@code updatestate.old/new}; a node's {@code availability}, {@code role}, {@code
 * state}, {@code leader} and {@code reachability} {@code .old/.new}. Pure: no clock but the one given.
 */
public final class ClusterEvents {
  private ClusterEvents() {}

  /** True for the tables whose changes are events (tasks and the cluster object are not, as in Docker). */
  public static boolean reported(Event e) {
    return e.isIn(Tables.SERVICES) || e.isIn(Tables.NODES) || e.isIn(Tables.NETWORKS) || e.isIn(Tables.SECRETS)
        || e.isIn(Tables.CONFIGS);
  }

  /** The event for one store change, or null for a change that is none (a commit, a task). */
  public static EventMessage of(Event e, Instant now) {
    if (e.isCommit() || !reported(e)) {
      return null;
    }
    StoreObject o = e.object();
    String action = switch (e.kind()) {
      case CREATE -> "create";
      case UPDATE -> "update";
      default -> "remove";
    };
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("name", name(e.table(), o));
    if (e.kind() == Event.Kind.UPDATE && e.old() != null) {
      if (o instanceof Service s) {
        serviceChanges(s, (Service) e.old(), attributes);
      } else if (o instanceof Node n) {
        nodeChanges(n, (Node) e.old(), attributes);
      }
    }
    Instant when = switch (e.kind()) {
      case CREATE -> time(o.createdAt, now);
      case UPDATE -> time(o.updatedAt, now);
      default -> now;
    };
    return EventMessage.of(e.table().noun(), action, o.id, attributes, EventMessage.SCOPE_SWARM, when);
  }

  private static String name(TableSpec<?> table, StoreObject o) {
    if (o instanceof Node n) {
      if (n.spec != null && n.spec.name != null && !n.spec.name.isEmpty()) {
        return n.spec.name;
      }
      return n.description == null || n.description.hostname == null ? "" : n.description.hostname;
    }
    String name = o.uniqueName();
    return name == null ? "" : name;
  }

  private static void serviceChanges(Service now, Service old, Map<String, String> a) {
    String image = image(now);
    String oldImage = image(old);
    if (!Objects.equals(image, oldImage)) {
      a.put("image.old", Objects.toString(oldImage, ""));
      a.put("image.new", Objects.toString(image, ""));
    }
    Long replicas = replicas(now);
    Long oldReplicas = replicas(old);
    if (replicas != null && oldReplicas != null && !replicas.equals(oldReplicas)) {
      a.put("replicas.old", oldReplicas.toString());
      a.put("replicas.new", replicas.toString());
    }
    String state = now.updateStatus == null ? null : now.updateStatus.state;
    String oldState = old.updateStatus == null ? null : old.updateStatus.state;
    if (state != null && oldState == null) {
      a.put("updatestate.new", state);
    } else if (state != null && !state.equals(oldState)) {
      a.put("updatestate.old", oldState);
      a.put("updatestate.new", state);
    }
  }

  private static void nodeChanges(Node now, Node old, Map<String, String> a) {
    change(a, "availability", now.spec == null ? null : now.spec.availability,
        old.spec == null ? null : old.spec.availability);
    change(a, "role", now.spec == null ? null : now.spec.role, old.spec == null ? null : old.spec.role);
    change(a, "state", now.status == null ? null : now.status.state, old.status == null ? null : old.status.state);
    if (now.managerStatus != null && old.managerStatus != null) {
      change(a, "leader", String.valueOf(Boolean.TRUE.equals(now.managerStatus.leader)),
          String.valueOf(Boolean.TRUE.equals(old.managerStatus.leader)));
      change(a, "reachability", now.managerStatus.reachability, old.managerStatus.reachability);
    }
  }

  private static void change(Map<String, String> a, String key, String now, String old) {
    if (!Objects.equals(now, old)) {
      a.put(key + ".old", lower(old));
      a.put(key + ".new", lower(now));
    }
  }

  private static String lower(String s) {
    return s == null ? "" : s.toLowerCase(Locale.ROOT);
  }

  private static String image(Service s) {
    return s.spec == null || s.spec.taskTemplate == null || s.spec.taskTemplate.containerSpec == null ? null
        : s.spec.taskTemplate.containerSpec.image;
  }

  private static Long replicas(Service s) {
    ServiceMode m = s.spec == null ? null : s.spec.mode;
    return m == null || m.replicated == null ? null : m.replicated.replicas;
  }

  private static Instant time(String stamp, Instant fallback) {
    if (stamp == null || stamp.isEmpty()) {
      return fallback;
    }
    try {
      return Timestamps.parse(stamp);
    } catch (RuntimeException e) {
      return fallback;
    }
  }
}
