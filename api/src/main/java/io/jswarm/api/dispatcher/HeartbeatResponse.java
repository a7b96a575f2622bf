package io.jswarm.api.dispatcher;

/** Answer to a heartbeat: when to send the next one, in nanoseconds, and the digest of the roots to trust now. */
public class HeartbeatResponse {
  public Long period;
  /**
   * The roots every node must trust now (the cluster's root, both roots while one is rotated), as
   * {@code RootCA.rootsDigest}: a node whose own roots differ renews its certificate. Null from a manager that
   * does not know them yet. Nodes used to ask a manager for the roots ({@code GET /ca}) every 10 s, a new TLS
   * connection each time: 100 handshakes a second on the managers at 1,000 nodes.
   */
  public String rootsDigest;

  public HeartbeatResponse() {}

  public HeartbeatResponse(long period, String rootsDigest) {
    this.period = period;
    this.rootsDigest = rootsDigest;
  }
}
