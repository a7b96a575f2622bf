package io.jswarm.manager.ca;

import io.jswarm.api.cluster.JoinResponse;
import java.util.List;

/** The Raft group as the CA routes need it; the daemon implements it on its {@code RaftNode}. */
public interface Membership {
  /**
   * Adds manager {@code nodeId}, whose Raft member already runs at {@code raftAddr}, to the group; returns once the
   * new configuration is committed.
   *
   * @throws io.jswarm.api.errors.JswarmException when the group cannot be changed (no quorum, ...)
   */
  void addManager(String nodeId, String raftAddr);

  /** The managers now: node id, cluster address and Raft address; sent to joining nodes. */
  List<JoinResponse.Manager> managers();
}
