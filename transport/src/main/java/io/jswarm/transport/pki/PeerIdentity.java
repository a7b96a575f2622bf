package io.jswarm.transport.pki;

import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Who is on the other end of a mutual-TLS connection, read from its verified certificate: the node id (the
 * certificate's CN) and the role (its OU, {@code swarm-manager} or {@code swarm-worker}). Never taken from a
 * message body: a node is what its certificate says it is.
 */
public record PeerIdentity(String nodeId, String role, X509Certificate certificate) {
  public static final String MANAGER_ROLE = "swarm-manager";
  public static final String WORKER_ROLE = "swarm-worker";

  public boolean isManager() {
    return MANAGER_ROLE.equals(role);
  }

  /**
   * The identity a node certificate states (CN = node id, OU = role). The caller must have verified the
   * certificate against the cluster CA (the TLS handshake does); this only reads it.
   *
   * @throws IllegalArgumentException when the certificate has no CN or no OU
   */
  public static PeerIdentity fromCertificate(X509Certificate cert) {
    X500Name name = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded());
    String cn = first(name, BCStyle.CN);
    String ou = first(name, BCStyle.OU);
    if (cn == null || ou == null) {
      throw new IllegalArgumentException("certificate " + cert.getSubjectX500Principal()
          + " is not a node certificate: it needs CN = node id and OU = role");
    }
    return new PeerIdentity(cn, ou, cert);
  }

  /** The cluster id a node certificate states (its O), or null. */
  public static String clusterId(X509Certificate cert) {
    return first(X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()), BCStyle.O);
  }

  private static String first(X500Name name, ASN1ObjectIdentifier attr) {
    RDN[] rdns = name.getRDNs(attr);
    return rdns.length == 0 ? null : IETFUtils.valueToString(rdns[0].getFirst().getValue());
  }

  /** The api role name ({@code manager} / {@code worker}) for a certificate role, and back. */
  public static String apiRole(String certRole) {
    return MANAGER_ROLE.equals(certRole) ? "manager" : WORKER_ROLE.equals(certRole) ? "worker" : null;
  }

  /** See {@link #apiRole}: {@code manager} -> {@value #MANAGER_ROLE}, {@code worker} -> {@value #WORKER_ROLE}. */
  public static String certRole(String apiRole) {
    return "manager".equals(apiRole) ? MANAGER_ROLE : "worker".equals(apiRole) ? WORKER_ROLE : null;
  }
}
