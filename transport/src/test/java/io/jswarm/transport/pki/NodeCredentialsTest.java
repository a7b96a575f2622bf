package io.jswarm.transport.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.InvalidArgumentException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeCredentialsTest {
  private static final RootCA CA = RootCA.create("cluster1", Clock.systemUTC());

  @Test
  void credentialsNameTheNode() {
    NodeCredentials c = TestPki.node(CA, "node7", PeerIdentity.MANAGER_ROLE);
    assertEquals("node7", c.nodeId());
    assertEquals(PeerIdentity.MANAGER_ROLE, c.role());
    assertTrue(c.identity().isManager());
    assertEquals("cluster1", c.clusterId());
    assertEquals(CA.certificate(), c.caCertificate());
  }

  @Test
  void saveAndLoadRoundTripThroughOneOwnerOnlyFile(@TempDir Path dir) throws Exception {
    NodeCredentials c = TestPki.node(CA, "node1", PeerIdentity.WORKER_ROLE);
    Path certs = dir.resolve("certificates");
    c.save(certs);
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(certs)));
    Path bundle = certs.resolve(NodeCredentials.BUNDLE_FILE);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(bundle)));
    String text = Files.readString(bundle);
    assertTrue(text.startsWith("-----BEGIN PRIVATE KEY-----") && text.contains(NodeCredentials.ROOTS_MARK)
        && text.contains("BEGIN CERTIFICATE"), text);
    try (var files = Files.list(certs)) {
      assertEquals(List.of(bundle), files.toList(), "one file, no temporary left");
    }
    NodeCredentials back = NodeCredentials.load(certs);
    assertEquals(c, back);
    assertEquals(c.privateKey(), back.privateKey());
    c.save(certs); // overwriting works
    assertEquals(c, NodeCredentials.load(certs));
  }

  /** The three files earlier versions wrote. */
  static void saveAsEarlierVersion(NodeCredentials c, Path dir) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(NodeCredentials.KEY_FILE), Pem.encode(c.privateKey()));
    Files.writeString(dir.resolve(NodeCredentials.CERT_FILE), c.certPem());
    Files.writeString(dir.resolve(NodeCredentials.CA_FILE), c.caCertPem());
  }

  @Test
  void credentialsOfAnEarlierVersionLoadAndTheNextSaveReplacesThem(@TempDir Path dir) throws Exception {
    NodeCredentials c = TestPki.node(CA, "node1", PeerIdentity.WORKER_ROLE);
    saveAsEarlierVersion(c, dir);
    assertTrue(NodeCredentials.exist(dir));
    assertEquals(c, NodeCredentials.load(dir));
    NodeCredentials renewed = TestPki.node(CA, "node1", PeerIdentity.MANAGER_ROLE);
    renewed.save(dir);
    try (var files = Files.list(dir)) {
      assertEquals(List.of(dir.resolve(NodeCredentials.BUNDLE_FILE)), files.toList());
    }
    assertEquals(renewed, NodeCredentials.load(dir));
  }

  @Test
  void loadRefusesAKeyThatIsNotTheCertificates(@TempDir Path dir) throws Exception {
    saveAsEarlierVersion(TestPki.node(CA, "node1", PeerIdentity.WORKER_ROLE), dir);
    NodeCredentials other = TestPki.node(CA, "node2", PeerIdentity.WORKER_ROLE);
    Files.writeString(dir.resolve(NodeCredentials.KEY_FILE), Pem.encode(other.privateKey()));
    var e = assertThrows(InvalidArgumentException.class, () -> NodeCredentials.load(dir));
    assertTrue(e.getMessage().contains("the private key does not belong to the node certificate"), e.getMessage());
    Path bundle = dir.resolve(NodeCredentials.BUNDLE_FILE);
    NodeCredentials mine = TestPki.node(CA, "node1", PeerIdentity.WORKER_ROLE);
    Files.writeString(bundle, Pem.encode(other.privateKey()) + mine.certPem() + NodeCredentials.ROOTS_MARK
        + mine.caCertPem());
    e = assertThrows(InvalidArgumentException.class, () -> NodeCredentials.load(dir));
    assertTrue(e.getMessage().contains("the private key does not belong to the node certificate"), e.getMessage());
  }

  @Test
  void aCertificateForAnotherKeyOrFromAnotherRootIsRefused() {
    NodeCredentials mine = NodeCredentials.generateKey();
    NodeCredentials theirs = NodeCredentials.generateKey();
    String forTheirs = CA.issue(theirs.csrPem(), "n", PeerIdentity.WORKER_ROLE, "c", Duration.ofHours(1), Clock.systemUTC());
    var e = assertThrows(InvalidArgumentException.class, () -> mine.withCertificate(forTheirs, CA.certPem()));
    assertTrue(e.getMessage().contains("not for this node's key"), e.getMessage());

    RootCA foreign = RootCA.create("cluster1", Clock.systemUTC());
    String fromForeign = foreign.issue(mine.csrPem(), "n", PeerIdentity.WORKER_ROLE, "c", Duration.ofHours(1), Clock.systemUTC());
    e = assertThrows(InvalidArgumentException.class, () -> mine.withCertificate(fromForeign, CA.certPem()));
    assertTrue(e.getMessage().contains("does not chain to the cluster root CA"), e.getMessage());
  }

  @Test
  void renewalIsDueBetweenHalfAndFourFifthsOfTheLifetime() {
    for (int i = 0; i < 5; i++) {
      NodeCredentials c = TestPki.node(CA, "n" + i, PeerIdentity.WORKER_ROLE, Duration.ofDays(90), Clock.systemUTC());
      Instant from = c.certificate().getNotBefore().toInstant();
      Duration life = Duration.between(from, c.notAfter());
      assertFalse(c.needsRenewal(from.plus(life.multipliedBy(49).dividedBy(100))));
      assertTrue(c.needsRenewal(from.plus(life.multipliedBy(81).dividedBy(100))));
      assertTrue(c.needsRenewal(c.notAfter().plusSeconds(1)));
      Instant at = c.renewalTime();
      assertFalse(c.needsRenewal(at.minusMillis(1)));
      assertTrue(c.needsRenewal(at));
    }
  }

  @Test
  void anExpiredCertificateStillLoadsAndSaysSo(@TempDir Path dir) throws Exception {
    Clock past = Clock.offset(Clock.systemUTC(), Duration.ofDays(-100));
    RootCA oldRoot = RootCA.create("cluster1", past);
    NodeCredentials c = TestPki.node(oldRoot, "n1", PeerIdentity.WORKER_ROLE, Duration.ofDays(90), past);
    c.save(dir);
    NodeCredentials back = NodeCredentials.load(dir);
    assertTrue(back.isExpired(Instant.now()));
    assertTrue(back.needsRenewal(Instant.now()));
    assertFalse(back.isExpired(Instant.now().minus(Duration.ofDays(50))));
  }

  @Test
  void credentialsWithoutACertificateCannotBeSaved(@TempDir Path dir) {
    NodeCredentials pending = NodeCredentials.generateKey();
    assertFalse(pending.hasCertificate());
    assertThrows(IllegalStateException.class, () -> pending.save(dir));
  }
}
