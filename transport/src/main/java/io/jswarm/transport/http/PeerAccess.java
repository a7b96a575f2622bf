package io.jswarm.transport.http;

import io.jswarm.transport.pki.PeerIdentity;
import java.util.Objects;
import java.util.Set;

/**
 * Who may use a TLS listener (the cluster port). Without it a listener serves anyone the TLS handshake lets in.
 *
 * <ul>
 *   <li>{@code anonymousPaths} (after the {@code /vX.Y} prefix is removed, any method) are served to clients
 *       without a certificate (a certificate that is not admitted counts as none), with request bodies of at
 *       most {@code anonymousMaxBodyBytes}; on the cluster port these are {@code /ca} and {@code /join}.
 *   <li>Every other path needs a verified client certificate whose node {@link Admission} admits now
 *       (403 otherwise): checked when the request's head arrives (so a refused peer's body is never
 *       read) and again just before its handler runs. Either refusal closes the connection.
 * </ul>
 *
 * @param anonymousPaths paths served without a client certificate
 * @param anonymousMaxBodyBytes largest request body on those paths
 * @param admission decides, per request, whether a certified node is a member now and with which role
 */
public record PeerAccess(Set<String> anonymousPaths, long anonymousMaxBodyBytes, Admission admission) {
  /** What the cluster port lets a client without a certificate send (the join request is a few KiB). */
  public static final long DEFAULT_ANONYMOUS_MAX_BODY = 64 << 10;

  /**
   * Decides whether the node a verified certificate names is a member of the cluster now.
   */
  @FunctionalInterface
  public interface Admission {
    /**
     * @param certified the identity the certificate states (chain already verified by TLS)
     * @return the identity to serve the request as: the same node, with the role it holds now and never more
     *     than its certificate states (a demoted manager whose certificate still says manager is a worker); or
     *     null when the node is not a member (removed, unknown)
     */
    PeerIdentity admit(PeerIdentity certified);
  }

  public PeerAccess {
    anonymousPaths = Set.copyOf(anonymousPaths);
    Objects.requireNonNull(admission, "admission");
    if (anonymousMaxBodyBytes < 0 || anonymousMaxBodyBytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("anonymousMaxBodyBytes must be 0.." + Integer.MAX_VALUE);
    }
  }

  /** Whether {@code path} (version prefix removed, no query) is served without a client certificate. */
  boolean anonymous(String path) {
    return anonymousPaths.contains(path);
  }

  /** The outcome of {@link #check}: the identity to serve as, or the refusal to answer. */
  record Decision(PeerIdentity peer, int refusalStatus, String refusal) {
    boolean refused() {
      return refusal != null;
    }
  }

  /**
   * Decides one request on {@code path} from a client that presented {@code certified} (null: none). On an
   * anonymous path a certificate that is not admitted is served as no certificate.
   */
  Decision check(String path, PeerIdentity certified) {
    PeerIdentity admitted = certified == null ? null : admission.admit(certified);
    if (anonymous(path) || admitted != null) {
      return new Decision(admitted, 0, null);
    }
    if (certified == null) {
      return new Decision(null, 403, path + " needs a client certificate of this cluster"
          + (anonymousPaths.isEmpty() ? "" : " (only " + String.join(" and ", anonymousPaths.stream().sorted().toList())
              + " are served without one)"));
    }
    return new Decision(null, 403, "node " + certified.nodeId() + " is not a member of this swarm now (it was "
        + "removed, or is not known here): its certificate is no longer accepted");
  }

  /** The body limit of a request on {@code path}, given the listener's own limit. */
  long maxBody(String path, long listenerMax) {
    return anonymous(path) ? Math.min(anonymousMaxBodyBytes, listenerMax) : listenerMax;
  }
}
