package io.jswarm.transport.pki;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.types.TLSInfo;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * The cluster's root certificate authority: an EC P-256 key and a self-signed certificate (CN {@code swarm-ca},
 * O = cluster id, valid {@link #VALIDITY}). It signs node certificates whose subject says who the node is:
 * CN = node id, OU = role ({@link PeerIdentity#MANAGER_ROLE} or {@link PeerIdentity#WORKER_ROLE}), O = cluster
 * id, usable for both TLS client and server authentication. Immutable and thread-safe.
 */
public final class RootCA {
  /** Validity of a root created by {@link #create}: 20 years, as Docker's. */
  public static final Duration VALIDITY = Duration.ofDays(20 * 365);
  /** Width of {@link #digest()}: base36 of a 256-bit number has at most 50 digits. */
  public static final int DIGEST_LENGTH = 50;
  /** Certificates are back-dated this much so that small clock differences between nodes do not matter. */
  static final Duration BACKDATE = Duration.ofMinutes(5);
  static final String SIGNATURE = "SHA256withECDSA";

  private static final SecureRandom SERIALS = new SecureRandom();

  private final X509Certificate cert;
  private final PrivateKey key;

  /**
   * What {@link #issue} puts after the node certificate: this root itself, or during a root rotation this root's
   * key cross-signed by the previous root ({@link #presenting}), so that nodes trusting only the previous root
   * accept the new certificates.
   */
  private final X509Certificate issuerInChain;

  private RootCA(X509Certificate cert, PrivateKey key) {
    this(cert, key, cert);
  }

  private RootCA(X509Certificate cert, PrivateKey key, X509Certificate issuerInChain) {
    this.cert = cert;
    this.key = key;
    this.issuerInChain = issuerInChain;
  }

  /**
   * The certificate of {@code next}'s key signed by this root (same subject and key as {@code next}'s, a CA,
   * issuer this root), valid as long as both roots are: a node that trusts only this root accepts certificates
   * {@code next} issues when they carry it as their intermediate. This is how a root rotation (swarmkit's
   * cross-signed rotation) keeps every node talking while certificates are re-issued.
   */
  public X509Certificate crossSign(RootCA next, Clock clock) {
    X509Certificate n = next.cert;
    Instant now = clock.instant();
    Instant notAfter = n.getNotAfter().before(cert.getNotAfter()) ? n.getNotAfter().toInstant()
        : cert.getNotAfter().toInstant();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(cert, serial(), Date.from(now.minus(BACKDATE)),
          Date.from(notAfter), X500Name.getInstance(n.getSubjectX500Principal().getEncoded()), n.getPublicKey())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(n.getPublicKey()))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(cert));
      return sign(b, key);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot cross-sign the new root CA certificate: " + e.getMessage(), e);
    }
  }

  /**
   * This root, issuing certificates whose chain carries {@code crossSigned} (this root's key signed by the
   * previous root, see {@link #crossSign}) instead of this root's own certificate.
   */
  public RootCA presenting(X509Certificate crossSigned) {
    if (!crossSigned.getPublicKey().equals(cert.getPublicKey())) {
      throw new InvalidArgumentException("cross-signed root CA certificate: it is not for this root's key");
    }
    return new RootCA(cert, key, crossSigned);
  }

  /** A new root for cluster {@code clusterId}, valid from now (minus {@link #BACKDATE}) for {@link #VALIDITY}. */
  public static RootCA create(String clusterId, Clock clock) {
    KeyPair kp = newKeyPair();
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, clusterId).addRDN(BCStyle.CN, "swarm-ca").build();
    Instant now = clock.instant();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(BACKDATE)),
          Date.from(now.plus(VALIDITY)), subject, kp.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(1))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
      return new RootCA(sign(b, kp.getPrivate()), kp.getPrivate());
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot create the root CA certificate: " + e.getMessage(), e);
    }
  }

  /** The root kept in the cluster object ({@code Swarm.rootCA}); the key must belong to the certificate. */
  public static RootCA fromPem(String certPem, String keyPem) {
    X509Certificate cert = Pem.certificate(certPem, "root CA certificate");
    PrivateKey key = Pem.privateKey(keyPem, "root CA key");
    if (!keyMatches(key, cert.getPublicKey())) {
      throw new InvalidArgumentException("root CA key: does not belong to the root CA certificate");
    }
    return new RootCA(cert, key);
  }

  public String certPem() {
    return Pem.encode(cert);
  }

  public String keyPem() {
    return Pem.encode(key);
  }

  public X509Certificate certificate() {
    return cert;
  }

  /** SHA-256 of the DER certificate in base36, zero-padded to {@value #DIGEST_LENGTH} characters (as in join tokens). */
  public String digest() {
    return digest(cert);
  }

  /** {@code cert} as PEM. */
  public static String pem(X509Certificate cert) {
    return Pem.encode(cert);
  }

  /** The certificates of a PEM text (a root, or a bundle of roots), checked to hold at least one. */
  public static List<X509Certificate> parseCertificates(String pem, String what) {
    return Pem.certificates(pem, what);
  }

  /** The digest of a PEM root certificate (what a new join token embeds). */
  public static String digestOfPem(String certPem) {
    return digest(Pem.certificate(certPem, "root CA certificate"));
  }

  /** See {@link #digest()}. */
  public static String digest(X509Certificate cert) {
    try {
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
      String s = new BigInteger(1, sha).toString(36);
      return "0".repeat(DIGEST_LENGTH - s.length()) + s;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot digest the root CA certificate", e);
    }
  }

  /**
   * One value for a set of trusted roots, the same whatever their order: the sorted {@link #digest(X509Certificate)}s
   * joined by commas. A node compares the value its dispatcher sends with that of its own roots to learn that a root
   * rotation started or ended (see {@code HeartbeatResponse.rootsDigest}).
   */
  public static String rootsDigest(java.util.Collection<X509Certificate> roots) {
    return String.join(",", new java.util.TreeSet<>(roots.stream().map(RootCA::digest).toList()));
  }

  /** What Docker shows as a node's and the swarm's {@code TLSInfo}: this root (PEM), its subject and public key. */
  public TLSInfo tlsInfo() {
    TLSInfo t = new TLSInfo();
    t.trustRoot = certPem();
    t.certIssuerSubject = Base64.getEncoder().encodeToString(cert.getSubjectX500Principal().getEncoded());
    t.certIssuerPublicKey = Base64.getEncoder().encodeToString(cert.getPublicKey().getEncoded());
    return t;
  }

  /**
   * Checks a PEM certificate signing request: well formed, and signed by the key it carries (so whoever sent it
   * holds that key).
   *
   * @throws InvalidArgumentException naming what is wrong
   */
  public static void checkCsr(String csrPem) {
    parseCsr(csrPem);
  }

  private static PKCS10CertificationRequest parseCsr(String csrPem) {
    PKCS10CertificationRequest csr = Pem.csr(csrPem, "CSR");
    boolean valid;
    try {
      PublicKey pub = new JcaPKCS10CertificationRequest(csr).getPublicKey();
      valid = csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(pub));
    } catch (GeneralSecurityException | OperatorCreationException | PKCSException | RuntimeException e) {
      throw new InvalidArgumentException("CSR: cannot verify its signature: " + e.getMessage());
    }
    if (!valid) {
      throw new InvalidArgumentException("CSR: its signature does not verify with the public key it carries");
    }
    return csr;
  }

  /**
   * Signs a node certificate for the key in {@code csrPem} (the CSR's own subject is ignored: the CA decides who
   * the node is).
   *
   * @param role {@link PeerIdentity#MANAGER_ROLE} or {@link PeerIdentity#WORKER_ROLE}
   * @return the PEM chain: the node certificate, then this root
   * @throws InvalidArgumentException when the CSR is malformed or not signed by its own key, or the role is unknown
   */
  public String issue(String csrPem, String nodeId, String role, String clusterId, Duration validity, Clock clock) {
    if (!PeerIdentity.MANAGER_ROLE.equals(role) && !PeerIdentity.WORKER_ROLE.equals(role)) {
      throw new InvalidArgumentException("role: expected " + PeerIdentity.MANAGER_ROLE + " or "
          + PeerIdentity.WORKER_ROLE + ", got " + role);
    }
    if (validity.isNegative() || validity.isZero()) {
      throw new InvalidArgumentException("certificate validity: must be positive, got " + validity);
    }
    PKCS10CertificationRequest csr = parseCsr(csrPem);
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, clusterId).addRDN(BCStyle.OU, role).addRDN(BCStyle.CN, nodeId).build();
    Instant now = clock.instant();
    Instant notAfter = now.plus(validity);
    if (notAfter.isAfter(cert.getNotAfter().toInstant())) {
      notAfter = cert.getNotAfter().toInstant(); // never outlive the root
    }
    try {
      PublicKey pub = new JcaPKCS10CertificationRequest(csr).getPublicKey();
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(cert, serial(), Date.from(now.minus(BACKDATE)),
          Date.from(notAfter), subject, pub)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth}))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pub))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(cert));
      return Pem.encode(List.of(sign(b, key), issuerInChain));
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new InvalidArgumentException("CSR: cannot sign a certificate for its key: " + e.getMessage());
    }
  }

  static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an EC P-256 key", e);
    }
  }

  static ContentSigner signer(PrivateKey key) {
    try {
      return new JcaContentSignerBuilder(SIGNATURE).build(key);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign with " + SIGNATURE, e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(b.build(signer(key)));
  }

  private static BigInteger serial() {
    return new BigInteger(127, SERIALS).add(BigInteger.ONE);
  }

  /** Whether {@code key} is the private half of {@code pub}: sign a probe and verify it. */
  static boolean keyMatches(PrivateKey key, PublicKey pub) {
    try {
      byte[] probe = "jswarm key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      java.security.Signature s = java.security.Signature.getInstance(SIGNATURE);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      s.initVerify(pub);
      s.update(probe);
      return s.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "RootCA[" + cert.getSubjectX500Principal() + ", digest " + digest() + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RootCA r && Arrays.equals(encoded(r.cert), encoded(cert));
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded(cert));
  }

  private static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
