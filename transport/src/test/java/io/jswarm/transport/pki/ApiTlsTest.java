package io.jswarm.transport.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TCP API's PEM files ({@code --tlscert/--tlskey}) in every form openssl writes a key (openssl is installed by
 * .ci/run), read as the shaded jar runs: without Bouncy Castle's JCA provider, which the jar leaves out
 * (docs/footprint.md).
 */
class ApiTlsTest {
  @TempDir Path dir;

  @Test
  void pkcs1RsaKeyServesTlsWithoutBouncyCastlesProvider() throws Exception {
    handshakeWithKey("openssl genrsa -traditional -out key.pem 2048", "-----BEGIN RSA PRIVATE KEY-----");
  }

  @Test
  void sec1EcKeyAfterItsParametersServesTlsWithoutBouncyCastlesProvider() throws Exception {
    handshakeWithKey("openssl ecparam -name prime256v1 -genkey -out key.pem", "-----BEGIN EC PARAMETERS-----");
    assertTrue(Files.readString(dir.resolve("key.pem")).contains("-----BEGIN EC PRIVATE KEY-----"));
  }

  @Test
  void pkcs8KeyServesTlsWithoutBouncyCastlesProvider() throws Exception {
    handshakeWithKey("openssl genrsa -out key.pem 2048", "-----BEGIN PRIVATE KEY-----"); // openssl 3's default
  }

  @Test
  void aKeyFileThatIsNoKeyNamesTheFlag() throws Exception {
    openssl("openssl genrsa -out key.pem 2048");
    openssl("openssl req -new -x509 -days 1 -key key.pem -subj /CN=localhost -out cert.pem");
    Path cert = dir.resolve("cert.pem");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ApiTls.server(cert, cert, null, false));
    assertTrue(e.getMessage().contains("--tlskey " + cert), e.getMessage());
  }

  /** The key and a self-signed certificate as in Docker's guide (openssl), then a handshake. */
  private void handshakeWithKey(String makeKey, String keyFileStart) throws Exception {
    openssl(makeKey);
    assertTrue(Files.readString(dir.resolve("key.pem")).startsWith(keyFileStart));
    openssl("openssl req -new -x509 -days 1 -key key.pem -subj /CN=localhost -out cert.pem");
    X509Certificate cert;
    try (InputStream in = Files.newInputStream(dir.resolve("cert.pem"))) {
      cert = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    handshake(cert, dir.resolve("cert.pem"), dir.resolve("key.pem"));
  }

  private void openssl(String command) throws Exception {
    Process p = new ProcessBuilder(command.split(" ")).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), command + ": " + out);
  }

  /** A TLS server from ApiTls, loaded where Bouncy Castle's provider class is missing, answers a JDK client. */
  private static void handshake(X509Certificate cert, Path certFile, Path keyFile) throws Exception {
    SSLContext server;
    try (WithoutBouncyCastleProvider loader = new WithoutBouncyCastleProvider()) {
      Class<?> apiTls = loader.loadClass(ApiTls.class.getName());
      Object netty;
      try {
        netty = apiTls.getMethod("server", Path.class, Path.class, Path.class, boolean.class)
            .invoke(null, certFile, keyFile, null, false);
      } catch (InvocationTargetException e) {
        throw new AssertionError("ApiTls.server failed: " + e.getCause(), e.getCause());
      }
      server = (SSLContext) loader.loadClass("io.netty.handler.ssl.JdkSslContext").getMethod("context").invoke(netty);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("api", cert);
    tmf.init(ks);
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, tmf.getTrustManagers(), null);
    try (SSLServerSocket ss = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> accepted = CompletableFuture.runAsync(() -> {
        try (SSLSocket s = (SSLSocket) ss.accept()) {
          s.startHandshake();
          s.getOutputStream().write(1);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      try (SSLSocket c = (SSLSocket) client.getSocketFactory().createSocket(ss.getInetAddress(), ss.getLocalPort())) {
        c.startHandshake();
        assertEquals(cert, c.getSession().getPeerCertificates()[0]);
        assertEquals(1, c.getInputStream().read());
      }
      accepted.get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Loads jswarm's, Netty's and Bouncy Castle's classes anew, as in the shaded jar: without
   * {@code org.bouncycastle.jce.provider.BouncyCastleProvider}, so Netty finds no provider to read keys with.
   */
  private static final class WithoutBouncyCastleProvider extends ClassLoader implements AutoCloseable {
    WithoutBouncyCastleProvider() {
      super(ApiTlsTest.class.getClassLoader());
    }

    @Override
    protected synchronized Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith("org.bouncycastle.jce.provider.BouncyCastleProvider")) {
        throw new ClassNotFoundException(name + " (left out of the shaded jar)");
      }
      if (!(name.startsWith("io.jswarm.") || name.startsWith("io.netty.") || name.startsWith("org.bouncycastle."))) {
        return super.loadClass(name, resolve);
      }
      Class<?> c = findLoadedClass(name);
      if (c == null) {
        try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
          if (in == null) {
            throw new ClassNotFoundException(name);
          }
          byte[] b = in.readAllBytes();
          c = defineClass(name, b, 0, b.length);
        } catch (IOException e) {
          throw new ClassNotFoundException(name, e);
        }
      }
      if (resolve) {
        resolveClass(c);
      }
      return c;
    }

    @Override
    public void close() { }
  }
}
