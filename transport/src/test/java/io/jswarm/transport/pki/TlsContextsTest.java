package io.jswarm.transport.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.time.Clock;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;

/** Handshakes between in-memory engines: who is accepted, who is refused, what the server learns. */
class TlsContextsTest {
  private static final RootCA CA = RootCA.create("cluster1", Clock.systemUTC());
  private static final RootCA FOREIGN = RootCA.create("cluster1", Clock.systemUTC());
  private static final NodeCredentials MANAGER = TestPki.node(CA, "m1", PeerIdentity.MANAGER_ROLE);
  private static final NodeCredentials WORKER = TestPki.node(CA, "w1", PeerIdentity.WORKER_ROLE);
  private static final NodeCredentials INTRUDER = TestPki.node(FOREIGN, "w1", PeerIdentity.WORKER_ROLE);

  @Test
  void nodesOfOneClusterHandshakeAndTheServerLearnsTheClientsIdentity() throws Exception {
    SSLSession s = handshake(jdkClient(TlsContexts.client(WORKER)), jdkServer(TlsContexts.server(MANAGER)));
    PeerIdentity peer = TlsContexts.peerIdentity(s);
    assertEquals("w1", peer.nodeId());
    assertEquals(PeerIdentity.WORKER_ROLE, peer.role());
  }

  @Test
  void aClientWithoutCertificateIsAcceptedButHasNoIdentity() throws Exception {
    SSLSession s = handshake(jdkClient(TlsContexts.anonymousClient(CA.certificate())), jdkServer(TlsContexts.server(MANAGER)));
    assertNull(TlsContexts.peerIdentity(s));
  }

  @Test
  void aClientCertificateFromAForeignCaIsRefusedAtTheHandshake() {
    assertThrows(SSLException.class,
        () -> handshake(jdkClient(TlsContexts.client(INTRUDER)), jdkServer(TlsContexts.server(MANAGER))));
  }

  @Test
  void anExpiredClientCertificateIsRefused() {
    java.time.Clock past = java.time.Clock.offset(Clock.systemUTC(), java.time.Duration.ofDays(-2));
    RootCA root = RootCA.create("cluster1", past);
    NodeCredentials expired = TestPki.node(root, "w2", PeerIdentity.WORKER_ROLE, java.time.Duration.ofMinutes(1), past);
    NodeCredentials server = TestPki.node(root, "m2", PeerIdentity.MANAGER_ROLE);
    assertThrows(SSLException.class,
        () -> handshake(jdkClient(TlsContexts.client(expired)), jdkServer(TlsContexts.server(server))));
  }

  @Test
  void aServerWithACertificateFromAForeignCaIsRefusedByTheClient() {
    NodeCredentials foreignServer = TestPki.node(FOREIGN, "m9", PeerIdentity.MANAGER_ROLE);
    assertThrows(SSLException.class,
        () -> handshake(jdkClient(TlsContexts.client(WORKER)), jdkServer(TlsContexts.server(foreignServer))));
    assertThrows(SSLException.class, () -> handshake(jdkClient(TlsContexts.anonymousClient(CA.certificate())),
        jdkServer(TlsContexts.server(foreignServer))));
  }

  @Test
  void theBootstrapClientAcceptsAnyServer() throws Exception {
    NodeCredentials foreignServer = TestPki.node(FOREIGN, "m9", PeerIdentity.MANAGER_ROLE);
    SSLEngine client = jdkClient(TlsContexts.bootstrapClient());
    handshake(client, jdkServer(TlsContexts.server(foreignServer)));
    var serverCert = (java.security.cert.X509Certificate) client.getSession().getPeerCertificates()[0];
    assertEquals("m9", PeerIdentity.fromCertificate(serverCert).nodeId());
  }

  @Test
  void nettyContextsBehaveTheSame() throws Exception {
    var alloc = UnpooledByteBufAllocator.DEFAULT;
    SSLSession s = handshake(TlsContexts.nettyClient(WORKER).newEngine(alloc, "peer.invalid", 1),
        TlsContexts.nettyServer(MANAGER).newEngine(alloc));
    assertEquals("w1", TlsContexts.peerIdentity(s).nodeId());
    assertThrows(SSLException.class, () -> handshake(TlsContexts.nettyClient(INTRUDER).newEngine(alloc, "peer.invalid", 1),
        TlsContexts.nettyServer(MANAGER).newEngine(alloc)));
    NodeCredentials foreignServer = TestPki.node(FOREIGN, "m9", PeerIdentity.MANAGER_ROLE);
    assertThrows(SSLException.class, () -> handshake(TlsContexts.nettyClient(WORKER).newEngine(alloc, "peer.invalid", 1),
        TlsContexts.nettyServer(foreignServer).newEngine(alloc)));
    SSLSession anon = handshake(TlsContexts.nettyBootstrapClient().newEngine(alloc, "peer.invalid", 1),
        TlsContexts.nettyServer(foreignServer).newEngine(alloc));
    assertNull(TlsContexts.peerIdentity(anon));
  }

  @Test
  void theAgentsNettyClientTalksToManagersOnly() throws Exception {
    var alloc = UnpooledByteBufAllocator.DEFAULT;
    SSLSession s = handshake(TlsContexts.nettyManagerClient(WORKER).newEngine(alloc, "peer.invalid", 1),
        TlsContexts.nettyServer(MANAGER).newEngine(alloc));
    assertEquals("w1", TlsContexts.peerIdentity(s).nodeId());
    // another worker's certificate (same root) serving a fake dispatcher fails the handshake
    NodeCredentials otherWorker = TestPki.node(CA, "w2", PeerIdentity.WORKER_ROLE);
    assertThrows(SSLException.class, () -> handshake(
        TlsContexts.nettyManagerClient(WORKER).newEngine(alloc, "peer.invalid", 1),
        TlsContexts.nettyServer(otherWorker).newEngine(alloc)));
    NodeCredentials foreignServer = TestPki.node(FOREIGN, "m9", PeerIdentity.MANAGER_ROLE);
    assertThrows(SSLException.class, () -> handshake(
        TlsContexts.nettyManagerClient(WORKER).newEngine(alloc, "peer.invalid", 1),
        TlsContexts.nettyServer(foreignServer).newEngine(alloc)));
  }

  @Test
  void theRaftTrustManagerAcceptsOnlyManagers() throws Exception {
    SSLContext raft = jdkContext(MANAGER, TlsContexts.managerTrustManager(MANAGER));
    NodeCredentials otherManager = TestPki.node(CA, "m2", PeerIdentity.MANAGER_ROLE);
    SSLEngine server = raft.createSSLEngine();
    server.setUseClientMode(false);
    server.setNeedClientAuth(true);
    handshake(jdkClient(jdkContext(otherManager, TlsContexts.managerTrustManager(otherManager))), server);

    SSLEngine server2 = raft.createSSLEngine();
    server2.setUseClientMode(false);
    server2.setNeedClientAuth(true);
    assertThrows(SSLException.class,
        () -> handshake(jdkClient(jdkContext(WORKER, TlsContexts.managerTrustManager(WORKER))), server2));
  }

  private static SSLContext jdkContext(NodeCredentials c, javax.net.ssl.TrustManager tm) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(new javax.net.ssl.KeyManager[] {TlsContexts.keyManager(c)}, new javax.net.ssl.TrustManager[] {tm}, null);
    return ctx;
  }

  private static SSLEngine jdkClient(SSLContext c) {
    SSLEngine e = c.createSSLEngine("peer.invalid", 1);
    e.setUseClientMode(true);
    return e;
  }

  private static SSLEngine jdkServer(SSLContext c) {
    SSLEngine e = c.createSSLEngine();
    e.setUseClientMode(false);
    e.setWantClientAuth(true);
    return e;
  }

  /** Runs a handshake between two engines in memory; returns the server's session. */
  static SSLSession handshake(SSLEngine client, SSLEngine server) throws SSLException {
    int size = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize()) * 4;
    ByteBuffer c2s = ByteBuffer.allocate(size);
    ByteBuffer s2c = ByteBuffer.allocate(size);
    ByteBuffer appIn = ByteBuffer.allocate(size);
    ByteBuffer empty = ByteBuffer.allocate(0);
    client.beginHandshake();
    server.beginHandshake();
    for (int i = 0; i < 1000; i++) {
      step(client, empty, c2s, s2c, appIn);
      step(server, empty, s2c, c2s, appIn);
      if (done(client) && done(server) && c2s.position() == 0 && s2c.position() == 0) {
        return server.getSession();
      }
    }
    throw new AssertionError("handshake did not finish");
  }

  private static boolean done(SSLEngine e) {
    HandshakeStatus h = e.getHandshakeStatus();
    return h == HandshakeStatus.NOT_HANDSHAKING || h == HandshakeStatus.FINISHED;
  }

  /** One round for {@code e}: wrap into {@code out}, run tasks, unwrap what the peer sent into {@code in}. */
  private static void step(SSLEngine e, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer appIn)
      throws SSLException {
    e.wrap(empty, out);
    Runnable task;
    while ((task = e.getDelegatedTask()) != null) {
      task.run();
    }
    in.flip();
    while (in.hasRemaining()) {
      int before = in.remaining();
      appIn.clear();
      e.unwrap(in, appIn);
      while ((task = e.getDelegatedTask()) != null) {
        task.run();
      }
      if (in.remaining() == before) {
        break;
      }
    }
    in.compact();
    if (e.isOutboundDone() && e.isInboundDone()) {
      throw new SSLException("engine closed during the handshake");
    }
  }
}
