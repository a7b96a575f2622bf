package io.jswarm.cli.daemon;

import io.jswarm.api.cluster.JoinResponse;
import io.jswarm.consensus.raft.RaftStore;
import io.jswarm.manager.ca.Membership;
import java.util.ArrayList;
import java.util.List;

/**
 * The Raft group as the CA's {@code /raft/join} route sees it: adding a member is a Raft configuration change
 * (any manager may ask; Ratis forwards it to the leader and catches the new member up before it commits), and
 * the managers list pairs each member's Raft address with the cluster address from its node row.
 */
final class RaftMembership implements Membership {
  private final RaftStore raft;

  RaftMembership(RaftStore raft) {
    this.raft = raft;
  }

  @Override
  public void addManager(String nodeId, String raftAddr) {
    raft.node().addManager(nodeId, raftAddr);
  }

  @Override
  public List<JoinResponse.Manager> managers() {
    List<JoinResponse.Manager> out = new ArrayList<>();
    raft.node().status().peers().forEach((id, raftAddr) -> {
      String addr = raft.store().viewStale(tx -> tx.nodes().read(id,
          n -> n == null || n.managerStatus == null ? null : n.managerStatus.addr));
      out.add(new JoinResponse.Manager(id, addr, raftAddr));
    });
    return out;
  }
}
