package io.jswarm.cli.fuzz;

import io.jswarm.cli.daemon.ScratchDaemon;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The daemon {@link ApiFuzz} drives: a {@link ScratchDaemon} (this JVM, simulated executor, temporary data root,
 * loopback port) whose swarm allows {@value #MAX_REPLICAS} replicas per service, so that generated services stay
 * small, plus the valid bodies the fuzzer mutates.
 */
public final class FuzzTarget implements AutoCloseable {
  /** The fuzzed swarm's MaxReplicasPerService. */
  public static final long MAX_REPLICAS = 20;

  private final ScratchDaemon daemon;

  private FuzzTarget(ScratchDaemon daemon) {
    this.daemon = daemon;
  }

  public static FuzzTarget start() throws Exception {
    return new FuzzTarget(ScratchDaemon.start(MAX_REPLICAS));
  }

  /** Every route of the daemon's API. */
  public List<ApiFuzz.Route> routes() {
    return daemon.daemon().apiRoutes().stream().map(r -> new ApiFuzz.Route(r.method(), r.pattern())).toList();
  }

  /** A fuzzer of this daemon's every route with the valid bodies of {@link #seeds()}. */
  public ApiFuzz fuzzer(long seed) {
    return new ApiFuzz("127.0.0.1", daemon.apiPort(), routes(), seeds(), seed);
  }

  /** Valid bodies of the routes that take one, by {@code "METHOD /pattern"}; the fuzzer mutates them. */
  public static Map<String, String> seeds() {
    Map<String, String> m = new LinkedHashMap<>();
    String service = "{\"Name\":\"fz\",\"Labels\":{\"a\":\"b\"},\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":"
        + "\"busybox:1\",\"Args\":[\"sleep\",\"1\"],\"Env\":[\"A=1\"],\"Labels\":{\"c\":\"d\"},\"User\":\"nobody\","
        + "\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v1\",\"Target\":\"/data\"}],\"StopGracePeriod\":1000000000,"
        + "\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"],\"Interval\":1000000000,\"Retries\":3}},"
        + "\"Resources\":{\"Limits\":{\"NanoCPUs\":100000000,\"MemoryBytes\":8388608,\"Pids\":10},"
        + "\"Reservations\":{\"NanoCPUs\":1000000,\"MemoryBytes\":1048576}},"
        + "\"RestartPolicy\":{\"Condition\":\"on-failure\",\"Delay\":1000000000,\"MaxAttempts\":3,\"Window\":0},"
        + "\"Placement\":{\"Constraints\":[\"node.role==manager\"],\"Preferences\":[{\"Spread\":{\"SpreadDescriptor\":"
        + "\"node.labels.zone\"}}],\"MaxReplicas\":2},\"Networks\":[{\"Target\":\"fznet\",\"Aliases\":[\"x\"]}],"
        + "\"ForceUpdate\":0},\"Mode\":{\"Replicated\":{\"Replicas\":2}},\"UpdateConfig\":{\"Parallelism\":1,"
        + "\"Delay\":0,\"FailureAction\":\"pause\",\"Monitor\":1000000000,\"MaxFailureRatio\":0,\"Order\":\"stop-first\"},"
        + "\"RollbackConfig\":{\"Parallelism\":1,\"FailureAction\":\"pause\",\"Order\":\"start-first\"},"
        + "\"EndpointSpec\":{\"Mode\":\"vip\",\"Ports\":[{\"Protocol\":\"tcp\",\"TargetPort\":80,\"PublishedPort\":8080,"
        + "\"PublishMode\":\"ingress\"}]}}";
    m.put("POST /services/create", service);
    m.put("POST /services/{id}/update", service);
    m.put("POST /networks/create", "{\"Name\":\"fznet\",\"Driver\":\"overlay\",\"Attachable\":true,\"Labels\":"
        + "{\"a\":\"b\"},\"IPAM\":{\"Driver\":\"default\",\"Config\":[{\"Subnet\":\"10.199.0.0/24\",\"Gateway\":"
        + "\"10.199.0.1\"}]},\"Options\":{\"com.docker.network.driver.overlay.vxlanid_list\":\"4199\"}}");
    m.put("POST /volumes/create", "{\"Name\":\"fzvol\",\"Driver\":\"local\",\"Labels\":{\"a\":\"b\"},"
        + "\"DriverOpts\":{}}");
    m.put("POST /swarm/update", "{\"Name\":\"default\",\"Labels\":{},\"Orchestration\":{\"TaskHistoryRetentionLimit\":"
        + "5,\"MaxReplicasPerService\":" + MAX_REPLICAS + "},\"Raft\":{\"SnapshotInterval\":10000,\"KeepOldSnapshots\":0,"
        + "\"LogEntriesForSlowFollowers\":500,\"ElectionTick\":10,\"HeartbeatTick\":1},\"Dispatcher\":"
        + "{\"HeartbeatPeriod\":5000000000},\"CAConfig\":{\"NodeCertExpiry\":7776000000000000},"
        + "\"EncryptionConfig\":{\"AutoLockManagers\":false},\"TaskDefaults\":{}}");
    m.put("POST /swarm/init", "{\"ListenAddr\":\"127.0.0.1:1\",\"AdvertiseAddr\":\"127.0.0.1:1\",\"Spec\":{}}");
    m.put("POST /swarm/join", "{\"ListenAddr\":\"127.0.0.1:1\",\"AdvertiseAddr\":\"127.0.0.1:1\",\"RemoteAddrs\":"
        + "[\"127.0.0.1:1\"],\"JoinToken\":\"JSWMTKN-1-x-y\"}");
    m.put("POST /nodes/{id}/update", "{\"Name\":\"fz\",\"Labels\":{\"a\":\"b\"},\"Role\":\"manager\","
        + "\"Availability\":\"active\"}");
    String secret = "{\"Name\":\"fzsecret\",\"Labels\":{\"a\":\"b\"},\"Data\":\"aGVsbG8=\"}";
    m.put("POST /secrets/create", secret);
    m.put("POST /secrets/{id}/update", secret);
    m.put("POST /configs/create", secret);
    m.put("POST /configs/{id}/update", secret);
    return m;
  }

  @Override
  public void close() {
    daemon.close();
  }
}
