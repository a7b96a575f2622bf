package io.jswarm.consensus.raft;

import io.jswarm.consensus.crypto.AesGcmKey;
import java.nio.file.Path;
import io.jswarm.api.limits.ListenerLimits;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

/**
 * Settings of one manager's Raft member. Built with {@link #builder}; every field has the default a user gets
 * without flags.
 *
 * @param id this manager's id (the node id)
 * @param address host:port this manager's Raft listener binds and advertises
 * @param storageDir where the Raft log and snapshots live: {@code <data-root>/raft}
 * @param clusterId names the Raft group (the same on every manager of a cluster)
 * @param initialPeers id -> address of the group to bootstrap (including this manager); empty to start as a
 *     new member waiting to be added by the leader ({@link RaftNode#addManager})
 * @param snapshotEvery take a snapshot (and purge the log before it) every this many entries
 * @param writeTimeout a write (or linearizable read) with no quorum fails after about this long
 * @param electionTimeoutMin lower bound of the randomized election timeout
 * @param segmentSize maximum size of one log segment file
 * @param ratisProperties raw Apache Ratis settings ({@code raft.server....}) applied last, for tuning
 * @param tlsKeyManager with {@code tlsTrustManager}: Raft traffic is mutual TLS, this manager presenting the
 *     certificate of this key manager and accepting peers the trust manager accepts (both null: plain TCP)
 * @param tlsTrustManager see {@code tlsKeyManager}
 * @param listenerLimits what a peer can make the Raft port hold (connections per peer, handshake and idle
 *     timeouts): the rule every listener of a node follows ({@link ListenerLimits})
 * @param dataKey the cluster's data encryption key: log entries and snapshots are AES-GCM encrypted with it (the
 *     same key on every manager); null keeps them in the clear (tests, benchmark comparison)
 */
public record RaftConfig(
    String id,
    String address,
    Path storageDir,
    String clusterId,
    Map<String, String> initialPeers,
    long snapshotEvery,
    Duration writeTimeout,
    Duration electionTimeoutMin,
    long segmentSize,
    Map<String, String> ratisProperties,
    KeyManager tlsKeyManager,
    TrustManager tlsTrustManager,
    AesGcmKey dataKey,
    ListenerLimits listenerLimits) {

  public static final long DEFAULT_SNAPSHOT_EVERY = 10_000;
  public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(10);
  /**
   * Followers start an election 0.5-1 s after they last heard the leader (heartbeats every 250 ms), and a leader that
   * heard no majority for 1.5 s steps down; the pre-vote round keeps a slow follower from deposing a live leader.
   * The default of {@code Spec.Raft.ElectionTick} (5 ticks of 100 ms) since the seventh failover round (docs/scale.md:
   * the nemesis and the CI cluster test ran clean with it); 1-2 s before. A manager sets it from the cluster's
   * {@code Spec.Raft.ElectionTick} (the daemon's {@code RaftTiming}).
   */
  public static final Duration DEFAULT_ELECTION_TIMEOUT = Duration.ofMillis(500);
  public static final long DEFAULT_SEGMENT_SIZE = 8L << 20;

  public RaftConfig {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(storageDir, "storageDir");
    Objects.requireNonNull(clusterId, "clusterId");
    initialPeers = Map.copyOf(initialPeers);
    listenerLimits = listenerLimits == null ? ListenerLimits.DEFAULT : listenerLimits;
    ratisProperties = Map.copyOf(ratisProperties);
    if ((tlsKeyManager == null) != (tlsTrustManager == null)) {
      throw new IllegalArgumentException("TLS needs both a key manager and a trust manager");
    }
    if (snapshotEvery < 1) {
      throw new IllegalArgumentException("snapshot interval must be at least 1 entry, got " + snapshotEvery);
    }
  }

  public static Builder builder(String id, String address, Path storageDir) {
    return new Builder(id, address, storageDir);
  }

  /** Whether Raft traffic is mutual TLS ({@link Builder#tls}). */
  public boolean tls() {
    return tlsKeyManager != null;
  }

  /** A single-manager group: this manager is the only peer. */
  public boolean bootstrapsAlone() {
    return initialPeers.size() == 1 && initialPeers.containsKey(id);
  }

  public static final class Builder {
    private final String id;
    private final String address;
    private final Path storageDir;
    private String clusterId = "jswarm";
    private final Map<String, String> peers = new LinkedHashMap<>();
    private long snapshotEvery = DEFAULT_SNAPSHOT_EVERY;
    private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
    private Duration electionTimeoutMin = DEFAULT_ELECTION_TIMEOUT;
    private long segmentSize = DEFAULT_SEGMENT_SIZE;
    private ListenerLimits listenerLimits = ListenerLimits.DEFAULT;
    private final Map<String, String> ratisProperties = new LinkedHashMap<>();
    private KeyManager tlsKeyManager;
    private TrustManager tlsTrustManager;
    private AesGcmKey dataKey;

    private Builder(String id, String address, Path storageDir) {
      this.id = id;
      this.address = address;
      this.storageDir = storageDir;
    }

    public Builder clusterId(String v) {
      clusterId = v;
      return this;
    }

    /** Adds a peer of the initial group; call for every manager, this one included. */
    public Builder peer(String peerId, String peerAddress) {
      peers.put(peerId, peerAddress);
      return this;
    }

    public Builder peers(Map<String, String> all) {
      peers.putAll(all);
      return this;
    }

    public Builder snapshotEvery(long v) {
      snapshotEvery = v;
      return this;
    }

    public Builder writeTimeout(Duration v) {
      writeTimeout = v;
      return this;
    }

    public Builder electionTimeoutMin(Duration v) {
      electionTimeoutMin = v;
      return this;
    }

    public Builder segmentSize(long v) {
      segmentSize = v;
      return this;
    }

    /** Sets a raw Ratis property (see {@code RaftServerConfigKeys}); applied after jswarm's own settings. */
    public Builder ratisProperty(String key, String value) {
      ratisProperties.put(key, value);
      return this;
    }

    /**
     * Mutual TLS for all Raft traffic of this manager (server, forwarding clients, admin calls): it presents the
     * certificate {@code keyManager} chooses and accepts peers (in both directions) that {@code trustManager}
     * accepts. Every manager of the group must use TLS or none.
     */
    public Builder tls(KeyManager keyManager, TrustManager trustManager) {
      tlsKeyManager = Objects.requireNonNull(keyManager, "keyManager");
      tlsTrustManager = Objects.requireNonNull(trustManager, "trustManager");
      return this;
    }

    /** Encrypts log entries and snapshots with the cluster's data key (every manager of the group the same). */
    public Builder dataKey(AesGcmKey v) {
      dataKey = v;
      return this;
    }

    /** What a peer can make the Raft port hold ({@link ListenerLimits#DEFAULT} unless set; tests shrink it). */
    public Builder listenerLimits(ListenerLimits v) {
      listenerLimits = v;
      return this;
    }

    public RaftConfig build() {
      return new RaftConfig(id, address, storageDir, clusterId, peers, snapshotEvery, writeTimeout,
          electionTimeoutMin, segmentSize, ratisProperties, tlsKeyManager, tlsTrustManager, dataKey, listenerLimits);
    }
  }
}
