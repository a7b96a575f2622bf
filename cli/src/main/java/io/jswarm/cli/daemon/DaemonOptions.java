package io.jswarm.cli.daemon;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How {@code jswarm daemon} was started. Every path and port is a flag so that several daemons share one
 * machine (the multi-host harness runs one per network namespace or per loopback port set).
 *
 * @param hosts API listeners, {@code unix:///path} or {@code tcp://addr:port}
 * @param nodeName the hostname this node reports
 * @param clusterPort default port of the cluster listener (dispatcher, CA) when init/join give none
 * @param raftPort port of the Raft listener on the advertise address
 * @param executor {@code container} (OCI containers run by {@code runtime}) or {@code simulated} (tasks
 *     reported running, nothing runs)
 * @param runtime the OCI runtime of the container executor: {@code runc} or {@code crun}
 * @param engineLabels {@code --label k=v}, shown as {@code engine.labels} to placement constraints
 * @param insecureRegistries {@code --insecure-registry host[:port]}: registries pulled from over plain HTTP
 * @param apiSecurity TLS of the {@code tcp://} API listeners and whether plain TCP may leave loopback
 */
public record DaemonOptions(Path dataRoot, Path execRoot, List<String> hosts, String cgroupParent, String nodeName,
    int clusterPort, int raftPort, String executor, String runtime, long snapshotInterval,
    Map<String, String> engineLabels, List<String> insecureRegistries, String bridgeName, String bridgeSubnet,
    ApiListeners.Security apiSecurity) {

  public static final int DEFAULT_CLUSTER_PORT = 2377;
  public static final int DEFAULT_RAFT_PORT = 2378;

  /** Options with no TLS on the TCP API (loopback TCP only, as without flags). */
  public DaemonOptions(Path dataRoot, Path execRoot, List<String> hosts, String cgroupParent, String nodeName,
      int clusterPort, int raftPort, String executor, String runtime, long snapshotInterval,
      Map<String, String> engineLabels, List<String> insecureRegistries, String bridgeName, String bridgeSubnet) {
    this(dataRoot, execRoot, hosts, cgroupParent, nodeName, clusterPort, raftPort, executor, runtime, snapshotInterval,
        engineLabels, insecureRegistries, bridgeName, bridgeSubnet, ApiListeners.Security.NONE);
  }

  public Path certDir() {
    return dataRoot.resolve("certificates");
  }

  /** The node's image store. */
  public Path imageDir() {
    return dataRoot.resolve("image");
  }

  public Path raftDir() {
    return dataRoot.resolve("raft");
  }
}
