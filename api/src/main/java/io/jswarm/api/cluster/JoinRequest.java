package io.jswarm.api.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.jswarm.api.types.Node;

/**
 * Body of {@code POST /join}: the join token, a PEM certificate signing request for the joining node's own key,
 * and how the node describes itself. {@code AdvertiseAddr} is its cluster address ({@code host:port});
 * {@code RaftAddr} its Raft address (managers only; a worker leaves it empty).
 */
public class JoinRequest {
  public String token;
  @JsonProperty("CSR")
  public String csr;
  public String hostname;
  public String advertiseAddr;
  public String raftAddr;
  public Node.Description description;
}
