package io.jswarm.manager.controlapi;

import io.jswarm.api.types.SwarmRequests;
import io.jswarm.consensus.store.MemoryStore;

/**
 * The node's membership, implemented by the daemon: what {@code /swarm/init}, {@code /swarm/join} and
 * {@code /swarm/leave} do, and whether this node can answer manager-only routes right now.
 */
public interface SwarmLifecycle {
  /** dockerd's 503 text for manager-only routes on a node in no swarm. */
  String NOT_IN_SWARM = "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to "
      + "connect this node to swarm and try again.";
  /** dockerd's 503 text for manager-only routes on a worker: {@link #managerStore} throws it there. */
  String WORKER_NOT_MANAGER = "This node is not a swarm manager. Worker nodes can't be used to view or modify "
      + "cluster state. Please run this command on a manager node or promote the current node to a manager.";

  /** dockerd's 503 text for manager-only routes on an autolocked manager that was not unlocked yet. */
  String LOCKED = "Swarm is encrypted and needs to be unlocked before it can be used. Please use \"docker swarm "
      + "unlock\" to unlock it.";

  /** Creates a new cluster with this node as its only manager; returns the node id. 503/409 when already in one. */
  String init(SwarmRequests.Init request);

  /** Joins the cluster behind {@code request.remoteAddrs} as what the token says (worker or manager). */
  void join(SwarmRequests.Join request);

  /** Leaves the cluster; a manager needs {@code force} (Docker refuses otherwise, naming the risk to quorum). */
  void leave(boolean force);

  /** "inactive", "pending", "active", "error" or "locked" (Docker {@code LocalNodeState}). */
  String localNodeState();

  /** This node's id, or "" before init/join. */
  String nodeId();

  /** This node's cluster-port address as the others reach it ({@code ip:port}), or "" before init/join. */
  String nodeAddr();

  /**
   * The store, when this node is a manager.
   *
   * @throws io.jswarm.api.errors.UnavailableException 503 {@link #WORKER_NOT_MANAGER} on a worker (the control
   *     API answers {@link #NOT_IN_SWARM} itself when {@link #localNodeState} is inactive)
   */
  MemoryStore managerStore();

  /**
   * Unlocks this autolocked manager with the unlock key ({@code SWMKEY-1-...}) and starts its roles.
   *
   * @throws io.jswarm.api.errors.InvalidArgumentException 400 for a malformed or wrong key
   * @throws io.jswarm.api.errors.ConflictException 409 "swarm is not locked"
   */
  default void unlock(String unlockKey) {
    throw new io.jswarm.api.errors.ConflictException("swarm is not locked");
  }

  /** The cluster's autolock setting or unlock key changed: this manager re-seals its keys before answering. */
  default void unlockKeyChanged() {}

  /** Raft view for {@code ManagerStatus} and {@code /info}: leader id and each manager's id and Raft address. */
  ClusterView clusterView();

  /** This node's engine for {@code /info}: containers, images, labels, root dir, runtime, kernel warnings. */
  default EngineInfo engineInfo() {
    return EngineInfo.NONE;
  }

  /**
   * {@code Containers} of {@code docker network inspect}: this node's running containers attached to the network
   * (container id -> {@code {Name, EndpointID, MacAddress, IPv4Address, IPv6Address}}), as dockerd lists them on the
   * node that answers; empty on a node that runs none.
   */
  default java.util.Map<String, Object> networkContainers(String networkId) {
    return java.util.Map.of();
  }

  /** Who leads and who is a manager, as this manager sees it now. */
  record ClusterView(String leaderId, java.util.Map<String, String> managerRaftAddrs,
      java.util.Set<String> reachable) {}
}
