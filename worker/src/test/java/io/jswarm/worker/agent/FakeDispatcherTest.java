package io.jswarm.worker.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.SessionRequest;
import io.jswarm.api.json.Json;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.HttpServer;
import io.jswarm.transport.http.Router;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.PeerIdentity;
import io.jswarm.transport.pki.RootCA;
import io.jswarm.transport.pki.TlsContexts;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A worker's certificate (issued by the cluster's own CA) serving a fake dispatcher: the agent's transport refuses
 * the server at the TLS handshake, so the agent never opens a session with it; the same fake with a manager's
 * certificate is accepted (the refusal is about the role, not the setup).
 */
class FakeDispatcherTest {
  private static final RootCA CA = RootCA.create("cluster1", Clock.systemUTC());

  @Test
  void theAgentRefusesADispatcherServedWithAWorkerCertificate() throws Exception {
    NodeCredentials me = node("w1", PeerIdentity.WORKER_ROLE);
    AtomicInteger sessions = new AtomicInteger();
    try (HttpServer fake = fakeDispatcher(node("w2", PeerIdentity.WORKER_ROLE), sessions);
        HttpDispatcherTransport transport = HttpDispatcherTransport.forNode(me)) {
      String addr = "127.0.0.1:" + fake.port(0);
      IOException refused = assertThrows(IOException.class, () -> transport.open(addr, new SessionRequest()));
      System.out.println("refused: " + refused);
      Agent agent = new Agent(List.of(addr), transport, new SimulatedExecutor(), SessionRequest::new,
          Clock.systemUTC());
      agent.start();
      try {
        Thread.sleep(Duration.ofSeconds(2).toMillis());
        assertNull(agent.connectedManager(), "the agent holds no session with the fake dispatcher");
      } finally {
        agent.close();
      }
      assertEquals(0, sessions.get(), "the fake dispatcher never received a session request");
    }
  }

  @Test
  void aDispatcherWithAManagerCertificateIsAccepted() throws Exception {
    AtomicInteger sessions = new AtomicInteger();
    try (HttpServer real = fakeDispatcher(node("m1", PeerIdentity.MANAGER_ROLE), sessions);
        HttpDispatcherTransport transport = HttpDispatcherTransport.forNode(node("w1", PeerIdentity.WORKER_ROLE))) {
      DispatcherTransport.Session s = transport.open("127.0.0.1:" + real.port(0), new SessionRequest());
      assertEquals(DispatcherMessage.SESSION, s.next().type);
      s.close();
      assertEquals(1, sessions.get());
    }
  }

  private static HttpServer fakeDispatcher(NodeCredentials serverCreds, AtomicInteger sessions) throws IOException {
    Router r = new Router().post("/dispatcher/session", req -> {
      sessions.incrementAndGet();
      byte[] line = (Json.toString(DispatcherMessage.session("s1", 5_000_000_000L, List.of(), null)) + "\n")
          .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      return HttpResponse.stream(200, "application/x-ndjson", sink -> sink.send(line));
    });
    return HttpServer.start(r, List.of(new HttpServer.Tls("127.0.0.1", 0, TlsContexts.nettyServer(serverCreds))));
  }

  private static NodeCredentials node(String id, String role) {
    NodeCredentials pending = NodeCredentials.generateKey();
    return pending.withCertificate(CA.issue(pending.csrPem(), id, role, "cluster1", Duration.ofHours(1),
        Clock.systemUTC()), CA.certPem());
  }
}
