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
 * @param imageUnpackLimits {@code --image-max-layer-size}, {@code --image-max-layer-entries}: what one image layer
 *     may unpack to
 * @param apiSecurity TLS of the {@code tcp://} API listeners and whether plain TCP may leave loopback
 * @param registryAllow {@code --registry-allow}: the registry addresses image pulls and pushes may dial (all when
 *     empty)
 * @param userns {@code --userns-remap}: the user namespace mapping of every container, or null for none
 */
public record DaemonOptions(Path dataRoot, Path execRoot, List<String> hosts, String cgroupParent, String nodeName,
    int clusterPort, int raftPort, String executor, String runtime, long snapshotInterval,
    Map<String, String> engineLabels, List<String> insecureRegistries, String bridgeName, String bridgeSubnet,
    ApiListeners.Security apiSecurity, io.jswarm.worker.image.UnpackLimits imageUnpackLimits,
    io.jswarm.worker.image.RegistryAllowList registryAllow, io.jswarm.worker.container.UsernsRemap userns) {

  /** Options whose image pulls may dial any registry (no {@code --registry-allow}), no user namespace. */
  public DaemonOptions(Path dataRoot, Path execRoot, List<String> hosts, String cgroupParent, String nodeName,
      int clusterPort, int raftPort, String executor, String runtime, long snapshotInterval,
      Map<String, String> engineLabels, List<String> insecureRegistries, String bridgeName, String bridgeSubnet,
      ApiListeners.Security apiSecurity, io.jswarm.worker.image.UnpackLimits imageUnpackLimits) {
    this(dataRoot, execRoot, hosts, cgroupParent, nodeName, clusterPort, raftPort, executor, runtime, snapshotInterval,
        engineLabels, insecureRegistries, bridgeName, bridgeSubnet, apiSecurity, imageUnpackLimits,
        io.jswarm.worker.image.RegistryAllowList.ALL, null);
  }

  public static final int DEFAULT_CLUSTER_PORT = 2377;
  public static final int DEFAULT_RAFT_PORT = 2378;

  /** Options with no TLS on the TCP API (loopback TCP only, as without flags) and the default image layer limits. */
  public DaemonOptions(Path dataRoot, Path execRoot, List<String> hosts, String cgroupParent, String nodeName,
      int clusterPort, int raftPort, String executor, String runtime, long snapshotInterval,
      Map<String, String> engineLabels, List<String> insecureRegistries, String bridgeName, String bridgeSubnet) {
    this(dataRoot, execRoot, hosts, cgroupParent, nodeName, clusterPort, raftPort, executor, runtime, snapshotInterval,
        engineLabels, insecureRegistries, bridgeName, bridgeSubnet, ApiListeners.Security.NONE);
  }

  /** Options with the default image layer limits. */
  public DaemonOptions(Path dataRoot, Path execRoot, List<String> hosts, String cgroupParent, String nodeName,
      int clusterPort, int raftPort, String executor, String runtime, long snapshotInterval,
      Map<String, String> engineLabels, List<String> insecureRegistries, String bridgeName, String bridgeSubnet,
      ApiListeners.Security apiSecurity) {
    this(dataRoot, execRoot, hosts, cgroupParent, nodeName, clusterPort, raftPort, executor, runtime, snapshotInterval,
        engineLabels, insecureRegistries, bridgeName, bridgeSubnet, apiSecurity,
        io.jswarm.worker.image.UnpackLimits.DEFAULT);
  }

  /**
   * What {@code /info} ({@code SecurityOptions}) and the node's description report, as dockerd words them: the
   * default seccomp profile, no_new_privs by default, and {@code name=userns} with {@code --userns-remap}.
   */
  public List<String> securityOptions() {
    List<String> out = new java.util.ArrayList<>(List.of("name=seccomp,profile=builtin", "name=no-new-privileges"));
    if (userns != null) {
      out.add("name=userns");
    }
    return List.copyOf(out);
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
