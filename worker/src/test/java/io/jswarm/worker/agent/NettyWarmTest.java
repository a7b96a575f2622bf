package io.jswarm.worker.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.HttpServer;
import io.jswarm.transport.http.Router;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.PeerIdentity;
import io.jswarm.transport.pki.RootCA;
import io.jswarm.transport.pki.TlsContexts;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The Netty transport's warm-up call: one {@code GET /dispatcher/leader} that leaves a TLS session to resume. */
class NettyWarmTest {
  private static final RootCA CA = RootCA.create("cluster1", Clock.systemUTC());

  private static NodeCredentials node(String id, String role) {
    NodeCredentials pending = NodeCredentials.generateKey();
    return pending.withCertificate(CA.issue(pending.csrPem(), id, role, "cluster1", Duration.ofHours(1),
        Clock.systemUTC()), CA.certPem());
  }

  @Test
  void aWarmCallLeavesASessionToResumeAndGoesOnlyWhileNoOpenIsHandshaking() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Router r = new Router().get("/dispatcher/leader", req -> {
      calls.incrementAndGet();
      return HttpResponse.ok(Map.of("LeaderAddr", req.peer() == null ? "anonymous" : "127.0.0.1:1"));
    });
    NioEventLoopGroup group = new NioEventLoopGroup(1);
    var tlsThreads = Executors.newFixedThreadPool(1);
    Semaphore permits = new Semaphore(2, true);
    SslContext client = TlsContexts.nettyManagerClient(node("w1", PeerIdentity.WORKER_ROLE));
    try (HttpServer manager = HttpServer.start(r, List.of(new HttpServer.Tls("127.0.0.1", 0,
            TlsContexts.nettyServer(node("m1", PeerIdentity.MANAGER_ROLE)))));
        NettyDispatcherTransport t = new NettyDispatcherTransport(group, client, null,
            new NettyDispatcherTransport.Handshakes(tlsThreads, permits))) {
      String addr = "127.0.0.1:" + manager.port(0);
      assertEquals(0, Collections.list(client.sessionContext().getIds()).size());
      assertTrue(t.warm(addr));
      assertEquals(1, calls.get());
      assertEquals(2, permits.availablePermits(), "the slot is given back");
      assertFalse(Collections.list(client.sessionContext().getIds()).isEmpty(),
          "the manager's ticket is kept for the next connection there");

      permits.acquire(); // a session open handshaking: one slot of two is still free
      assertFalse(t.warm(addr), "not idle: not made, and not waited for");
      assertEquals(1, calls.get());
      assertEquals(1, permits.availablePermits());
      permits.release();
      assertTrue(t.warm(addr), "idle again");
      assertEquals(2, calls.get());
    } finally {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
      tlsThreads.shutdownNow();
    }
  }

  @Test
  void aTransportWithoutTlsHasNothingToWarm() throws Exception {
    NioEventLoopGroup group = new NioEventLoopGroup(1);
    try (NettyDispatcherTransport t = new NettyDispatcherTransport(group, null)) {
      assertFalse(t.warm("127.0.0.1:1"));
    } finally {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
