package io.jswarm.consensus.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLSession;
import org.apache.ratis.thirdparty.io.grpc.Attributes;
import org.apache.ratis.thirdparty.io.grpc.Grpc;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.MethodDescriptor;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * The Raft port checks its peers' certificate dates on every call and message: a resumed TLS session skips the
 * handshake's check and an append stream outlives a certificate, so the interceptor must do it itself.
 */
class PeerCertificateTest {
  private static final RaftPeerPolicy MANAGERS = new RaftPeerPolicy("self", id -> "manager", id -> true, () -> true);

  @Test
  void aCertificateOutsideItsDatesNamesNoNode() throws Exception {
    long now = System.currentTimeMillis();
    PeerCertificate expired = PeerCertificate.of(session(cert("m1", now - 7_200_000, now - 3_600_000)));
    assertEquals("m1", expired.nodeId());
    assertNull(PeerCertificate.nodeIdAt(expired, now), "expired an hour ago");
    assertEquals("m1", PeerCertificate.nodeIdAt(expired, now - 5_000_000), "within its dates");
    PeerCertificate future = PeerCertificate.of(session(cert("m2", now + 3_600_000, now + 7_200_000)));
    assertNull(PeerCertificate.nodeIdAt(future, now), "not valid yet");
    assertNull(PeerCertificate.of(null));
  }

  @Test
  void aStreamWhoseCertificateExpiresIsClosedAtItsNextMessage() throws Exception {
    long notAfter = System.currentTimeMillis() + 1_500;
    FakeCall call = new FakeCall(session(cert("m1", notAfter - 3_600_000, notAfter)));
    List<String> passed = new ArrayList<>();
    ServerCall.Listener<String> listener = new PeerCheckInterceptor(MANAGERS).interceptCall(call, new Metadata(),
        (c, h) -> new ServerCall.Listener<>() {
          @Override
          public void onMessage(String message) {
            passed.add(message);
          }
        });
    listener.onMessage("first");
    assertEquals(List.of("first"), passed, "a valid certificate's message goes through");
    assertNull(call.closed);
    while (System.currentTimeMillis() <= notAfter) { // certificate dates have a resolution of one second
      Thread.sleep(Math.max(1, notAfter + 1 - System.currentTimeMillis()));
    }
    listener.onMessage("second");
    assertEquals(List.of("first"), passed, "the message after the certificate expired is dropped");
    assertEquals(Status.Code.PERMISSION_DENIED, call.closed.getCode());
    assertTrue(call.closed.getDescription().contains("m1") && call.closed.getDescription().contains("validity"),
        call.closed.getDescription());

    FakeCall late = new FakeCall(call.session);
    new PeerCheckInterceptor(MANAGERS).interceptCall(late, new Metadata(), (c, h) -> {
      throw new AssertionError("a call with an expired certificate must not start");
    });
    assertEquals(Status.Code.PERMISSION_DENIED, late.closed.getCode());
  }

  private static X509Certificate cert(String cn, long notBefore, long notAfter) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    KeyPair kp = g.generateKeyPair();
    X500Name name = new X500Name("CN=" + cn + ",OU=swarm-manager,O=cluster1");
    var holder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, new Date(notBefore), new Date(notAfter), name,
        kp.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  private static SSLSession session(X509Certificate cert) {
    return (SSLSession) Proxy.newProxyInstance(PeerCertificateTest.class.getClassLoader(),
        new Class<?>[] {SSLSession.class}, (proxy, method, args) -> {
          if (method.getName().equals("getPeerCertificates")) {
            return new Certificate[] {cert};
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }

  /** A server call of Ratis' replication service carrying {@code session}, remembering how it was closed. */
  private static final class FakeCall extends ServerCall<String, String> {
    private static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(String value) {
        throw new UnsupportedOperationException();
      }

      @Override
      public String parse(InputStream stream) {
        throw new UnsupportedOperationException();
      }
    };
    final SSLSession session;
    Status closed;

    FakeCall(SSLSession session) {
      this.session = session;
    }

    @Override
    public Attributes getAttributes() {
      return Attributes.newBuilder().set(Grpc.TRANSPORT_ATTR_SSL_SESSION, session).build();
    }

    @Override
    public MethodDescriptor<String, String> getMethodDescriptor() {
      return MethodDescriptor.<String, String>newBuilder().setType(MethodDescriptor.MethodType.BIDI_STREAMING)
          .setFullMethodName("ratis.grpc.RaftServerProtocolService/appendEntries").setRequestMarshaller(TEXT)
          .setResponseMarshaller(TEXT).build();
    }

    @Override
    public void close(Status status, Metadata trailers) {
      closed = status;
    }

    @Override
    public void request(int numMessages) {
    }

    @Override
    public void sendHeaders(Metadata headers) {
    }

    @Override
    public void sendMessage(String message) {
    }

    @Override
    public boolean isCancelled() {
      return false;
    }
  }
}
