package io.jswarm.api.types;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The cluster object (Docker Engine API {@code Swarm}); the store's {@code cluster} table holds one, named
 * {@value #DEFAULT_NAME}. Durations are nanoseconds. {@code JoinTokens} is only shown to managers;
 * {@code DataPathPort} is the VXLAN UDP port, {@code DefaultAddrPool}/{@code SubnetSize} where overlay
 * subnets are carved from.
 */
public class Swarm extends StoreObject {
  /** The only swarm name: Swarm does not allow renaming the cluster. */
  public static final String DEFAULT_NAME = "default";

  public Spec spec;
  @JsonProperty("TLSInfo")
  public TLSInfo tlsInfo;
  public Boolean rootRotationInProgress;
  public Long dataPathPort;
  public List<String> defaultAddrPool;
  public Long subnetSize;
  public JoinTokens joinTokens;
  /**
   * The cluster's root CA certificate and private key (PEM). Kept in the store so that every manager can sign
   * node certificates; jswarm's own field, removed from every API answer.
   */
  public RootCAState rootCA;
  /**
   * The manager unlock key ({@code SWMKEY-1-...}) while {@code Spec.EncryptionConfig.AutoLockManagers} is on,
   * else null. jswarm's own field, removed from every API answer but {@code GET /swarm/unlockkey}.
   */
  public String unlockKey;

  @Override
  public String uniqueName() {
    return spec == null ? null : spec.name;
  }

  /** User-modifiable cluster settings (Docker {@code swarm.Spec}, swagger {@code SwarmSpec}). */
  public static class Spec {
    public String name;
    public Map<String, String> labels;
    public Orchestration orchestration;
    public Raft raft;
    public Dispatcher dispatcher;
    @JsonProperty("CAConfig")
    public CAConfig caConfig;
    public EncryptionConfig encryptionConfig;
    public TaskDefaults taskDefaults;
  }

  /**
   * Old tasks kept per slot or node; negative keeps all (Docker {@code OrchestrationConfig}).
   * {@code MaxReplicasPerService} is a jswarm extension: the most tasks one service may ask for (replicas of a
   * replicated service, {@code MaxConcurrent} of a replicated job), so that one request cannot make the leader
   * create tasks without end. Unset means {@link #DEFAULT_MAX_REPLICAS_PER_SERVICE}; a swarm update that leaves it
   * out (Docker clients do not know it) keeps the current value.
   */
  public static class Orchestration {
    /** The default of {@code MaxReplicasPerService}. */
    public static final long DEFAULT_MAX_REPLICAS_PER_SERVICE = 100_000;
    /** The largest {@code MaxReplicasPerService} a cluster may be set to. */
    public static final long LIMIT_MAX_REPLICAS_PER_SERVICE = 10_000_000;

    public Long taskHistoryRetentionLimit;
    public Long maxReplicasPerService;

    /** The maximum in force: the set value, or the default when unset. */
    public static long maxReplicasPerService(Spec spec) {
      return spec == null || spec.orchestration == null || spec.orchestration.maxReplicasPerService == null
          ? DEFAULT_MAX_REPLICAS_PER_SERVICE : spec.orchestration.maxReplicasPerService;
    }
  }

  /**
   * Raft tuning (Docker {@code RaftConfig}). A tick is {@value #TICK_MILLIS} ms (swarmkit's is one second). A
   * follower that hears no leader for ElectionTick to 2 x ElectionTick ticks starts an election (default
   * {@value #DEFAULT_ELECTION_TICK}: 0.5-1 s), and the leader heartbeats every ElectionTick / 2 ticks (Apache Ratis
   * derives it from the election timeout; HeartbeatTick is checked, must stay below ElectionTick, and has no
   * other effect). Each manager applies the ElectionTick of the cluster's spec when its Raft member starts
   * (docs/scale.md, <i>Election timeout</i>).
   */
  public static class Raft {
    public static final long TICK_MILLIS = 100;
    public static final long DEFAULT_ELECTION_TICK = 5;
    public static final long DEFAULT_HEARTBEAT_TICK = 1;
    public static final long MIN_ELECTION_TICK = 3;
    public static final long MAX_ELECTION_TICK = 600;

    public Long snapshotInterval;
    public Long keepOldSnapshots;
    public Long logEntriesForSlowFollowers;
    public Long electionTick;
    public Long heartbeatTick;

    /**
     * The election tick {@code value} stands for: unset or 0 is the default, as in Docker, whose client sends the
     * zero of every field it was not given ({@code docker swarm init} sends {@code "ElectionTick": 0}).
     */
    public static long electionTickOrDefault(Long value) {
      return value == null || value == 0 ? DEFAULT_ELECTION_TICK : value;
    }

    /** The heartbeat tick {@code value} stands for: unset or 0 is the default, as for {@link #electionTickOrDefault}. */
    public static long heartbeatTickOrDefault(Long value) {
      return value == null || value == 0 ? DEFAULT_HEARTBEAT_TICK : value;
    }

    /** Stores what the ticks stand for: a 0 or unset ElectionTick or HeartbeatTick becomes its default. */
    public void defaultTicks() {
      electionTick = electionTickOrDefault(electionTick);
      heartbeatTick = heartbeatTickOrDefault(heartbeatTick);
    }
  }

  /** How often agents heartbeat, in nanoseconds (Docker {@code DispatcherConfig}). */
  public static class Dispatcher {
    public Long heartbeatPeriod;
  }

  /** The cluster CA (Docker {@code CAConfig}); {@code ForceRotate} is a counter that rotates the root when changed. */
  public static class CAConfig {
    public Long nodeCertExpiry;
    public List<ExternalCA> externalCAs;
    public String signingCACert;
    public String signingCAKey;
    public Long forceRotate;
  }

  /** An external signer (Docker {@code ExternalCA}); Protocol is {@code cfssl}. */
  public static class ExternalCA {
    public String protocol;
    @JsonProperty("URL")
    public String url;
    public Map<String, String> options;
    @JsonProperty("CACert")
    public String caCert;
  }

  /** Encryption at rest (Docker {@code EncryptionConfig}). */
  public static class EncryptionConfig {
    public Boolean autoLockManagers;
  }

  /** Defaults for tasks whose service does not set them (Docker {@code TaskDefaults}). */
  public static class TaskDefaults {
    public Driver logDriver;
  }

  /** Tokens for {@code swarm join} (Docker {@code JoinTokens}). */
  public static class JoinTokens {
    public String worker;
    public String manager;
  }

  /**
   * See {@link Swarm#rootCA}. During a root rotation ({@code Spec.CAConfig.ForceRotate} raised) the new root
   * ({@code RotationCACert}/{@code RotationCAKey}) signs every certificate, which carries the new root
   * cross-signed by the current one ({@code RotationCrossSigned}); nodes trust both roots; once every node holds a
   * certificate of the new root, it replaces the current one and the rotation fields are cleared.
   */
  public static class RootCAState {
    @JsonProperty("CACert")
    public String caCert;
    @JsonProperty("CAKey")
    public String caKey;
    @JsonProperty("RotationCACert")
    public String rotationCACert;
    @JsonProperty("RotationCAKey")
    public String rotationCAKey;
    @JsonProperty("RotationCrossSigned")
    public String rotationCrossSigned;

    /** Whether a root rotation is under way. */
    public boolean rotating() {
      return rotationCACert != null;
    }
  }
}
