package io.jswarm.manager.controlapi;

import io.jswarm.api.types.SwarmRequests;
import io.jswarm.consensus.store.MemoryStore;

/**
 * The node's membership, implemented by the daemon: what {@code /swarm/init}, {@code /swarm/join} and
 * {@code /swarm/leave} do, and whether this node can answer manager-only routes right now.
 */
public interface SwarmLifecycle {
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
   * @throws io.jswarm.api.errors.UnavailableException 503 "This node is not a swarm manager. ..." otherwise
   */
  MemoryStore managerStore();

  /** Raft view for {@code ManagerStatus} and {@code /info}: leader id and each manager's id and Raft address. */
  ClusterView clusterView();

  /** Who leads and who is a manager, as this manager sees it now. */
  record ClusterView(String leaderId, java.util.Map<String, String> managerRaftAddrs,
      java.util.Set<String> reachable) {}
}
