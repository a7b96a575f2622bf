package io.jswarm.worker.agent;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.types.Config;
import io.jswarm.api.types.Secret;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The secrets and configs the dispatcher gave this node for its tasks ({@link DispatcherMessage#DEPENDENCIES}), held
 * in memory only: nothing of a secret is written to the node's disk or logged. A container reads what its task
 * references when it starts; the dispatcher withdraws what no task of the node needs any more, and a new session's
 * full set replaces everything.
 */
public final class TaskDependencies {
  private final Map<String, Secret> secrets = new ConcurrentHashMap<>();
  private final Map<String, Config> configs = new ConcurrentHashMap<>();

  /** Applies one {@code dependencies} message (other messages are ignored). */
  public void apply(DispatcherMessage m) {
    if (!DispatcherMessage.DEPENDENCIES.equals(m.type)) {
      return;
    }
    if (m.isFull()) {
      secrets.clear();
      configs.clear();
    }
    if (m.secrets != null) {
      m.secrets.forEach(s -> secrets.put(s.id, s));
    }
    if (m.configs != null) {
      m.configs.forEach(c -> configs.put(c.id, c));
    }
    if (m.removedSecrets != null) {
      m.removedSecrets.forEach(secrets::remove);
    }
    if (m.removedConfigs != null) {
      m.removedConfigs.forEach(configs::remove);
    }
  }

  /** The secret with this id, or null when the node was not given it. */
  public Secret secret(String id) {
    return secrets.get(id);
  }

  /** The config with this id, or null when the node was not given it. */
  public Config config(String id) {
    return configs.get(id);
  }

  /** Ids of the secrets held now (for tests and diagnostics; never the data). */
  public java.util.Set<String> secretIds() {
    return java.util.Set.copyOf(secrets.keySet());
  }
}
