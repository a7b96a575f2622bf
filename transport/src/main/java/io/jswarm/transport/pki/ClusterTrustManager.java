package io.jswarm.transport.pki;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly the certificates that chain to the cluster's root CA (both roots during a rotation; and, if
 * asked, that state one role) (PKIX path validation: signatures, validity dates,
 * CA constraints), with no hostname check: node certificates name node ids, not hosts. Being an
 * {@link X509ExtendedTrustManager}, JSSE calls it as it is and adds no endpoint identification of its own.
 */
final class ClusterTrustManager extends X509ExtendedTrustManager {
  private final List<X509Certificate> roots;
  /** When set, the peer's certificate must also state this role (OU). */
  private final String requiredRole;

  ClusterTrustManager(X509Certificate ca, String requiredRole) {
    this(List.of(ca), requiredRole);
  }

  /** Trusts chains to any of {@code roots} (two while the cluster's root is being rotated). */
  ClusterTrustManager(List<X509Certificate> roots, String requiredRole) {
    this.roots = List.copyOf(roots);
    this.requiredRole = requiredRole;
  }

  /**
   * Validates {@code chain} (leaf first; copies of roots in it are ignored) against any of {@code roots} at
   * {@code when}. The whole chain is tried first, then shorter prefixes of it: during a root rotation a node
   * presents the new root cross-signed by the old one after its certificate, which a peer trusting the old root
   * needs and a peer trusting the new root does without.
   */
  static void validate(X509Certificate[] chain, List<X509Certificate> roots, Date when)
      throws GeneralSecurityException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("no certificate presented");
    }
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate c : chain) {
      if (path.isEmpty() || !selfSigned(c)) {
        path.add(c);
      }
    }
    Set<TrustAnchor> anchors = new java.util.HashSet<>();
    for (X509Certificate r : roots) {
      anchors.add(new TrustAnchor(r, null));
    }
    GeneralSecurityException last = null;
    for (int k = path.size(); k >= 1; k--) {
      try {
        CertPath cp = CertificateFactory.getInstance("X.509").generateCertPath(path.subList(0, k));
        PKIXParameters params = new PKIXParameters(anchors);
        params.setRevocationEnabled(false);
        params.setDate(when);
        CertPathValidator.getInstance("PKIX").validate(cp, params);
        return;
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }

  /**
   * Whether {@code c} is a root: signed by its own key. (A name check is not enough: a new root cross-signed by
   * the old one during a rotation has the same subject and issuer names, and is an intermediate.)
   */
  static boolean selfSigned(X509Certificate c) {
    if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
      return false;
    }
    try {
      c.verify(c.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private void check(X509Certificate[] chain) throws CertificateException {
    try {
      validate(chain, roots, new Date());
      if (requiredRole != null) {
        String role;
        try {
          role = PeerIdentity.fromCertificate(chain[0]).role();
        } catch (IllegalArgumentException e) {
          role = null;
        }
        if (!requiredRole.equals(role)) {
          throw new CertificateException("certificate " + chain[0].getSubjectX500Principal() + " is not a "
              + requiredRole + "'s certificate");
        }
      }
    } catch (CertificateException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new CertificateException("certificate " + (chain.length == 0 ? "?" : chain[0].getSubjectX500Principal())
          + " is not from this cluster's root CA: " + e.getMessage(), e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    check(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return roots.toArray(new X509Certificate[0]);
  }
}
