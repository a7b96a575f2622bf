package io.jswarm.consensus.store;

import io.jswarm.api.types.Config;
import io.jswarm.api.types.Network;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Secret;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.StoreObject;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The seven tables of the cluster store and their indexes. */
public final class Tables {
  /** Index of a row's name: unique in tables with unique names; node names are hostname and spec name. */
  public static final String BY_NAME = "name";
  /** Tasks by {@code ServiceID}. */
  public static final String BY_SERVICE = "service";
  /** Tasks by {@code NodeID}. */
  public static final String BY_NODE = "node";
  /** Tasks by service and slot, key {@link #slotKey}. */
  public static final String BY_SLOT = "slot";
  /** Tasks by desired state ({@code running}, {@code shutdown}, ...). */
  public static final String BY_DESIRED_STATE = "desiredState";

  /**
   * Counter of tasks by {@link #statusCountKey}: what {@code service ls} shows (running, complete, desired to run),
   * per service, node and job iteration, read without visiting 100,000 tasks per listing.
   */
  public static final String STATUS_COUNTS = "statusCounts";
  /** Kinds of {@link #STATUS_COUNTS} keys. */
  public static final String COUNT_RUNNING = "running";
  public static final String COUNT_COMPLETE = "complete";
  public static final String COUNT_DESIRED = "desired";

  public static final TableSpec<Node> NODES = new TableSpec<>("nodes", Node.class, "node", false,
      Map.of(BY_NAME, Tables::nodeNames));
  public static final TableSpec<Service> SERVICES = named("services", Service.class, "service");
  public static final TableSpec<Task> TASKS = new TableSpec<>("tasks", Task.class, "task", false, Map.of(
      BY_NAME, t -> one(t.name),
      BY_SERVICE, t -> one(t.serviceId),
      BY_NODE, t -> one(t.nodeId),
      BY_SLOT, t -> t.serviceId == null || t.slot == null ? List.of() : List.of(slotKey(t.serviceId, t.slot)),
      BY_DESIRED_STATE, t -> t.desiredState == null ? List.of() : List.of(t.desiredState.json())),
      Map.of(STATUS_COUNTS, Tables::statusCounts));
  public static final TableSpec<Network> NETWORKS = named("networks", Network.class, "network");
  public static final TableSpec<Secret> SECRETS = named("secrets", Secret.class, "secret");
  public static final TableSpec<Config> CONFIGS = named("configs", Config.class, "config");
  public static final TableSpec<Swarm> CLUSTER = named("cluster", Swarm.class, "cluster");

  /** Every table, in the fixed order used by snapshots and hashes. */
  public static final List<TableSpec<? extends StoreObject>> ALL =
      List.of(NODES, SERVICES, TASKS, NETWORKS, SECRETS, CONFIGS, CLUSTER);

  private Tables() {}

  /**
   * A {@link #STATUS_COUNTS} key: {@code serviceId/nodeId/jobIteration/kind}, the node empty for a task on no node,
   * the iteration {@code -} for a task of no job run; its prefix {@code serviceId/} selects one service.
   */
  public static String statusCountKey(String serviceId, String nodeId, Long jobIteration, String kind) {
    return serviceId + "/" + (nodeId == null ? "" : nodeId) + "/" + (jobIteration == null ? "-" : jobIteration) + "/"
        + kind;
  }

  private static Collection<String> statusCounts(Task t) {
    if (t.serviceId == null || t.serviceId.isEmpty()) {
      return List.of();
    }
    Long iteration = t.jobIteration == null ? null : t.jobIteration.index;
    List<String> keys = new ArrayList<>(2);
    TaskState observed = t.status == null ? null : t.status.state;
    if (observed == TaskState.RUNNING) {
      keys.add(statusCountKey(t.serviceId, t.nodeId, iteration, COUNT_RUNNING));
    } else if (observed == TaskState.COMPLETE) {
      keys.add(statusCountKey(t.serviceId, t.nodeId, iteration, COUNT_COMPLETE));
    }
    if (t.desiredState != null && (!t.desiredState.isTerminal() || t.desiredState == TaskState.COMPLETE)) {
      keys.add(statusCountKey(t.serviceId, t.nodeId, iteration, COUNT_DESIRED));
    }
    return keys;
  }

  public static String slotKey(String serviceId, long slot) {
    return serviceId + "/" + slot;
  }

  /** The table called {@code name} in change batches and snapshots. */
  public static TableSpec<? extends StoreObject> byName(String name) {
    for (TableSpec<? extends StoreObject> t : ALL) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown table \"" + name + "\"");
  }

  private static <T extends StoreObject> TableSpec<T> named(String name, Class<T> type, String noun) {
    Function<T, Collection<String>> byName = o -> one(o.uniqueName());
    return new TableSpec<>(name, type, noun, true, Map.of(BY_NAME, byName));
  }

  private static Collection<String> nodeNames(Node n) {
    List<String> names = new ArrayList<>(2);
    if (n.spec != null && n.spec.name != null && !n.spec.name.isEmpty()) {
      names.add(n.spec.name);
    }
    if (n.description != null && n.description.hostname != null && !names.contains(n.description.hostname)) {
      names.add(n.description.hostname);
    }
    return names;
  }

  private static Collection<String> one(String s) {
    return s == null || s.isEmpty() ? List.of() : List.of(s);
  }
}
