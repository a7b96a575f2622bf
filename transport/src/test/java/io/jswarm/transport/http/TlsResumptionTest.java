package io.jswarm.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.PeerIdentity;
import io.jswarm.transport.pki.RootCA;
import io.jswarm.transport.pki.TestPki;
import io.jswarm.transport.pki.TlsContexts;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * The cluster port's TLS sessions resume (a client's second connection skips the full handshake), and what a resumed
 * session skips, the server checks itself: a certificate that expired since its full handshake is not the peer.
 */
class TlsResumptionTest {
  private record Answer(String body, long sessionCreated) {}

  private static Answer whoami(SSLContext client, int port) throws Exception {
    try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port)) {
      RawHttp http = new RawHttp(s.getInputStream(), s.getOutputStream());
      http.get("/whoami");
      return new Answer(http.response().body(), s.getSession().getCreationTime());
    }
  }

  @Test
  void aResumedSessionIsTheNodesWhileItsCertificateIsValidAndNotOnceItExpired() throws Exception {
    RootCA ca = RootCA.create("cluster1", Clock.systemUTC());
    NodeCredentials manager = TestPki.node(ca, "m1", PeerIdentity.MANAGER_ROLE);
    // valid for 6 s more (this machine may be slow to make the handshakes below)
    NodeCredentials worker = TestPki.node(ca, "w1", PeerIdentity.WORKER_ROLE, Duration.ofSeconds(6), Clock.systemUTC());
    Router router = new Router().get("/whoami", r -> HttpResponse.text(200,
        r.peer() == null ? "anonymous" : r.peer().nodeId()));
    HttpServer server = HttpServer.start(router,
        List.of(new HttpServer.Tls("127.0.0.1", 0, TlsContexts.nettyServer(manager))));
    try {
      SSLContext client = TlsContexts.client(worker); // caches its sessions by host and port, as the agents' does
      Answer first = whoami(client, server.port(0));
      assertEquals("w1", first.body());
      Answer second = whoami(client, server.port(0));
      assertEquals("w1", second.body());
      assertEquals(first.sessionCreated(), second.sessionCreated(), "the second connection resumed the first's session");

      long expired = worker.certificate().getNotAfter().getTime() + 1_100;
      while (System.currentTimeMillis() < expired) {
        Thread.sleep(Math.max(1, expired - System.currentTimeMillis()));
      }
      Answer third = whoami(client, server.port(0));
      assertEquals(first.sessionCreated(), third.sessionCreated(),
          "resumed again: the handshake itself did not look at the certificate, which a full one would refuse");
      assertEquals("anonymous", third.body(), "the server does not take an expired certificate as the node's");
    } finally {
      server.close();
    }
  }

  @Test
  void theClusterPortsTicketsAndTheAgentsSessionsLiveAnHour() {
    assertEquals(Duration.ofHours(1), TlsContexts.SESSION_LIFETIME);
    RootCA ca = RootCA.create("cluster1", Clock.systemUTC());
    NodeCredentials node = TestPki.node(ca, "m1", PeerIdentity.MANAGER_ROLE);
    assertEquals(3600, TlsContexts.nettyServer(node).sessionTimeout());
    assertEquals(3600, TlsContexts.nettyManagerClient(node).sessionTimeout());
    assertTrue(TlsContexts.nettyServer(node).sessionContext().getSessionTimeout() == 3600);
  }
}
