package io.jswarm.transport.pki;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The trust relations a root rotation relies on: certificates of the new root carry the new root cross-signed by
 * the old one, so nodes that trust only the old root, only the new one, or both, all accept them; certificates of
 * the old root are accepted by nodes that still trust it and refused once only the new root is trusted.
 */
class CrossSignedRotationTest {
  private static final Clock CLOCK = Clock.systemUTC();
  private static final RootCA OLD = RootCA.create("cluster1", CLOCK);
  private static final RootCA NEW = RootCA.create("cluster1", CLOCK);
  private static final RootCA SIGNER = NEW.presenting(OLD.crossSign(NEW, CLOCK));

  @Test
  void aCertificateOfTheNewRootIsAcceptedByEveryNodeDuringTheRotation() {
    NodeCredentials renewed = node(SIGNER, OLD.certPem() + NEW.certPem());
    X509Certificate[] presented = renewed.chain().toArray(new X509Certificate[0]);
    assertEquals(2, presented.length, "node certificate, then the cross-signed new root");
    assertDoesNotThrow(() -> trusting(OLD).checkServerTrusted(presented, "EC"), "trusts only the old root");
    assertDoesNotThrow(() -> trusting(NEW).checkServerTrusted(presented, "EC"), "trusts only the new root");
    assertDoesNotThrow(() -> trusting(OLD, NEW).checkClientTrusted(presented, "EC"), "trusts both");
    assertEquals(java.util.Base64.getEncoder().encodeToString(NEW.certificate().getPublicKey().getEncoded()),
        renewed.issuerPublicKey(), "the node reports the new root as its issuer");
  }

  @Test
  void aCertificateOfTheOldRootIsRefusedOnceOnlyTheNewRootIsTrusted() {
    NodeCredentials stale = node(OLD, OLD.certPem());
    X509Certificate[] presented = stale.chain().toArray(new X509Certificate[0]);
    assertDoesNotThrow(() -> trusting(OLD, NEW).checkClientTrusted(presented, "EC"));
    assertThrows(CertificateException.class, () -> trusting(NEW).checkClientTrusted(presented, "EC"));
  }

  @Test
  void aCrossSignatureByAnotherRootDoesNotMakeANodeTrusted() {
    RootCA foreign = RootCA.create("cluster1", CLOCK);
    NodeCredentials sneaky = node(NEW.presenting(foreign.crossSign(NEW, CLOCK)), NEW.certPem());
    X509Certificate[] presented = sneaky.chain().toArray(new X509Certificate[0]);
    assertThrows(CertificateException.class, () -> trusting(OLD).checkClientTrusted(presented, "EC"));
  }

  private static ClusterTrustManager trusting(RootCA... roots) {
    return new ClusterTrustManager(java.util.Arrays.stream(roots).map(RootCA::certificate).toList(), null);
  }

  private static NodeCredentials node(RootCA ca, String rootsPem) {
    NodeCredentials pending = NodeCredentials.generateKey();
    return pending.withCertificate(ca.issue(pending.csrPem(), "n1", PeerIdentity.WORKER_ROLE, "cluster1",
        Duration.ofHours(1), CLOCK), rootsPem);
  }
}
