package io.jswarm.api.dispatcher;

import io.jswarm.api.types.Node;

/** Body of {@code POST /dispatcher/session}: what the node reports about itself and where it is reached. */
public class SessionRequest {
  public Node.Description description;
  /** The node's advertise address ({@code host} or {@code host:port}), stored as {@code Node.Status.Addr}. */
  public String addr;
  /** Where the node's cluster port is reached ({@code ip:port}), stored as {@code Node.Status.ClusterAddr}. */
  public String clusterAddr;
}
