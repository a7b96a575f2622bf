package io.jswarm.manager.dispatcher;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.types.Config;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Secret;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import io.jswarm.consensus.store.ReadTx;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which secrets and configs each node must hold (events thread of a {@link LeaderTerm}): those referenced by the
 * tasks assigned to it ({@link AssignmentFeed#visibleNode}) that have not ended (observed state RUNNING or earlier). A
 * task that ends, moves or is deleted stops needing them; once no task of the node needs a secret, it is withdrawn.
 * Counts are kept per node, so a change costs the size of one task's references, not a scan of all tasks.
 *
 * <p>Only ids are kept here; the payloads are read from the store when a node is sent them.
 */
final class DependencyFeed {
  /** What one task holds on its node. */
  private record Need(String nodeId, List<String> secrets, List<String> configs) {}

  /** What a node was last sent. */
  static final class Sent {
    final Set<String> secrets = new TreeSet<>();
    final Set<String> configs = new TreeSet<>();
  }

  /** Ids to add and to withdraw for one node. */
  record Delta(List<String> addSecrets, List<String> addConfigs, List<String> removeSecrets,
      List<String> removeConfigs) {
    boolean isEmpty() {
      return addSecrets.isEmpty() && addConfigs.isEmpty() && removeSecrets.isEmpty() && removeConfigs.isEmpty();
    }
  }

  private final Map<String, Need> byTask = new HashMap<>();
  private final Map<String, Map<String, Integer>> secretCounts = new HashMap<>();
  private final Map<String, Map<String, Integer>> configCounts = new HashMap<>();
  private final Set<String> dirtyNodes = new LinkedHashSet<>();

  void clear() {
    byTask.clear();
    secretCounts.clear();
    configCounts.clear();
    dirtyNodes.clear();
  }

  /** Re-reads task {@code now}, or forgets task {@code id} when {@code now} is null (deleted). */
  void taskChanged(String id, Task now) {
    Need before = byTask.remove(id);
    Need after = need(now);
    if (before != null && before.equals(after)) {
      byTask.put(id, after);
      return;
    }
    if (before != null) {
      count(secretCounts, before.nodeId(), before.secrets(), -1);
      count(configCounts, before.nodeId(), before.configs(), -1);
    }
    if (after != null) {
      byTask.put(id, after);
      count(secretCounts, after.nodeId(), after.secrets(), 1);
      count(configCounts, after.nodeId(), after.configs(), 1);
    }
  }

  boolean hasDirty() {
    return !dirtyNodes.isEmpty();
  }

  Set<String> dirtyNodes() {
    return dirtyNodes;
  }

  void clearDirty() {
    dirtyNodes.clear();
  }

  /** What {@code nodeId} must be sent now given {@code sent} (which this updates to the current need). */
  Delta delta(String nodeId, Sent sent) {
    Set<String> secrets = secretCounts.getOrDefault(nodeId, Map.of()).keySet();
    Set<String> configs = configCounts.getOrDefault(nodeId, Map.of()).keySet();
    Delta d = new Delta(added(secrets, sent.secrets), added(configs, sent.configs), added(sent.secrets, secrets),
        added(sent.configs, configs));
    sent.secrets.clear();
    sent.secrets.addAll(secrets);
    sent.configs.clear();
    sent.configs.addAll(configs);
    return d;
  }

  /** The secret and config ids {@code tasks} (a node's full assignment set) need, for a full message. */
  static Delta needsOf(Collection<Task> tasks) {
    Set<String> secrets = new TreeSet<>();
    Set<String> configs = new TreeSet<>();
    for (Task t : tasks) {
      Need n = need(t);
      if (n != null) {
        secrets.addAll(n.secrets());
        configs.addAll(n.configs());
      }
    }
    return new Delta(new ArrayList<>(secrets), new ArrayList<>(configs), List.of(), List.of());
  }

  /** The message for {@code d}, with the payloads of what it adds (one deleted meanwhile is left out). */
  static DispatcherMessage message(ReadTx tx, boolean full, Delta d) {
    List<Secret> secrets = new ArrayList<>();
    for (String id : d.addSecrets()) {
      Secret x = tx.secrets().get(id);
      if (x != null) {
        secrets.add(x);
      }
    }
    List<Config> configs = new ArrayList<>();
    for (String id : d.addConfigs()) {
      Config x = tx.configs().get(id);
      if (x != null) {
        configs.add(x);
      }
    }
    return DispatcherMessage.dependencies(full, secrets, configs, d.removeSecrets(), d.removeConfigs());
  }

  private static List<String> added(Set<String> now, Set<String> before) {
    List<String> out = new ArrayList<>();
    for (String id : now) {
      if (!before.contains(id)) {
        out.add(id);
      }
    }
    return out;
  }

  private void count(Map<String, Map<String, Integer>> counts, String nodeId, List<String> ids, int by) {
    if (ids.isEmpty()) {
      return;
    }
    Map<String, Integer> c = counts.computeIfAbsent(nodeId, k -> new HashMap<>());
    for (String id : ids) {
      int v = c.getOrDefault(id, 0) + by;
      if (v <= 0) {
        c.remove(id);
        dirtyNodes.add(nodeId);
      } else {
        if (v == 1 && by > 0) {
          dirtyNodes.add(nodeId);
        }
        c.put(id, v);
      }
    }
    if (c.isEmpty()) {
      counts.remove(nodeId);
    }
  }

  /** What a task holds where it is, or null when it is on no node, has ended, or references nothing. */
  private static Need need(Task t) {
    String node = AssignmentFeed.visibleNode(t);
    if (node == null || t.status.state.number() > TaskState.RUNNING.number() || t.spec == null
        || t.spec.containerSpec == null) {
      return null;
    }
    ContainerSpec c = t.spec.containerSpec;
    List<String> secrets = new ArrayList<>();
    if (c.secrets != null) {
      for (ContainerSpec.SecretReference r : c.secrets) {
        if (r != null && r.secretId != null && !secrets.contains(r.secretId)) {
          secrets.add(r.secretId);
        }
      }
    }
    List<String> configs = new ArrayList<>();
    if (c.configs != null) {
      for (ContainerSpec.ConfigReference r : c.configs) {
        if (r != null && r.configId != null && !configs.contains(r.configId)) {
          configs.add(r.configId);
        }
      }
    }
    return secrets.isEmpty() && configs.isEmpty() ? null : new Need(node, secrets, configs);
  }
}
