package io.jswarm.api.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Answer to {@code POST /join}: the id the cluster gave the node, its role ({@code worker} or {@code manager}),
 * its certificate chain and the root CA certificate (PEM), the cluster id, the managers known now, and (for a
 * manager) the cluster's {@code Spec.Raft.ElectionTick}, which its Raft member starts with.
 */
public class JoinResponse {
  @JsonProperty("NodeID")
  public String nodeId;
  public String role;
  public String certificate;
  @JsonProperty("CACertificate")
  public String caCertificate;
  @JsonProperty("ClusterID")
  public String clusterId;
  public List<Manager> managers;
  /** The cluster's election timeout in ticks ({@code Spec.Raft.ElectionTick}); null: the default. */
  public Long electionTick;

  /** A manager of the cluster: its node id, cluster address ({@code host:2377}) and Raft address. */
  public static class Manager {
    @JsonProperty("NodeID")
    public String nodeId;
    public String clusterAddr;
    public String raftAddr;

    public Manager() {}

    public Manager(String nodeId, String clusterAddr, String raftAddr) {
      this.nodeId = nodeId;
      this.clusterAddr = clusterAddr;
      this.raftAddr = raftAddr;
    }
  }
}
