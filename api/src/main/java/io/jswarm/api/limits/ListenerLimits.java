package io.jswarm.api.limits;

import java.time.Duration;
import java.util.Objects;

/**
 * What an unauthenticated peer can make a listener hold, the one rule for every listener of a node (the API and the
 * cluster port through {@code transport/http/HttpServer}, the Raft port through {@code consensus/raft/RaftNode}):
 * a connection that stops sending before it is established (a request that stops arriving, a TLS handshake that
 * never completes) is closed after {@code readTimeout}; a connection with nothing in flight for {@code idleTimeout}
 * is closed; one peer (an IP address, or a uid on a unix socket) holds at most {@code maxConnectionsPerPeer}
 * connections per listener ({@link PeerConnections}), more are closed as they are accepted.
 */
public record ListenerLimits(Duration readTimeout, Duration idleTimeout, int maxConnectionsPerPeer) {
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(300);
  public static final int DEFAULT_MAX_CONNECTIONS_PER_PEER = 256;
  public static final ListenerLimits DEFAULT =
      new ListenerLimits(DEFAULT_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS_PER_PEER);

  public ListenerLimits {
    Objects.requireNonNull(readTimeout, "readTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (readTimeout.isNegative() || readTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("readTimeout and idleTimeout must be positive");
    }
    if (maxConnectionsPerPeer < 1) {
      throw new IllegalArgumentException("maxConnectionsPerPeer must be positive, got " + maxConnectionsPerPeer);
    }
  }
}
