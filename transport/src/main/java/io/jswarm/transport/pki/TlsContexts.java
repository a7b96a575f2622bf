package io.jswarm.transport.pki;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS settings of node-to-node traffic, as JDK {@link SSLContext}s and Netty {@link SslContext}s.
 *
 * <ul>
 *   <li>server: presents the node certificate, asks for a client certificate but does not require one (routes
 *       that need it check {@code HttpRequest.peer}), trusts only the cluster root CA;
 *   <li>client: presents the node certificate, trusts only the cluster root CA; {@link #managerClient} (every
 *       call a node makes to a manager) also requires the server's certificate to be a manager's;
 *   <li>bootstrap client: trusts any server and presents nothing, only for {@code GET /ca} before the root's
 *       digest is checked against the join token.
 * </ul>
 *
 * Hostnames are never checked (certificates name node ids, not hosts); the whole chain to the cluster root
 * always is. TLS 1.3 and 1.2 only.
 *
 * <p>TLS sessions resume (the JDK's defaults: the server hands out stateless tickets, a client keeps them by the
 * server's host and port) for at most {@link #SESSION_LIFETIME} on the Netty contexts: a resumed handshake skips
 * the certificate checks and signatures of a full one, so the server re-checks on each connection what a ticket
 * could carry past its time (the certificate's dates, {@code HttpConnection}); a removed node is refused per
 * request whatever its session, and a root rotation restarts every node's contexts (new ticket keys). See
 * docs/security.md, "TLS session resumption".
 */
public final class TlsContexts {
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
  /**
   * How long a TLS session may be resumed after its full handshake (the JDK's default is a day): the cluster port's
   * tickets and the agents' cached sessions ({@code nettyServer}, {@code nettyManagerClient}).
   */
  public static final java.time.Duration SESSION_LIFETIME = java.time.Duration.ofHours(1);

  private TlsContexts() {}

  /** Presents {@code creds}' certificate (and the root after it) whatever issuers the peer asks for. */
  public static X509ExtendedKeyManager keyManager(NodeCredentials creds) {
    return new NodeKeyManager(creds);
  }

  /** Trusts certificates that chain to {@code ca}, with no hostname check. */
  public static X509ExtendedTrustManager trustManager(X509Certificate ca) {
    return new ClusterTrustManager(ca, null);
  }

  /**
   * For the Raft port: trusts only manager certificates ({@code OU = swarm-manager}) that chain to {@code creds}'
   * root, both ways, so a worker's certificate cannot reach the Raft group.
   */
  public static X509ExtendedTrustManager managerTrustManager(NodeCredentials creds) {
    return new ClusterTrustManager(creds.trustedRoots(), PeerIdentity.MANAGER_ROLE);
  }

  /** Trusts certificates that chain to any root {@code creds} trusts (two during a root rotation). */
  public static X509ExtendedTrustManager trustManager(NodeCredentials creds) {
    return new ClusterTrustManager(creds.trustedRoots(), null);
  }

  /** A JDK context for a server; the server side must also ask for client certificates ({@code setWantClientAuth}). */
  public static SSLContext server(NodeCredentials creds) {
    return jdk(keyManager(creds), trustManager(creds));
  }

  /** A JDK context for a client with a node certificate. */
  public static SSLContext client(NodeCredentials creds) {
    return jdk(keyManager(creds), trustManager(creds));
  }

  /**
   * A JDK context for a client that calls managers only (the dispatcher, the CA's {@code /renew} and
   * {@code /raft/join}, the managers' image registry): the server must present a manager certificate
   * ({@code OU = swarm-manager}) of this cluster's root, so a worker's certificate cannot pose as a manager.
   */
  public static SSLContext managerClient(NodeCredentials creds) {
    return jdk(keyManager(creds), managerTrustManager(creds));
  }

  /**
   * A JDK context for a client without a certificate that trusts only manager certificates of {@code ca} (used for
   * {@code POST /join}).
   */
  public static SSLContext anonymousClient(X509Certificate ca) {
    return jdk(null, new ClusterTrustManager(ca, PeerIdentity.MANAGER_ROLE));
  }

  /** {@link #anonymousClient(X509Certificate)} trusting any of {@code roots}. */
  public static SSLContext anonymousClient(java.util.List<X509Certificate> roots) {
    return jdk(null, new ClusterTrustManager(roots, PeerIdentity.MANAGER_ROLE));
  }

  /** A JDK context that trusts any server: only for {@code GET /ca} before the digest check. */
  public static SSLContext bootstrapClient() {
    return jdk(null, new TrustAnythingManager());
  }

  private static SSLContext jdk(KeyManager km, TrustManager tm) {
    try {
      SSLContext c = SSLContext.getInstance("TLS");
      c.init(km == null ? null : new KeyManager[] {km}, new TrustManager[] {tm}, null);
      return c;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot create a TLS context: " + e.getMessage(), e);
    }
  }

  /** A Netty context for the cluster port's server: node certificate, client certificates optional. */
  public static SslContext nettyServer(NodeCredentials creds) {
    try {
      return SslContextBuilder.forServer(keyManager(creds))
          .trustManager(trustManager(creds))
          .clientAuth(ClientAuth.OPTIONAL)
          .sslProvider(SslProvider.JDK)
          .protocols(PROTOCOLS)
          .sessionTimeout(SESSION_LIFETIME.toSeconds())
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot create the Netty server TLS context: " + e.getMessage(), e);
    }
  }

  /** A Netty context for a client with a node certificate (hostname verification off, chain to the root on). */
  public static SslContext nettyClient(NodeCredentials creds) {
    return nettyClient(creds, trustManager(creds));
  }

  /**
   * The Netty counterpart of {@link #managerClient}: a client with a node certificate that calls managers only (the
   * agent's dispatcher connections), so a worker's certificate cannot pose as a manager.
   */
  public static SslContext nettyManagerClient(NodeCredentials creds) {
    return nettyClient(creds, managerTrustManager(creds));
  }

  private static SslContext nettyClient(NodeCredentials creds, TrustManager trust) {
    try {
      return SslContextBuilder.forClient()
          .keyManager(keyManager(creds))
          .trustManager(trust)
          .endpointIdentificationAlgorithm(null)
          .sslProvider(SslProvider.JDK)
          .protocols(PROTOCOLS)
          .sessionTimeout(SESSION_LIFETIME.toSeconds())
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot create the Netty client TLS context: " + e.getMessage(), e);
    }
  }

  /** A Netty context that trusts any server and presents nothing: only for {@code GET /ca} before the digest check. */
  public static SslContext nettyBootstrapClient() {
    try {
      return SslContextBuilder.forClient()
          .trustManager(new TrustAnythingManager())
          .endpointIdentificationAlgorithm(null)
          .sslProvider(SslProvider.JDK)
          .protocols(PROTOCOLS)
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot create the Netty bootstrap TLS context: " + e.getMessage(), e);
    }
  }

  /**
   * The identity of the peer of a TLS session from its verified certificate, or null when it presented none (or
   * the certificate names no node).
   */
  public static PeerIdentity peerIdentity(SSLSession session) {
    if (session == null) {
      return null;
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return null;
    }
    try {
      return PeerIdentity.fromCertificate(leaf);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
