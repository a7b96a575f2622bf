package io.jswarm.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The TLS listener: a verified client certificate becomes {@link HttpRequest#peer()}; none is allowed too. */
class HttpServerTlsTest {
  private static KeyPair caKeys;
  private static X509Certificate ca;
  private static HttpServer server;

  @BeforeAll
  static void start() throws Exception {
    caKeys = keys();
    ca = sign("CN=test-root-ca", caKeys.getPublic(), "CN=test-root-ca", caKeys.getPrivate(), true);
    KeyPair serverKeys = keys();
    X509Certificate serverCert = sign("CN=manager,OU=swarm-manager", serverKeys.getPublic(), "CN=test-root-ca",
        caKeys.getPrivate(), false);
    SslContext ssl = SslContextBuilder.forServer(serverKeys.getPrivate(), serverCert)
        .trustManager(ca)
        .clientAuth(ClientAuth.OPTIONAL)
        .build();
    Router router = new Router().get("/whoami", r -> HttpResponse.text(200,
        r.peer() == null ? "anonymous" : r.peer().nodeId() + " " + r.peer().role() + " " + r.peer().isManager()));
    server = HttpServer.start(router, List.of(new HttpServer.Tls("127.0.0.1", 0, ssl)));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aVerifiedClientCertificateIsThePeer() throws Exception {
    KeyPair nodeKeys = keys();
    X509Certificate node = sign("O=cluster1,OU=swarm-worker,CN=node1abc", nodeKeys.getPublic(), "CN=test-root-ca",
        caKeys.getPrivate(), false);
    assertEquals("node1abc swarm-worker false", whoami(client(nodeKeys.getPrivate(), node)));
  }

  @Test
  void aClientWithoutCertificateIsServedWithoutPeer() throws Exception {
    assertEquals("anonymous", whoami(client(null, null)));
  }

  private static String whoami(SSLContext ctx) throws Exception {
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", server.port(0))) {
      RawHttp http = new RawHttp(s.getInputStream(), s.getOutputStream());
      http.get("/whoami");
      return http.response().body();
    }
  }

  private static SSLContext client(PrivateKey key, X509Certificate cert) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    if (key != null) {
      keys.setKeyEntry("node", key, new char[0], new X509Certificate[] {cert, ca});
    }
    kmf.init(keys, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  private static KeyPair keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509Certificate sign(String subject, java.security.PublicKey key, String issuer,
      PrivateKey issuerKey, boolean isCa) throws Exception {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer),
        BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofMinutes(1))),
        Date.from(now.plus(Duration.ofHours(1))), new X500Name(subject), key);
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
  }
}
