package io.jswarm.transport.pki;

import java.security.cert.X509Certificate;

/**
 * Who is on the other end of a mutual-TLS connection, read from its verified certificate: the node id (the
 * certificate's CN) and the role (its OU, {@code swarm-manager} or {@code swarm-worker}). Never taken from a
 * message body: a node is what its certificate says it is.
 */
public record PeerIdentity(String nodeId, String role, X509Certificate certificate) {
  public static final String MANAGER_ROLE = "swarm-manager";
  public static final String WORKER_ROLE = "swarm-worker";

  public boolean isManager() {
    return MANAGER_ROLE.equals(role);
  }
}
