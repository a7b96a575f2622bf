package io.jswarm.manager.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.cluster.JoinRequest;
import io.jswarm.api.cluster.JoinResponse;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Swarm;
import io.jswarm.consensus.store.IdGenerator;
import io.jswarm.consensus.store.LocalProposer;
import io.jswarm.consensus.store.MemoryStore;
import io.jswarm.transport.http.Router;
import io.jswarm.transport.pki.JoinClient;
import io.jswarm.transport.pki.JoinToken;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.PeerIdentity;
import io.jswarm.transport.pki.RootCA;
import io.jswarm.transport.pki.TlsContexts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Join, renew and Raft admission end to end: JoinClient -> HTTPS (JDK server) -> Router -> CertificateAuthority -> store. */
class CertificateAuthorityTest {
  private static final Clock CLOCK = Clock.systemUTC();
  private final SecureRandom random = new SecureRandom();
  private final FakeMembership membership = new FakeMembership();
  private final JoinClient client = new JoinClient(Duration.ofSeconds(10));
  private MemoryStore store;
  private ClusterBootstrap pki;
  private HttpsRouterServer server;

  /** Records what the routes ask of the Raft group. */
  static final class FakeMembership implements Membership {
    final List<JoinResponse.Manager> managers = new ArrayList<>();
    final List<String> added = new ArrayList<>();

    @Override
    public synchronized void addManager(String nodeId, String raftAddr) {
      added.add(nodeId + "@" + raftAddr);
      managers.add(new JoinResponse.Manager(nodeId, null, raftAddr));
    }

    @Override
    public synchronized List<JoinResponse.Manager> managers() {
      return List.copyOf(managers);
    }
  }

  @BeforeEach
  void start() throws IOException {
    LocalProposer proposer = new LocalProposer();
    store = new MemoryStore(proposer, CLOCK, IdGenerator.fromRandom(new Random(7)));
    proposer.bind(store);
    pki = ClusterBootstrap.create("cluster1", "mgr1", Duration.ofHours(3), CLOCK, random);
    Swarm s = new Swarm();
    s.id = "cluster1";
    s.spec = new Swarm.Spec();
    s.spec.name = Swarm.DEFAULT_NAME;
    s.spec.caConfig = new Swarm.CAConfig();
    s.spec.caConfig.nodeCertExpiry = Duration.ofHours(5).toNanos();
    pki.applyTo(s);
    JoinRequest self = new JoinRequest();
    self.hostname = "host-m1";
    self.advertiseAddr = "127.0.0.1:2377";
    store.update(tx -> {
      tx.cluster().create(s);
      tx.nodes().create(CertificateAuthority.newNode("mgr1", "manager", self, pki.rootCA()));
      return null;
    });
    membership.managers.add(new JoinResponse.Manager("mgr1", "127.0.0.1:2377", "127.0.0.1:2378"));
    Router router = new Router();
    new CertificateAuthority(store, CLOCK, membership).routes(router);
    server = new HttpsRouterServer(router, pki.credentials());
  }

  @AfterEach
  void stop() throws InterruptedException {
    server.close();
    store.close();
  }

  private static JoinRequest fields(String hostname, String raftAddr) {
    JoinRequest r = new JoinRequest();
    r.hostname = hostname;
    r.advertiseAddr = "10.0.0.5:2377";
    r.raftAddr = raftAddr;
    r.description = new Node.Description();
    return r;
  }

  private int nodeCount() {
    return store.view(tx -> tx.nodes().count());
  }

  private Swarm cluster() {
    return store.view(tx -> tx.cluster().byName(Swarm.DEFAULT_NAME));
  }

  @Test
  void bootstrapStoresTheRootAndTokensAndCertifiesTheFirstManager() {
    Swarm s = cluster();
    assertEquals(pki.rootCA(), RootCA.fromPem(s.rootCA.caCert, s.rootCA.caKey));
    assertEquals(pki.rootCA().digest(), JoinToken.parse(s.joinTokens.worker).caDigest());
    assertEquals(pki.rootCA().digest(), JoinToken.parse(s.joinTokens.manager).caDigest());
    assertNotEquals(s.joinTokens.worker, s.joinTokens.manager);
    assertEquals(s.rootCA.caCert, s.tlsInfo.trustRoot);
    NodeCredentials c = pki.credentials();
    assertEquals("mgr1", c.nodeId());
    assertEquals(PeerIdentity.MANAGER_ROLE, c.role());
    assertEquals("cluster1", c.clusterId());
  }

  @Test
  void aWorkerJoinsWithTheWorkerToken() throws Exception {
    JoinClient.Joined j = client.join(server.address(), cluster().joinTokens.worker, fields("host-w1", null));
    JoinResponse r = j.response();
    assertEquals("worker", r.role);
    assertEquals("cluster1", r.clusterId);
    assertEquals(cluster().rootCA.caCert, r.caCertificate);
    assertEquals(List.of("mgr1"), r.managers.stream().map(m -> m.nodeId).toList());
    NodeCredentials c = j.credentials();
    assertEquals(r.nodeId, c.nodeId());
    assertEquals(PeerIdentity.WORKER_ROLE, c.role());
    Duration life = Duration.between(c.certificate().getNotBefore().toInstant(), c.notAfter());
    assertTrue(life.compareTo(Duration.ofHours(5)) >= 0 && life.compareTo(Duration.ofHours(6)) < 0, life.toString());

    Node n = store.view(tx -> tx.nodes().get(r.nodeId));
    assertEquals("worker", n.spec.role);
    assertEquals("active", n.spec.availability);
    assertEquals("unknown", n.status.state);
    assertEquals("10.0.0.5", n.status.addr);
    assertEquals("host-w1", n.description.hostname);
    assertEquals(cluster().rootCA.caCert, n.description.tlsInfo.trustRoot);
    assertNull(n.managerStatus);
    assertTrue(membership.added.isEmpty());
  }

  @Test
  void aManagerJoinsWithTheManagerTokenThenEntersTheRaftGroupWithItsCertificate() throws Exception {
    JoinClient.Joined j = client.join(server.address(), cluster().joinTokens.manager, fields("host-m2", "10.0.0.5:2378"));
    assertEquals("manager", j.response().role);
    assertEquals(PeerIdentity.MANAGER_ROLE, j.credentials().role());
    Node n = store.view(tx -> tx.nodes().get(j.response().nodeId));
    assertEquals("manager", n.spec.role);
    assertEquals("10.0.0.5:2377", n.managerStatus.addr);
    assertTrue(membership.added.isEmpty(), "not in the Raft group before its member runs");

    client.joinRaft(server.address(), j.credentials(), "10.0.0.5:2378");
    client.joinRaft(server.address(), j.credentials(), "10.0.0.5:2378"); // again: already a member, nothing to do
    assertEquals(List.of(j.response().nodeId + "@10.0.0.5:2378"), membership.added);
  }

  @Test
  void aManagerMustGiveItsRaftAddress() {
    var e = assertThrows(InvalidArgumentException.class,
        () -> client.join(server.address(), cluster().joinTokens.manager, fields("h", null)));
    assertTrue(e.getMessage().contains("RaftAddr"), e.getMessage());
  }

  @Test
  void aWorkerMayNotEnterTheRaftGroup() throws Exception {
    JoinClient.Joined j = client.join(server.address(), cluster().joinTokens.worker, fields("w", null));
    var e = assertThrows(IOException.class, () -> client.joinRaft(server.address(), j.credentials(), "10.0.0.5:2378"));
    assertTrue(e.getMessage().contains("is not a manager in this swarm") && e.getMessage().contains("403"), e.getMessage());
    assertTrue(membership.added.isEmpty());
  }

  @Test
  void aRotatedTokenIsRefusedAndTheNewOneWorks() throws Exception {
    String old = cluster().joinTokens.worker;
    store.update(tx -> {
      Swarm s = tx.cluster().byName(Swarm.DEFAULT_NAME);
      s.joinTokens.worker = ClusterBootstrap.rotatedToken(s, random);
      return tx.cluster().update(s);
    });
    int nodes = nodeCount();
    var e = assertThrows(InvalidArgumentException.class, () -> client.join(server.address(), old, fields("w", null)));
    assertTrue(e.getMessage().contains("join token is not valid for this swarm (it may have been rotated)"), e.getMessage());
    assertEquals(nodes, nodeCount());
    client.join(server.address(), cluster().joinTokens.worker, fields("w", null));
    assertEquals(nodes + 1, nodeCount());
  }

  @Test
  void aTokenForAnotherRootIsRefusedByTheJoiningNodeBeforeItSendsAnything() {
    RootCA other = RootCA.create("cluster2", CLOCK);
    String token = JoinToken.generate(other.digest(), random).toString();
    var e = assertThrows(InvalidArgumentException.class, () -> client.join(server.address(), token, fields("w", null)));
    assertTrue(e.getMessage().contains("the manager at " + server.address()
        + " presented a CA certificate whose digest does not match the join token"), e.getMessage());
    assertEquals(1, server.served.get(), "only GET /ca reached the manager");
  }

  @Test
  void aMalformedTokenIsRefusedWithoutAnyTraffic() {
    var e = assertThrows(InvalidArgumentException.class,
        () -> client.join(server.address(), "SWMTKN-1-abc-def", fields("w", null)));
    assertTrue(e.getMessage().startsWith("invalid join token: "), e.getMessage());
    assertEquals(0, server.served.get());
  }

  @Test
  void aCsrNotSignedByItsOwnKeyIsRefusedAndNoNodeIsCreated() throws Exception {
    NodeCredentials a = NodeCredentials.generateKey();
    NodeCredentials b = NodeCredentials.generateKey();
    // a's CSR with b's public key swapped in: the signature no longer matches the key it carries
    String forgedCsr = forgeCsr(a, b);
    JoinRequest req = fields("w", null);
    req.token = cluster().joinTokens.worker;
    req.csr = forgedCsr;
    int nodes = nodeCount();
    HttpResponse<String> r = post(TlsContexts.anonymousClient(pki.rootCA().certificate()), "/join", Json.toString(req));
    assertEquals(400, r.statusCode());
    assertTrue(r.body().contains("signature does not verify"), r.body());
    assertEquals(nodes, nodeCount());
  }

  private static String forgeCsr(NodeCredentials signer, NodeCredentials claimed) throws Exception {
    var builder = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
        new org.bouncycastle.asn1.x500.X500Name("CN=x"), claimed.publicKey());
    var csr = builder.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
        .build(signer.privateKey()));
    var out = new java.io.StringWriter();
    try (var w = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(out)) {
      w.writeObject(csr);
    }
    return out.toString();
  }

  @Test
  void renewGivesTheSameNodeANewCertificateWithTheRoleTheStoreHasNow() throws Exception {
    NodeCredentials first = client.join(server.address(), cluster().joinTokens.worker, fields("w", null)).credentials();
    NodeCredentials renewed = client.renew(server.address(), first);
    assertEquals(first.nodeId(), renewed.nodeId());
    assertEquals(PeerIdentity.WORKER_ROLE, renewed.role());
    assertNotEquals(first.publicKey(), renewed.publicKey());
    assertNotEquals(first.certificate().getSerialNumber(), renewed.certificate().getSerialNumber());

    store.update(tx -> { // promote
      Node n = tx.nodes().get(first.nodeId());
      n.spec.role = "manager";
      return tx.nodes().update(n);
    });
    NodeCredentials promoted = client.renew(server.address(), renewed);
    assertEquals(PeerIdentity.MANAGER_ROLE, promoted.role());
    assertEquals(first.nodeId(), promoted.nodeId());
  }

  @Test
  void renewNeedsAClientCertificate() throws Exception {
    HttpResponse<String> r = post(TlsContexts.anonymousClient(pki.rootCA().certificate()), "/renew",
        "{\"CSR\": " + Json.toString(NodeCredentials.generateKey().csrPem()) + "}");
    assertEquals(401, r.statusCode());
    assertTrue(r.body().contains("needs the node's current certificate"), r.body());
  }

  @Test
  void aRemovedNodeCannotRenew() throws Exception {
    NodeCredentials c = client.join(server.address(), cluster().joinTokens.worker, fields("w", null)).credentials();
    store.update(tx -> {
      tx.nodes().delete(c.nodeId());
      return null;
    });
    var e = assertThrows(IOException.class, () -> client.renew(server.address(), c));
    assertTrue(e.getMessage().contains("is not part of this swarm"), e.getMessage());
  }

  @Test
  void aClientCertificateFromAForeignCaIsRefusedAtTheHandshake() throws Exception {
    RootCA foreign = RootCA.create("cluster1", CLOCK);
    NodeCredentials pending = NodeCredentials.generateKey();
    // the intruder claims the first manager's identity, signed by its own CA
    NodeCredentials intruder = pending.withCertificate(
        foreign.issue(pending.csrPem(), "mgr1", PeerIdentity.MANAGER_ROLE, "cluster1", Duration.ofHours(1), CLOCK),
        foreign.certPem());
    var e = assertThrows(IOException.class, () -> client.renew(server.address(), intruder));
    assertTrue(e.getMessage().startsWith("cannot reach the manager at"), e.getMessage());
    assertEquals(0, server.served.get(), "no request got past the handshake");
  }

  private HttpResponse<String> post(SSLContext ssl, String path, String body) throws Exception {
    HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl).build();
    return c.send(HttpRequest.newBuilder(URI.create("https://" + server.address() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
