package io.jswarm.consensus.raft;

import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * The Apache Ratis settings of a manager's Raft member and of its clients (tested by {@code RaftSettingsTest}):
 * timeouts that failover depends on (docs/scale.md), and what an idle member costs (docs/footprint.md).
 */
final class RaftSettings {
  private RaftSettings() { }

  private static boolean reportersSet;

  /**
   * Footprint (docs/footprint.md): when its first metric registry is made and no reporter was registered, Ratis
   * starts a JMX reporter, an MBean per Raft metric, which nobody reads: jswarm serves its own Raft metrics
   * (docs/metrics.md). Registering a reporter that does nothing keeps it from doing so.
   */
  static synchronized void noJmxReporter() {
    if (!reportersSet) {
      org.apache.ratis.metrics.MetricRegistries.global().addReporterRegistration(r -> { }, r -> { });
      reportersSet = true;
    }
  }

  /** The Ratis settings of a member. */
  static RaftProperties serverProperties(RaftConfig cfg) {
    RaftProperties p = new RaftProperties();
    int colon = cfg.address().lastIndexOf(':');
    String host = cfg.address().substring(0, colon);
    int port = Integer.parseInt(cfg.address().substring(colon + 1));
    // gRPC with or without TLS: the tests run the transport the daemons run (Ratis' Netty RPC has no TLS, and
    // under heavy load it was seen spinning on append-entries to a follower that had just installed a snapshot)
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    GrpcConfigKeys.Server.setHost(p, host);
    GrpcConfigKeys.Server.setPort(p, port);
    RaftServerConfigKeys.setStorageDir(p, List.of(cfg.storageDir().toFile()));
    long gap = Math.min(1024, cfg.snapshotEvery());
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, cfg.snapshotEvery());
    RaftServerConfigKeys.Snapshot.setCreationGap(p, gap);
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgeGap(p, (int) gap);
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(cfg.segmentSize()));
    RaftServerConfigKeys.Log.setCorruptionPolicy(p, RaftServerConfigKeys.Log.CorruptionPolicy.EXCEPTION);
    long election = cfg.electionTimeoutMin().toMillis();
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(election, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2 * election, TimeUnit.MILLISECONDS));
    // Failover (docs/scale.md): a follower's election timer sleeps a random timeout and, when the sleep overran by more
    // than this threshold, takes the overrun for a JVM pause and sleeps a whole new timeout instead of starting an
    // election. Ratis' 300 ms made a loaded machine (every sleep late) wait several rounds after a leader died; an
    // overrun counts as a pause only past the minimum election timeout. A follower that did start an election
    // needlessly disturbs nobody: the pre-vote round (on, below) asks first, and a member that still hears the
    // leader refuses it.
    RaftServerConfigKeys.setSleepDeviationThreshold(p, TimeDuration.valueOf(election, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.LeaderElection.setPreVote(p, true);
    if (cfg.bootstrapsAlone()) { // a lone manager need not wait out an election timeout to lead
      RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, TimeDuration.valueOf(50, TimeUnit.MILLISECONDS));
      RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS));
    }
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Read.setTimeout(p, TimeDuration.valueOf(cfg.writeTimeout().toMillis(), TimeUnit.MILLISECONDS));
    // A leader that cannot reach a majority for this long steps down instead of pretending to lead.
    RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(p,
        TimeDuration.valueOf(Math.max(3 * election, 1000), TimeUnit.MILLISECONDS));
    cfg.ratisProperties().forEach(p::set);
    if (!cfg.ratisProperties().containsKey(RaftServerConfigKeys.Log.WRITE_BUFFER_SIZE_KEY)) {
      // Footprint (docs/footprint.md): the log worker's write buffer is one direct buffer, zeroed (so resident) when
      // the member starts; Ratis' 8 MB default was the largest native block of an idle daemon. Ratis requires it to
      // hold the appender's byte limit (4 MB: the most one append-entries request carries) plus 8 bytes.
      RaftServerConfigKeys.Log.setWriteBufferSize(p,
          SizeInBytes.valueOf(RaftServerConfigKeys.Log.Appender.bufferByteLimit(p).getSize() + 8));
    }
    return p;
  }

  /** Mutual TLS for the gRPC server, its connections to peers, and clients; empty parameters without TLS. */
  static Parameters tlsParameters(KeyManager keyManager, TrustManager trustManager) {
    Parameters params = new Parameters();
    if (keyManager != null) {
      // the JDK's TLS (footprint, docs/footprint.md), which the API and the dispatcher load anyway, rather than Ratis'
      // default of Netty's BoringSSL: a 2 MB native library extracted to /tmp and mapped by every daemon
      GrpcTlsConfig tls = GrpcTlsConfig.newBuilder().setKeyManager(keyManager).setTrustManager(trustManager)
          .setMutualTls(true).setSslProvider(org.apache.ratis.thirdparty.io.netty.handler.ssl.SslProvider.JDK).build();
      GrpcConfigKeys.Server.setTlsConf(params, tls);
      GrpcConfigKeys.Client.setTlsConf(params, tls);
      GrpcConfigKeys.Admin.setTlsConf(params, tls);
    }
    return params;
  }

  static SupportedRpcType rpcType(boolean tls) {
    return SupportedRpcType.GRPC;
  }

  static RaftProperties clientProperties(RaftConfig cfg) {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, rpcType(cfg.tls()));
    // One attempt on one server: a dead leader's requests fail fast (its connection is refused), one that hangs is
    // given up after about two election timeouts, by when a new leader is known; the retry goes there.
    long attempt = Math.max(1000, Math.min(cfg.writeTimeout().toMillis() / 3, 2 * cfg.electionTimeoutMin().toMillis()));
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(attempt, TimeUnit.MILLISECONDS));
    return p;
  }
}
