package io.jswarm.transport.pki;

import io.jswarm.api.errors.InvalidArgumentException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A node's TLS identity: its private key, its certificate (CN = node id, OU = role, O = cluster id) and the
 * cluster's root CA certificate. A node makes a key with {@link #generateKey()}, sends {@link #csrPem()} to a
 * manager and completes the credentials with {@link #withCertificate}. On disk they live in the node's
 * certificate directory as {@value #KEY_FILE} (0600), {@value #CERT_FILE} and {@value #CA_FILE}. Immutable.
 */
public final class NodeCredentials {
  public static final String KEY_FILE = "swarm-node.key";
  public static final String CERT_FILE = "swarm-node.crt";
  public static final String CA_FILE = "swarm-root-ca.crt";

  private final KeyPair keyPair;
  private final X509Certificate cert;
  /** Certificates between the node certificate and a root (during a root rotation: the cross-signed new root). */
  private final List<X509Certificate> intermediates;
  /** The roots this node trusts: one, or two while the cluster's root is being rotated. */
  private final List<X509Certificate> roots;

  private NodeCredentials(KeyPair keyPair, X509Certificate cert, List<X509Certificate> intermediates,
      List<X509Certificate> roots) {
    this.keyPair = keyPair;
    this.cert = cert;
    this.intermediates = intermediates == null ? List.of() : List.copyOf(intermediates);
    this.roots = roots == null ? List.of() : List.copyOf(roots);
  }

  /** A new EC P-256 key and no certificate yet. */
  public static NodeCredentials generateKey() {
    return new NodeCredentials(RootCA.newKeyPair(), null, null, null);
  }

  /** A PEM certificate signing request for this key (its subject is a placeholder: the CA names the node). */
  public String csrPem() {
    var b = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=jswarm-node"), keyPair.getPublic());
    return Pem.encode(b.build(RootCA.signer(keyPair.getPrivate())));
  }

  /**
   * These credentials with the certificate a manager issued. The certificate must be for this key, name a node
   * (CN and OU) and chain to one of the roots in {@code caCertPem} (through the intermediates that follow it in
   * {@code certPem}, if any); it may have expired (see {@link #isExpired}).
   *
   * @param certPem the node certificate, optionally followed by the rest of its chain
   * @param caCertPem the roots to trust: one, or (during a root rotation) several
   * @throws InvalidArgumentException when any of that is not so
   */
  public NodeCredentials withCertificate(String certPem, String caCertPem) {
    List<X509Certificate> chain = Pem.certificates(certPem, "node certificate");
    List<X509Certificate> trusted = Pem.certificates(caCertPem, "root CA certificate");
    X509Certificate leaf = chain.get(0);
    List<X509Certificate> between = new java.util.ArrayList<>();
    for (X509Certificate c : chain.subList(1, chain.size())) {
      if (!ClusterTrustManager.selfSigned(c)) {
        between.add(c); // a self-signed root at the end of the chain is not presented: peers have their own
      }
    }
    if (!leaf.getPublicKey().equals(keyPair.getPublic())) {
      throw new InvalidArgumentException("node certificate: it is not for this node's key");
    }
    try {
      PeerIdentity.fromCertificate(leaf);
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException("node certificate: " + e.getMessage());
    }
    try {
      // Checked at a moment both were valid, not now: an expired certificate still loads, so that its node can
      // see it has expired (notAfter) instead of failing to start. TLS peers check the dates at every handshake.
      java.util.Date when = leaf.getNotBefore();
      for (X509Certificate c : between) {
        when = c.getNotBefore().after(when) ? c.getNotBefore() : when;
      }
      List<X509Certificate> path = new java.util.ArrayList<>();
      path.add(leaf);
      path.addAll(between);
      ClusterTrustManager.validate(path.toArray(new X509Certificate[0]), trusted, when);
    } catch (CertPathValidatorException e) {
      throw new InvalidArgumentException("node certificate: it does not chain to the cluster root CA: " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new InvalidArgumentException("node certificate: cannot verify it: " + e.getMessage());
    }
    return new NodeCredentials(keyPair, leaf, between, trusted);
  }

  /**
   * Credentials from parts already at hand: a node that creates the root CA at {@code swarm init} signs its own
   * certificate. Checked like {@link #withCertificate}.
   */
  public static NodeCredentials of(PrivateKey key, PublicKey pub, String certPem, String caCertPem) {
    return new NodeCredentials(new KeyPair(pub, key), null, null, null).withCertificate(certPem, caCertPem);
  }

  /** Reads the three files of {@code certDir}, the key file in the clear; see {@link #load(Path, KeySeal)}. */
  public static NodeCredentials load(Path certDir) throws IOException {
    return load(certDir, KeySeal.NONE);
  }

  /**
   * Reads the three files of {@code certDir}, the key file through {@code seal}; checked like
   * {@link #withCertificate}.
   */
  public static NodeCredentials load(Path certDir, KeySeal seal) throws IOException {
    String key = new String(seal.open(Files.readAllBytes(certDir.resolve(KEY_FILE)), certDir.resolve(KEY_FILE)),
        StandardCharsets.US_ASCII);
    String cert = Files.readString(certDir.resolve(CERT_FILE), StandardCharsets.US_ASCII);
    String ca = Files.readString(certDir.resolve(CA_FILE), StandardCharsets.US_ASCII);
    PrivateKey pk = Pem.privateKey(key, certDir.resolve(KEY_FILE).toString());
    X509Certificate leaf = Pem.certificate(cert, certDir.resolve(CERT_FILE).toString());
    if (!RootCA.keyMatches(pk, leaf.getPublicKey())) {
      throw new InvalidArgumentException(certDir.resolve(KEY_FILE) + ": does not belong to the certificate in "
          + certDir.resolve(CERT_FILE));
    }
    return new NodeCredentials(new KeyPair(leaf.getPublicKey(), pk), null, null, null).withCertificate(cert, ca);
  }

  /**
   * Writes the three files into {@code certDir} (created if needed), each atomically (a temporary file renamed
   * over the old one); the key file is readable by its owner only.
   */
  public void save(Path certDir) throws IOException {
    save(certDir, KeySeal.NONE);
  }

  /** {@link #save(Path)} with the key file's content made by {@code seal}. */
  public void save(Path certDir, KeySeal seal) throws IOException {
    requireCertificate();
    Files.createDirectories(certDir);
    write(certDir, KEY_FILE, seal.seal(Pem.encode(keyPair.getPrivate()).getBytes(StandardCharsets.US_ASCII)), true);
    write(certDir, CERT_FILE, Pem.encode(chain()).getBytes(StandardCharsets.US_ASCII), false);
    write(certDir, CA_FILE, Pem.encode(roots).getBytes(StandardCharsets.US_ASCII), false);
  }

  private static void write(Path dir, String name, byte[] content, boolean secret) throws IOException {
    Path tmp = dir.resolve(name + ".tmp");
    Files.deleteIfExists(tmp);
    if (secret) {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    Files.write(tmp, content);
    Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public boolean hasCertificate() {
    return cert != null;
  }

  private void requireCertificate() {
    if (cert == null) {
      throw new IllegalStateException("these credentials have no certificate yet: join or renew first");
    }
  }

  public PrivateKey privateKey() {
    return keyPair.getPrivate();
  }

  public PublicKey publicKey() {
    return keyPair.getPublic();
  }

  public X509Certificate certificate() {
    requireCertificate();
    return cert;
  }

  /** The first root this node trusts (the cluster's root; during a rotation the one it trusted first). */
  public X509Certificate caCertificate() {
    requireCertificate();
    return roots.get(0);
  }

  /** Every root this node trusts: one, or two while the cluster's root is being rotated. */
  public List<X509Certificate> trustedRoots() {
    requireCertificate();
    return roots;
  }

  /** {@link #trustedRoots()} as PEM. */
  public String trustedRootsPem() {
    return Pem.encode(trustedRoots());
  }

  public String certPem() {
    return Pem.encode(certificate());
  }

  public String caCertPem() {
    return Pem.encode(caCertificate());
  }

  /**
   * The public key of the CA that signed this node's certificate (the new root's during and after a rotation),
   * as Docker's {@code TLSInfo.CertIssuerPublicKey}: base64 of its DER.
   */
  public String issuerPublicKey() {
    X509Certificate issuer = intermediates.isEmpty() ? null : intermediates.get(0);
    if (issuer == null) {
      for (X509Certificate r : roots) {
        try {
          certificate().verify(r.getPublicKey());
          issuer = r;
          break;
        } catch (GeneralSecurityException e) {
          // signed by another root
        }
      }
    }
    return issuer == null ? null : java.util.Base64.getEncoder().encodeToString(issuer.getPublicKey().getEncoded());
  }

  /** The chain this node presents: its certificate, then its intermediates (or the root it chains to). */
  public List<X509Certificate> chain() {
    List<X509Certificate> c = new java.util.ArrayList<>();
    c.add(certificate());
    c.addAll(intermediates.isEmpty() ? List.of(caCertificate()) : intermediates);
    return c;
  }

  public PeerIdentity identity() {
    return PeerIdentity.fromCertificate(certificate());
  }

  public String nodeId() {
    return identity().nodeId();
  }

  /** {@link PeerIdentity#MANAGER_ROLE} or {@link PeerIdentity#WORKER_ROLE}. */
  public String role() {
    return identity().role();
  }

  public String clusterId() {
    return PeerIdentity.clusterId(certificate());
  }

  public Instant notAfter() {
    return certificate().getNotAfter().toInstant();
  }

  /** Whether the certificate is past its end of validity: the node cannot renew it and must join again. */
  public boolean isExpired(Instant now) {
    return now.isAfter(notAfter());
  }

  /**
   * Whether the certificate is due for renewal: once {@code now} is past its renewal point, which lies between
   * 50% and 80% of its lifetime (as Docker does), at a fraction fixed by the certificate's serial number so that
   * nodes that joined together do not all renew at once. Also true once expired.
   */
  public boolean needsRenewal(Instant now) {
    return !now.isBefore(renewalTime());
  }

  /** See {@link #needsRenewal}. */
  public Instant renewalTime() {
    X509Certificate c = certificate();
    Instant from = c.getNotBefore().toInstant();
    Duration life = Duration.between(from, c.getNotAfter().toInstant());
    double fraction = 0.5 + 0.3 * (c.getSerialNumber().mod(BigInteger.valueOf(1000)).intValue() / 1000.0);
    return from.plusMillis((long) (life.toMillis() * fraction));
  }

  @Override
  public String toString() {
    return cert == null ? "NodeCredentials[no certificate]"
        : "NodeCredentials[" + nodeId() + ", " + role() + ", until " + notAfter() + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeCredentials n && n.keyPair.getPublic().equals(keyPair.getPublic())
        && Objects.equals(n.cert, cert) && n.intermediates.equals(intermediates) && n.roots.equals(roots);
  }

  @Override
  public int hashCode() {
    return keyPair.getPublic().hashCode();
  }
}
