package io.jswarm.api.cluster;

/**
 * Body of {@code POST /raft/join}: a manager whose Raft member is running (with the certificate {@code POST /join}
 * or {@code /renew} gave it) asks to be added to the Raft group at {@code RaftAddr}. The node is the one its
 * client certificate names.
 */
public class RaftJoinRequest {
  public String raftAddr;
}
