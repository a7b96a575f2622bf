package io.jswarm.transport.pki;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The TLS of the TCP API, dockerd's way ({@code --tlsverify --tlscacert --tlscert --tlskey}): the daemon presents
 * a certificate and key from PEM files (made by the user, e.g. with openssl as in Docker's "Protect the Docker
 * daemon socket" guide; not the cluster's node certificates) and, with {@code verify}, accepts only clients whose
 * certificate chains to the CA in {@code caCert}.
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
      SslContextBuilder b = SslContextBuilder.forServer(cert.toFile(), key.toFile())
          .sslProvider(SslProvider.JDK)
          .protocols(PROTOCOLS);
      if (verify) {
        b.trustManager(caCert.toFile()).clientAuth(ClientAuth.REQUIRE);
      }
      return b.build();
    } catch (Exception e) {
      throw new IllegalArgumentException("cannot use --tlscert " + cert + " / --tlskey " + key
          + (verify ? " / --tlscacert " + caCert : "") + " for the TCP API: " + e.getMessage()
          + " (PEM files: a certificate, its private key, the CA certificate)", e);
    }
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
