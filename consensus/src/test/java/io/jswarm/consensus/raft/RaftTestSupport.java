package io.jswarm.consensus.raft;

import io.jswarm.api.types.Secret;
import io.jswarm.consensus.store.MemoryStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.function.Consumer;

/** Shared settings and row helpers for the Raft tests. */
final class RaftTestSupport {
  /** Short election and write timeouts, so failover tests take seconds. */
  static final Consumer<RaftConfig.Builder> FAST =
      b -> b.electionTimeoutMin(Duration.ofMillis(300)).writeTimeout(Duration.ofSeconds(4));

  private RaftTestSupport() {}

  static Secret secret(String name) {
    Secret s = new Secret();
    s.spec = new Secret.Spec();
    s.spec.name = name;
    s.spec.labels = new HashMap<>();
    s.spec.labels.put("n", name);
    return s;
  }

  /** Creates a secret called {@code name}; returns its id. */
  static String createSecret(MemoryStore store, String name) {
    return store.update(tx -> tx.secrets().create(secret(name)).id);
  }
}
