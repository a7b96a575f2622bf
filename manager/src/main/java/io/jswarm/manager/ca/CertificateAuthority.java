package io.jswarm.manager.ca;

import io.jswarm.api.cluster.JoinRequest;
import io.jswarm.api.cluster.JoinResponse;
import io.jswarm.api.cluster.RaftJoinRequest;
import io.jswarm.api.cluster.RenewRequest;
import io.jswarm.api.cluster.RenewResponse;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Swarm;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import io.jswarm.transport.pki.JoinToken;
import io.jswarm.transport.pki.PeerIdentity;
import io.jswarm.transport.pki.RootCA;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The cluster CA on a manager: serves the root certificate, admits nodes that hold a join token and renews node
 * certificates. The root CA (certificate and key) and the tokens are read from the cluster object
 * ({@code Swarm.rootCA}, {@code Swarm.joinTokens}) on every call, so any manager can answer and a rotated token
 * stops working at once everywhere.
 *
 * <p>Routes (cluster port):
 * <ul>
 *   <li>{@code GET /ca}: the root certificate, PEM (both roots during a root rotation, see {@link RootRotation});
 *       no client certificate needed.
 *   <li>{@code POST /join}: {@link JoinRequest} -> {@link JoinResponse}. The token must be the cluster's current
 *       worker or manager token (which one sets the role); a node row is created (role, availability
 *       {@code active}, the description sent, status {@code unknown}: the dispatcher marks it ready) and its
 *       first certificate issued for the CSR's key, valid {@code Spec.CAConfig.NodeCertExpiry} (default 90 days).
 *       A manager is not in the Raft group yet: with its certificate it starts its Raft member and then calls
 *       {@code POST /raft/join}.
 *   <li>{@code POST /renew}: client certificate required; a new certificate for the caller's node id with the
 *       role the store has now (so a promotion or demotion takes effect at renewal).
 *   <li>{@code POST /raft/join}: client certificate required, of a node that is a manager in the store and in
 *       its certificate; adds it to the Raft group through {@link Membership#addManager} (no-op if it is in).
 * </ul>
 */
public final class CertificateAuthority {
  /** Node certificate lifetime when the cluster spec sets none (Docker's default). */
  public static final Duration DEFAULT_NODE_CERT_EXPIRY = Duration.ofDays(90);
  /** The CA routes a node without a certificate (yet) may call; everything else on the cluster port needs one. */
  public static final Set<String> ANONYMOUS_PATHS = Set.of("/ca", "/join");

  private final MemoryStore store;
  private final Clock clock;
  private final Membership membership;
  /** The root parsed from the cluster object, kept while its PEM stays the same. */
  private record Cached(String certPem, RootCA root) {}

  private volatile Cached cached;

  public CertificateAuthority(MemoryStore store, Clock clock, Membership membership) {
    this.store = store;
    this.clock = clock;
    this.membership = membership;
  }

  /** Adds {@code GET /ca}, {@code POST /join}, {@code POST /renew} and {@code POST /raft/join} to {@code r}. */
  public void routes(Router r) {
    r.get("/ca", this::ca);
    r.post("/join", this::join);
    r.post("/renew", this::renew);
    r.post("/raft/join", this::raftJoin);
  }

  HttpResponse ca(HttpRequest request) {
    Swarm cluster = store.viewStale(tx -> tx.cluster().byName(Swarm.DEFAULT_NAME));
    rootCA(cluster);
    return HttpResponse.bytes(200, "application/x-pem-file",
        RootRotation.trustBundle(cluster).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  HttpResponse join(HttpRequest request) {
    JoinRequest req = request.json(JoinRequest.class);
    JoinToken token = JoinToken.parse(req.token);
    RootCA.checkCsr(req.csr);
    Swarm cluster = store.view(tx -> tx.cluster().byName(Swarm.DEFAULT_NAME));
    RootCA root = rootCA(cluster);
    String role = roleFor(token, cluster, root);
    if (role.equals("manager") && (req.raftAddr == null || req.raftAddr.isBlank())) {
      throw new InvalidArgumentException("RaftAddr: a manager must give the address of its Raft listener (host:port)");
    }
    RootCA signer = signer(cluster);
    Node created = store.update(tx -> tx.nodes().create(newNode(null, role, req, signer)));
    String chain = signer.issue(req.csr, created.id, PeerIdentity.certRole(role), cluster.id, nodeCertExpiry(cluster),
        clock);
    JoinResponse resp = new JoinResponse();
    resp.nodeId = created.id;
    resp.role = role;
    resp.certificate = chain;
    resp.caCertificate = RootRotation.trustBundle(cluster);
    resp.clusterId = cluster.id;
    resp.managers = membership.managers();
    if (role.equals("manager") && cluster.spec != null && cluster.spec.raft != null) {
      resp.electionTick = cluster.spec.raft.electionTick;
    }
    return HttpResponse.ok(resp);
  }

  /** {@code worker} or {@code manager}: which of the cluster's current tokens {@code token} is. */
  private static String roleFor(JoinToken token, Swarm cluster, RootCA root) {
    if (!token.caDigest().equals(root.digest())) {
      throw new InvalidArgumentException("the join token is not valid for this swarm: it names another root CA"
          + " (digest " + token.caDigest() + ", this swarm's is " + root.digest() + ")");
    }
    Swarm.JoinTokens current = cluster.joinTokens;
    if (current != null && token.secretMatches(current.manager)) {
      return "manager";
    }
    if (current != null && token.secretMatches(current.worker)) {
      return "worker";
    }
    throw new InvalidArgumentException("the join token is not valid for this swarm (it may have been rotated):"
        + " get the current one on a manager with 'jswarm swarm join-token worker' or 'jswarm swarm join-token manager'");
  }

  HttpResponse renew(HttpRequest request) {
    PeerIdentity peer = request.peer();
    if (peer == null) {
      return HttpResponse.error(401, "/renew needs the node's current certificate as TLS client certificate");
    }
    RenewRequest req = request.json(RenewRequest.class);
    RootCA.checkCsr(req.csr);
    record Read(Swarm cluster, Node node) {}
    Read read = store.view(tx -> new Read(tx.cluster().byName(Swarm.DEFAULT_NAME), tx.nodes().get(peer.nodeId())));
    RootCA root = rootCA(read.cluster);
    if (read.node == null) {
      return HttpResponse.error(403, "node " + peer.nodeId() + " is not part of this swarm (it was removed): join again");
    }
    String role = PeerIdentity.certRole(read.node.spec == null ? null : read.node.spec.role);
    if (role == null) {
      throw new IllegalStateException("node " + peer.nodeId() + " has no valid role in the store: "
          + (read.node.spec == null ? null : read.node.spec.role));
    }
    RenewResponse resp = new RenewResponse();
    resp.certificate = signer(read.cluster).issue(req.csr, peer.nodeId(), role, read.cluster.id,
        nodeCertExpiry(read.cluster), clock);
    resp.caCertificate = RootRotation.trustBundle(read.cluster);
    return HttpResponse.ok(resp);
  }

  HttpResponse raftJoin(HttpRequest request) {
    PeerIdentity peer = request.peer();
    if (peer == null) {
      return HttpResponse.error(401, "/raft/join needs the manager's certificate as TLS client certificate");
    }
    RaftJoinRequest req = request.json(RaftJoinRequest.class);
    if (req.raftAddr == null || req.raftAddr.isBlank()) {
      throw new InvalidArgumentException("RaftAddr: expected the host:port of the manager's Raft listener");
    }
    Node node = store.view(tx -> tx.nodes().get(peer.nodeId()));
    boolean managerInStore = node != null && node.spec != null && "manager".equals(node.spec.role);
    if (!managerInStore || !peer.isManager()) {
      return HttpResponse.error(403, "node " + peer.nodeId() + " may not join the Raft group: "
          + (!managerInStore ? "it is not a manager in this swarm" : "its certificate is a worker's; renew it first"));
    }
    boolean member = membership.managers().stream().anyMatch(m -> peer.nodeId().equals(m.nodeId));
    if (!member) {
      membership.addManager(peer.nodeId(), req.raftAddr);
    }
    return HttpResponse.ok(Map.of("Managers", membership.managers()));
  }

  /**
   * A node row as {@code POST /join} creates it: role, availability {@code active}, the description sent (its
   * hostname from {@code Hostname} when it has none) with the cluster's TLS info, status {@code unknown} at the
   * advertise address; a manager also gets a manager status. {@code id} null lets the store choose one.
   */
  public static Node newNode(String id, String role, JoinRequest fields, RootCA root) {
    Node n = new Node();
    n.id = id;
    n.spec = new Node.Spec();
    n.spec.role = role;
    n.spec.availability = "active";
    n.description = fields.description == null ? new Node.Description() : fields.description;
    if (n.description.hostname == null || n.description.hostname.isBlank()) {
      n.description.hostname = fields.hostname;
    }
    n.description.tlsInfo = root.tlsInfo();
    n.status = new Node.Status();
    n.status.state = "unknown";
    n.status.addr = host(fields.advertiseAddr);
    n.status.clusterAddr = fields.advertiseAddr;
    if (role.equals("manager")) {
      n.managerStatus = new Node.ManagerStatus();
      n.managerStatus.leader = false;
      n.managerStatus.reachability = "unknown";
      n.managerStatus.addr = fields.advertiseAddr;
    }
    return n;
  }

  private static String host(String addr) {
    if (addr == null) {
      return null;
    }
    int colon = addr.lastIndexOf(':');
    String h = colon < 0 ? addr : addr.substring(0, colon);
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  /** {@code Spec.CAConfig.NodeCertExpiry} (nanoseconds), or {@link #DEFAULT_NODE_CERT_EXPIRY}. */
  public static Duration nodeCertExpiry(Swarm cluster) {
    Long ns = cluster.spec == null || cluster.spec.caConfig == null ? null : cluster.spec.caConfig.nodeCertExpiry;
    return ns == null || ns <= 0 ? DEFAULT_NODE_CERT_EXPIRY : Duration.ofNanos(ns);
  }

  /** The CA that signs now: the root, or during a rotation the new root (see {@link RootRotation}). */
  private RootCA signer(Swarm cluster) {
    RootCA root = rootCA(cluster);
    return cluster.rootCA.rotating() ? RootRotation.signer(cluster) : root;
  }

  private RootCA rootCA(Swarm cluster) {
    if (cluster == null || cluster.rootCA == null || cluster.rootCA.caCert == null) {
      throw new UnavailableException("This node is not a swarm manager: the cluster has no root CA yet");
    }
    Cached c = cached;
    if (c == null || !c.certPem.equals(cluster.rootCA.caCert)) {
      c = new Cached(cluster.rootCA.caCert, RootCA.fromPem(cluster.rootCA.caCert, cluster.rootCA.caKey));
      cached = c;
    }
    return c.root;
  }
}
