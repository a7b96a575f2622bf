package io.jswarm.manager.ca;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.types.Swarm;
import io.jswarm.api.types.TLSInfo;
import io.jswarm.transport.pki.JoinToken;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.PeerIdentity;
import io.jswarm.transport.pki.RootCA;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;

/**
 * The PKI of a new cluster, made once at {@code swarm init} by the first manager: a root CA, a worker and a manager
 * join token, and the first manager's own credentials (signed directly, no HTTP).
 *
 * <p>How the daemon uses it at init:
 * <pre>{@code
 * String clusterId = ids.newId(), nodeId = ids.newId();
 * ClusterBootstrap b = ClusterBootstrap.create(clusterId, nodeId, certExpiry, clock, new SecureRandom());
 * b.credentials().save(dataRoot.resolve("certificates"));     // before Raft starts: it needs them for TLS
 * Swarm s = ...; s.id = clusterId; s.spec.name = Swarm.DEFAULT_NAME; b.applyTo(s);   // rootCA, joinTokens, TLSInfo
 * Node n = CertificateAuthority.newNode(nodeId, "manager", fields, b.rootCA());
 * store.update(tx -> { tx.cluster().create(s); tx.nodes().create(n); return null; });
 * }</pre>
 * The cluster object must be created with {@code id = clusterId}: node certificates carry it as their O.
 */
public final class ClusterBootstrap {
  private final RootCA rootCA;
  private final Swarm.JoinTokens joinTokens;
  private final NodeCredentials credentials;

  private ClusterBootstrap(RootCA rootCA, Swarm.JoinTokens joinTokens, NodeCredentials credentials) {
    this.rootCA = rootCA;
    this.joinTokens = joinTokens;
    this.credentials = credentials;
  }

  /**
   * Creates the root CA for {@code clusterId}, both join tokens, and a manager certificate for {@code nodeId} valid
   * {@code certExpiry} (null: {@link CertificateAuthority#DEFAULT_NODE_CERT_EXPIRY}).
   */
  public static ClusterBootstrap create(String clusterId, String nodeId, Duration certExpiry, Clock clock,
      SecureRandom random) {
    if (clusterId == null || clusterId.isBlank() || nodeId == null || nodeId.isBlank()) {
      throw new InvalidArgumentException("cluster id and node id must be set, got " + clusterId + " / " + nodeId);
    }
    RootCA root = RootCA.create(clusterId, clock);
    Swarm.JoinTokens tokens = new Swarm.JoinTokens();
    tokens.worker = JoinToken.generate(root.digest(), random).toString();
    tokens.manager = JoinToken.generate(root.digest(), random).toString();
    NodeCredentials pending = NodeCredentials.generateKey();
    String chain = root.issue(pending.csrPem(), nodeId, PeerIdentity.MANAGER_ROLE, clusterId,
        certExpiry == null ? CertificateAuthority.DEFAULT_NODE_CERT_EXPIRY : certExpiry, clock);
    return new ClusterBootstrap(root, tokens, pending.withCertificate(chain, root.certPem()));
  }

  /** Sets on {@code cluster}: {@code rootCA} (certificate + key PEM), {@code joinTokens} and {@code tlsInfo}. */
  public Swarm applyTo(Swarm cluster) {
    cluster.rootCA = new Swarm.RootCAState();
    cluster.rootCA.caCert = rootCA.certPem();
    cluster.rootCA.caKey = rootCA.keyPem();
    cluster.joinTokens = new Swarm.JoinTokens();
    cluster.joinTokens.worker = joinTokens.worker;
    cluster.joinTokens.manager = joinTokens.manager;
    cluster.tlsInfo = tlsInfo();
    return cluster;
  }

  public RootCA rootCA() {
    return rootCA;
  }

  public Swarm.JoinTokens joinTokens() {
    return joinTokens;
  }

  public TLSInfo tlsInfo() {
    return rootCA.tlsInfo();
  }

  /** The first manager's key, certificate (CN = node id, OU = swarm-manager, O = cluster id) and the root. */
  public NodeCredentials credentials() {
    return credentials;
  }

  /**
   * A new token for {@code cluster}'s root CA, for {@code swarm join-token --rotate} and {@code swarm update
   * --rotate-worker-token / --rotate-manager-token}: store it in {@code joinTokens.worker} or {@code .manager}; the
   * old one stops working as soon as the update is committed.
   */
  public static String rotatedToken(Swarm cluster, SecureRandom random) {
    if (cluster.rootCA == null || cluster.rootCA.caCert == null) {
      throw new InvalidArgumentException("the cluster has no root CA");
    }
    RootCA root = RootCA.fromPem(cluster.rootCA.caCert, cluster.rootCA.caKey);
    return JoinToken.generate(root.digest(), random).toString();
  }
}
