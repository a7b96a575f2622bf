package io.jswarm.transport.pki;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The TLS of the TCP API, dockerd's way ({@code --tlsverify --tlscacert --tlscert --tlskey}): the daemon presents
 * a certificate and key from PEM files (made by the user, e.g. with openssl as in Docker's "Protect the Docker
 * daemon socket" guide; not the cluster's node certificates) and, with {@code verify}, accepts only clients whose
 * certificate chains to the CA in {@code caCert}.
 *
 * <p>The files are read here ({@link Pem}: PKCS#8 "PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY" as {@code openssl genrsa
 * -traditional} writes it, SEC1 "EC PRIVATE KEY" as {@code openssl ecparam -genkey} does), with the JDK's key
 * factories, and handed to Netty as objects. Netty's own file reading parses all but PKCS#8 only through Bouncy
 * Castle's JCA provider, which the shaded jar leaves out (docs/footprint.md: Netty instantiates that provider, ~320
 * classes, as soon as it is on the class path).
 */
public final class ApiTls {
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private ApiTls() {}

  /**
   * A server context from PEM files.
   *
   * @param caCert the CA client certificates must chain to; required when {@code verify}
   * @throws IllegalArgumentException naming the flag of a file that is missing or unreadable
   */
  public static SslContext server(Path cert, Path key, Path caCert, boolean verify) {
    need("--tlscert", cert);
    need("--tlskey", key);
    if (verify) {
      need("--tlscacert", caCert);
    }
    try {
      List<X509Certificate> chain = Pem.certificates(read(cert), "--tlscert " + cert);
      PrivateKey privateKey = Pem.privateKey(read(key), "--tlskey " + key);
      SslContextBuilder b = SslContextBuilder.forServer(privateKey, chain)
          .sslProvider(SslProvider.JDK)
          .protocols(PROTOCOLS);
      if (verify) {
        b.trustManager(Pem.certificates(read(caCert), "--tlscacert " + caCert)).clientAuth(ClientAuth.REQUIRE);
      }
      return b.build();
    } catch (Exception e) {
      throw new IllegalArgumentException("cannot use --tlscert " + cert + " / --tlskey " + key
          + (verify ? " / --tlscacert " + caCert : "") + " for the TCP API: " + e.getMessage()
          + " (PEM files: a certificate, its private key, the CA certificate)", e);
    }
  }

  private static String read(Path p) throws java.io.IOException {
    return Files.readString(p, StandardCharsets.US_ASCII);
  }

  private static void need(String flag, Path p) {
    if (p == null) {
      throw new IllegalArgumentException(flag + " is required with --tls/--tlsverify: give a PEM file");
    }
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException(flag + " " + p + ": no such readable file");
    }
  }
}
