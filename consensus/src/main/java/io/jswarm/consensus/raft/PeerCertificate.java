package io.jswarm.consensus.raft;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The client certificate of a Raft gRPC connection: the node it names (CN) and its validity dates. The dates are
 * checked again on every call and message, not only by the TLS handshake: an HTTP/2 connection (Ratis' append stream)
 * lives for hours, and a resumed TLS session skips the trust manager altogether, so a certificate that expired since
 * its full handshake would otherwise keep its access (docs/security.md, "TLS session resumption").
 */
record PeerCertificate(String nodeId, long notBeforeMillis, long notAfterMillis) {

  /** The verified client certificate of {@code session}, or null (none, not X.509, or no CN). */
  static PeerCertificate of(SSLSession session) {
    if (session == null) {
      return null;
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return null;
      }
      for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return new PeerCertificate(String.valueOf(rdn.getValue()), leaf.getNotBefore().getTime(),
              leaf.getNotAfter().getTime());
        }
      }
      return null;
    } catch (SSLPeerUnverifiedException | InvalidNameException e) {
      return null;
    }
  }

  /** The node this certificate names if it is within its dates at {@code nowMillis}, else null. */
  static String nodeIdAt(PeerCertificate c, long nowMillis) {
    return c != null && nowMillis >= c.notBeforeMillis && nowMillis <= c.notAfterMillis ? c.nodeId : null;
  }
}
