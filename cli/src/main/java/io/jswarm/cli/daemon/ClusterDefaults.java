package io.jswarm.cli.daemon;

import io.jswarm.api.json.Json;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.validation.SpecValidator;
import java.time.Duration;

/** Docker's defaults for a new cluster's spec ({@code swarm init} with no flags), filled in where a field is unset. */
public final class ClusterDefaults {
  public static final long TASK_HISTORY_LIMIT = 5;
  public static final Duration HEARTBEAT_PERIOD = Duration.ofSeconds(5);
  public static final Duration NODE_CERT_EXPIRY = Duration.ofDays(90);
  public static final long SNAPSHOT_INTERVAL = 10_000;
  public static final long LOG_ENTRIES_FOR_SLOW_FOLLOWERS = 500;

  private ClusterDefaults() {}

  /** A validated copy of {@code requested} (may be null) with every unset field defaulted. */
  public static Swarm.Spec withDefaults(Swarm.Spec requested) {
    Swarm.Spec s = requested == null ? new Swarm.Spec() : Json.copy(requested);
    s.name = Swarm.DEFAULT_NAME;
    if (s.orchestration == null) {
      s.orchestration = new Swarm.Orchestration();
    }
    if (s.orchestration.taskHistoryRetentionLimit == null) {
      s.orchestration.taskHistoryRetentionLimit = TASK_HISTORY_LIMIT;
    }
    if (s.orchestration.maxReplicasPerService == null) {
      s.orchestration.maxReplicasPerService = Swarm.Orchestration.DEFAULT_MAX_REPLICAS_PER_SERVICE;
    }
    if (s.raft == null) {
      s.raft = new Swarm.Raft();
    }
    if (s.raft.snapshotInterval == null) {
      s.raft.snapshotInterval = SNAPSHOT_INTERVAL;
    }
    if (s.raft.keepOldSnapshots == null) {
      s.raft.keepOldSnapshots = 0L;
    }
    if (s.raft.logEntriesForSlowFollowers == null) {
      s.raft.logEntriesForSlowFollowers = LOG_ENTRIES_FOR_SLOW_FOLLOWERS;
    }
    s.raft.defaultTicks();
    if (s.dispatcher == null) {
      s.dispatcher = new Swarm.Dispatcher();
    }
    if (s.dispatcher.heartbeatPeriod == null) {
      s.dispatcher.heartbeatPeriod = HEARTBEAT_PERIOD.toNanos();
    }
    if (s.caConfig == null) {
      s.caConfig = new Swarm.CAConfig();
    }
    if (s.caConfig.nodeCertExpiry == null) {
      s.caConfig.nodeCertExpiry = NODE_CERT_EXPIRY.toNanos();
    }
    if (s.encryptionConfig == null) {
      s.encryptionConfig = new Swarm.EncryptionConfig();
      s.encryptionConfig.autoLockManagers = false;
    }
    if (s.taskDefaults == null) {
      s.taskDefaults = new Swarm.TaskDefaults();
    }
    SpecValidator.validateSwarm(s);
    return s;
  }
}
