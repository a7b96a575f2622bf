package io.jswarm.manager.ca;

import io.jswarm.api.types.Node;
import io.jswarm.api.types.Swarm;
import io.jswarm.transport.pki.JoinToken;
import io.jswarm.transport.pki.RootCA;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Collection;
import java.util.Objects;

/**
 * Rotating the cluster's root CA without downtime, as swarmkit does with a cross-signed root:
 *
 * <ol>
 *   <li>{@link #start} ({@code swarm ca --rotate}, i.e. {@code Spec.CAConfig.ForceRotate} raised): a new root is
 *       made and cross-signed by the current one. From then on the CA signs every certificate with the new root
 *       and puts the cross-signed certificate after it, and serves both roots as the trust bundle
 *       ({@code GET /ca}, join and renew answers).
 *   <li>Every node notices the new bundle at its next certificate check (every 10 s): a worker compares the
 *       digest its dispatcher's last heartbeat named ({@code HeartbeatResponse.rootsDigest}) with its own roots,
 *       a manager reads its own store, and a node without a session asks {@code GET /ca}; it then renews and trusts both roots. A node that has not yet renewed still trusts only the old root and accepts
 *       the new certificates through the cross-signed one; certificates of the old root are accepted by
 *       everyone. So every pair of nodes keeps talking at every moment.
 *   <li>{@link #finishIfDone}, on the leader: once every node in the store reports (in its description's
 *       {@code TLSInfo.CertIssuerPublicKey}) a certificate of the new root, the new root becomes the root, the
 *       old one and its key are dropped, and the join tokens are re-issued for the new root's digest. Nodes see the
 *       one-root bundle at their next check and renew once more, after which the old root is trusted nowhere.
 * </ol>
 *
 * A rotation started during another replaces the unfinished new root.
 */
public final class RootRotation {
  private RootRotation() {}

  /** Begins a rotation of {@code cluster}'s root (in a store update). */
  public static void start(Swarm cluster, Clock clock) {
    Objects.requireNonNull(cluster.rootCA, "the cluster has no root CA");
    RootCA current = RootCA.fromPem(cluster.rootCA.caCert, cluster.rootCA.caKey);
    RootCA next = RootCA.create(cluster.id, clock);
    cluster.rootCA.rotationCACert = next.certPem();
    cluster.rootCA.rotationCAKey = next.keyPem();
    cluster.rootCA.rotationCrossSigned = RootCA.pem(current.crossSign(next, clock));
    cluster.rootRotationInProgress = true;
  }

  /** The CA that signs certificates now: the new root (presenting its cross-signed certificate) while rotating. */
  public static RootCA signer(Swarm cluster) {
    Swarm.RootCAState r = cluster.rootCA;
    if (r.rotating()) {
      return RootCA.fromPem(r.rotationCACert, r.rotationCAKey)
          .presenting(RootCA.parseCertificates(r.rotationCrossSigned, "cross-signed root").get(0));
    }
    return RootCA.fromPem(r.caCert, r.caKey);
  }

  /** The roots nodes must trust now (PEM): the root, and the new root while rotating. */
  public static String trustBundle(Swarm cluster) {
    Swarm.RootCAState r = cluster.rootCA;
    return r.rotating() ? r.caCert + r.rotationCACert : r.caCert;
  }

  /** How many of {@code nodes} hold a certificate of the new root (0 when not rotating). */
  public static long renewed(Swarm cluster, Collection<Node> nodes) {
    if (cluster.rootCA == null || !cluster.rootCA.rotating()) {
      return 0;
    }
    String key = publicKeyOf(cluster.rootCA.rotationCACert);
    return nodes.stream().filter(n -> n.description != null && n.description.tlsInfo != null
        && key.equals(n.description.tlsInfo.certIssuerPublicKey)).count();
  }

  /**
   * Ends the rotation of {@code cluster} (in a store update) when every one of {@code nodes} holds a certificate of
   * the new root: the new root replaces the old, the join tokens are re-issued for its digest.
   *
   * @return whether it ended
   */
  public static boolean finishIfDone(Swarm cluster, Collection<Node> nodes, SecureRandom random) {
    if (cluster.rootCA == null || !cluster.rootCA.rotating() || renewed(cluster, nodes) < nodes.size()) {
      return false;
    }
    Swarm.RootCAState r = cluster.rootCA;
    RootCA next = RootCA.fromPem(r.rotationCACert, r.rotationCAKey);
    r.caCert = r.rotationCACert;
    r.caKey = r.rotationCAKey;
    r.rotationCACert = null;
    r.rotationCAKey = null;
    r.rotationCrossSigned = null;
    cluster.rootRotationInProgress = false;
    cluster.tlsInfo = next.tlsInfo();
    if (cluster.joinTokens != null) {
      cluster.joinTokens.worker = JoinToken.generate(next.digest(), random).toString();
      cluster.joinTokens.manager = JoinToken.generate(next.digest(), random).toString();
    }
    return true;
  }

  private static String publicKeyOf(String certPem) {
    return Base64.getEncoder().encodeToString(
        RootCA.parseCertificates(certPem, "root CA certificate").get(0).getPublicKey().getEncoded());
  }
}
