package io.jswarm.transport.pki;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.transport.disk.DurableFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * certificate directory (0700) as one file, {@value #BUNDLE_FILE} (0600): the key, the node certificate and the
 * root CA certificate, PEM, in that order. One file is replaced as one unit ({@link DurableFiles#replace}: written,
 * synced, renamed, directory synced), so a crash at any moment of a renewal leaves the old credentials or the new,
 * never a key of one and a certificate of the other. Credentials saved by earlier versions as three files
 * ({@value #KEY_FILE}, {@value #CERT_FILE}, {@value #CA_FILE}) still load; the next save replaces them. Immutable.
 */
public final class NodeCredentials {
  public static final String KEY_FILE = "swarm-node.key";
  public static final String CERT_FILE = "swarm-node.crt";
  public static final String CA_FILE = "swarm-root-ca.crt";
  public static final String BUNDLE_FILE = "swarm-node.pem";
  private static final String KEY_END = "-----END PRIVATE KEY-----";

  private final KeyPair keyPair;
  private final X509Certificate cert;
  private final X509Certificate caCert;

  private NodeCredentials(KeyPair keyPair, X509Certificate cert, X509Certificate caCert) {
    this.keyPair = keyPair;
    this.cert = cert;
    this.caCert = caCert;
  }

  /** A new EC P-256 key and no certificate yet. */
  public static NodeCredentials generateKey() {
    return new NodeCredentials(RootCA.newKeyPair(), null, null);
  }

  /** A PEM certificate signing request for this key (its subject is a placeholder: the CA names the node). */
  public String csrPem() {
    var b = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=jswarm-node"), keyPair.getPublic());
    return Pem.encode(b.build(RootCA.signer(keyPair.getPrivate())));
  }

  /**
   * These credentials with the certificate a manager issued. The certificate must be for this key, name a node
   * (CN and OU) and chain to {@code caCertPem}; it may have expired (see {@link #isExpired}).
   *
   * @param certPem the node certificate, optionally followed by the rest of its chain
   * @throws InvalidArgumentException when any of that is not so
   */
  public NodeCredentials withCertificate(String certPem, String caCertPem) {
    X509Certificate leaf = Pem.certificate(certPem, "node certificate");
    X509Certificate ca = Pem.certificate(caCertPem, "root CA certificate");
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
      java.util.Date when = leaf.getNotBefore().after(ca.getNotBefore()) ? leaf.getNotBefore() : ca.getNotBefore();
      ClusterTrustManager.validate(new X509Certificate[] {leaf}, ca, when);
    } catch (CertPathValidatorException e) {
      throw new InvalidArgumentException("node certificate: it does not chain to the cluster root CA: " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new InvalidArgumentException("node certificate: cannot verify it: " + e.getMessage());
    }
    return new NodeCredentials(keyPair, leaf, ca);
  }

  /**
   * Credentials from parts already at hand: a node that creates the root CA at {@code swarm init} signs its own
   * certificate. Checked like {@link #withCertificate}.
   */
  public static NodeCredentials of(PrivateKey key, PublicKey pub, String certPem, String caCertPem) {
    return new NodeCredentials(new KeyPair(pub, key), null, null).withCertificate(certPem, caCertPem);
  }

  /**
   * Reads {@code certDir}'s {@value #BUNDLE_FILE} (or, from an earlier version, its three files); checked like
   * {@link #withCertificate}. Temporary files a crash left during a save are ignored.
   */
  public static NodeCredentials load(Path certDir) throws IOException {
    Path bundle = certDir.resolve(BUNDLE_FILE);
    String key;
    String cert;
    String ca;
    String where;
    if (Files.exists(bundle)) {
      String text = Files.readString(bundle, StandardCharsets.US_ASCII);
      int end = text.indexOf(KEY_END);
      if (end < 0) {
        throw new InvalidArgumentException(bundle + ": no private key in it; join the swarm again");
      }
      key = text.substring(0, end + KEY_END.length());
      List<X509Certificate> certs = Pem.certificates(text.substring(end + KEY_END.length()), bundle.toString());
      if (certs.size() != 2) {
        throw new InvalidArgumentException(bundle + ": expected the node certificate and the root CA certificate, "
            + "found " + certs.size() + " certificates; join the swarm again");
      }
      cert = Pem.encode(certs.get(0));
      ca = Pem.encode(certs.get(1));
      where = bundle.toString();
    } else {
      key = Files.readString(certDir.resolve(KEY_FILE), StandardCharsets.US_ASCII);
      cert = Files.readString(certDir.resolve(CERT_FILE), StandardCharsets.US_ASCII);
      ca = Files.readString(certDir.resolve(CA_FILE), StandardCharsets.US_ASCII);
      where = certDir.resolve(KEY_FILE).toString();
    }
    PrivateKey pk = Pem.privateKey(key, where);
    X509Certificate leaf = Pem.certificate(cert, where);
    if (!RootCA.keyMatches(pk, leaf.getPublicKey())) {
      throw new InvalidArgumentException(where + ": the private key does not belong to the node certificate");
    }
    return new NodeCredentials(new KeyPair(leaf.getPublicKey(), pk), null, null).withCertificate(cert, ca);
  }

  /** Whether {@code certDir} holds saved credentials (of this version or an earlier one). */
  public static boolean exist(Path certDir) {
    return Files.exists(certDir.resolve(BUNDLE_FILE)) || Files.exists(certDir.resolve(KEY_FILE));
  }

  /** {@link #save(Path, DurableFiles.CrashPoint)} without a crash point. */
  public void save(Path certDir) throws IOException {
    save(certDir, DurableFiles.CrashPoint.NONE);
  }

  /**
   * Writes the credentials into {@code certDir} (created 0700 if needed) as one file replaced atomically and
   * durably, readable by its owner only; then removes the three files of an earlier version, if any. A crash at
   * any step (tests inject one through {@code crash}) leaves loadable credentials: the old ones or these.
   */
  public void save(Path certDir, DurableFiles.CrashPoint crash) throws IOException {
    requireCertificate();
    Files.createDirectories(certDir);
    Files.setPosixFilePermissions(certDir, PosixFilePermissions.fromString("rwx------"));
    String text = Pem.encode(keyPair.getPrivate()) + Pem.encode(cert) + Pem.encode(caCert);
    DurableFiles.replace(certDir.resolve(BUNDLE_FILE), text.getBytes(StandardCharsets.US_ASCII), true, crash);
    boolean removed = false;
    for (String legacy : List.of(KEY_FILE, CERT_FILE, CA_FILE)) {
      crash.before("REMOVE_" + legacy);
      removed |= Files.deleteIfExists(certDir.resolve(legacy));
    }
    if (removed) {
      DurableFiles.syncDirectory(certDir);
    }
    DurableFiles.removeLeftovers(certDir);
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

  public X509Certificate caCertificate() {
    requireCertificate();
    return caCert;
  }

  public String certPem() {
    return Pem.encode(certificate());
  }

  public String caCertPem() {
    return Pem.encode(caCertificate());
  }

  /** The chain this node presents: its certificate, then the root. */
  public List<X509Certificate> chain() {
    return List.of(certificate(), caCertificate());
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
        && Objects.equals(n.cert, cert) && Objects.equals(n.caCert, caCert);
  }

  @Override
  public int hashCode() {
    return keyPair.getPublic().hashCode();
  }
}
