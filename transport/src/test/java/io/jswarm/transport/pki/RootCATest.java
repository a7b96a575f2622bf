package io.jswarm.transport.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.InvalidArgumentException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

class RootCATest {
  private static final Clock CLOCK = Clock.systemUTC();
  private static final RootCA CA = RootCA.create("cluster1", CLOCK);

  @Test
  void rootIsASelfSignedCaNamedSwarmCa() throws Exception {
    X509Certificate c = CA.certificate();
    assertEquals(c.getSubjectX500Principal(), c.getIssuerX500Principal());
    assertTrue(c.getSubjectX500Principal().getName().contains("CN=swarm-ca"), c.getSubjectX500Principal().getName());
    assertTrue(c.getBasicConstraints() >= 0, "must be a CA");
    assertEquals("EC", c.getPublicKey().getAlgorithm());
    c.verify(c.getPublicKey());
    assertTrue(c.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(365 * 19))));
  }

  @Test
  void pemRoundTripKeepsTheRootAndItsDigest() {
    RootCA back = RootCA.fromPem(CA.certPem(), CA.keyPem());
    assertEquals(CA, back);
    assertEquals(CA.digest(), back.digest());
    assertEquals(RootCA.DIGEST_LENGTH, CA.digest().length());
    assertTrue(CA.digest().matches("[0-9a-z]{50}"));
    assertNotEquals(CA.digest(), RootCA.create("cluster1", CLOCK).digest());
  }

  @Test
  void aKeyOfAnotherRootIsRefused() {
    RootCA other = RootCA.create("cluster1", CLOCK);
    var e = assertThrows(InvalidArgumentException.class, () -> RootCA.fromPem(CA.certPem(), other.keyPem()));
    assertTrue(e.getMessage().contains("does not belong to the root CA certificate"), e.getMessage());
  }

  @Test
  void issuedCertificateNamesTheNodeAndChainsToTheRoot() throws Exception {
    NodeCredentials pending = NodeCredentials.generateKey();
    String chain = CA.issue(pending.csrPem(), "node1", PeerIdentity.WORKER_ROLE, "cluster1", Duration.ofHours(2), CLOCK);
    List<X509Certificate> certs = Pem.certificates(chain, "chain");
    assertEquals(2, certs.size());
    X509Certificate leaf = certs.get(0);
    assertEquals(CA.certificate(), certs.get(1));
    leaf.verify(CA.certificate().getPublicKey());
    PeerIdentity id = PeerIdentity.fromCertificate(leaf);
    assertEquals("node1", id.nodeId());
    assertEquals(PeerIdentity.WORKER_ROLE, id.role());
    assertEquals("cluster1", PeerIdentity.clusterId(leaf));
    assertEquals(pending.publicKey(), leaf.getPublicKey());
    assertTrue(leaf.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")));
    assertEquals(-1, leaf.getBasicConstraints());
    Duration life = Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
    assertEquals(Duration.ofHours(2).plus(RootCA.BACKDATE), life);
    ClusterTrustManager.validate(new X509Certificate[] {leaf}, java.util.List.of(CA.certificate()), new Date());
  }

  @Test
  void aCsrNotSignedByTheKeyItCarriesIsRefused() {
    KeyPair claimed = RootCA.newKeyPair();
    KeyPair signer = RootCA.newKeyPair();
    String csr = Pem.encode(new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"), claimed.getPublic())
        .build(RootCA.signer(signer.getPrivate())));
    var e = assertThrows(InvalidArgumentException.class,
        () -> CA.issue(csr, "node1", PeerIdentity.WORKER_ROLE, "cluster1", Duration.ofHours(1), CLOCK));
    assertTrue(e.getMessage().contains("signature does not verify"), e.getMessage());
    assertThrows(InvalidArgumentException.class, () -> RootCA.checkCsr(csr));
  }

  @Test
  void malformedCsrAndUnknownRoleAreRefused() {
    var e = assertThrows(InvalidArgumentException.class,
        () -> CA.issue("hello", "n", PeerIdentity.WORKER_ROLE, "c", Duration.ofHours(1), CLOCK));
    assertTrue(e.getMessage().startsWith("CSR: "), e.getMessage());
    e = assertThrows(InvalidArgumentException.class, () -> CA.issue(CA.certPem(), "n", PeerIdentity.WORKER_ROLE, "c",
        Duration.ofHours(1), CLOCK));
    assertTrue(e.getMessage().contains("expected a PEM certificate signing request"), e.getMessage());
    String csr = NodeCredentials.generateKey().csrPem();
    e = assertThrows(InvalidArgumentException.class, () -> CA.issue(csr, "n", "admin", "c", Duration.ofHours(1), CLOCK));
    assertTrue(e.getMessage().contains("expected swarm-manager or swarm-worker"), e.getMessage());
  }

  @Test
  void certificatesNeverOutliveTheRoot() throws Exception {
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofDays(20 * 365 - 1)), ZoneOffset.UTC);
    RootCA old = RootCA.create("c", past);
    String chain = old.issue(NodeCredentials.generateKey().csrPem(), "n", PeerIdentity.WORKER_ROLE, "c",
        Duration.ofDays(90), CLOCK);
    assertEquals(old.certificate().getNotAfter(), Pem.certificate(chain, "c").getNotAfter());
  }
}
