package io.jswarm.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.PeerIdentity;
import io.jswarm.transport.pki.RootCA;
import io.jswarm.transport.pki.TestPki;
import io.jswarm.transport.pki.TlsContexts;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster port's limits, on a TLS listener set up as a manager sets up its own: {@code /ca} and {@code /join}
 * without a certificate (64 KiB bodies), everything else with the certificate of an admitted node; a bounded
 * pipeline; idle, read and per-peer connection limits.
 */
class ClusterPortLimitsTest {
  private static final RootCA CA = RootCA.create("cluster1", Clock.systemUTC());
  private static final NodeCredentials MANAGER = TestPki.node(CA, "m1", PeerIdentity.MANAGER_ROLE);
  private static final NodeCredentials MEMBER = TestPki.node(CA, "w1", PeerIdentity.WORKER_ROLE);
  private static final NodeCredentials REMOVED = TestPki.node(CA, "gone", PeerIdentity.WORKER_ROLE);
  private static final NodeCredentials DEMOTED = TestPki.node(CA, "m2", PeerIdentity.MANAGER_ROLE);
  private static final int MIB = 1 << 20;
  private static final byte[] ONE_MIB = new byte[MIB];
  private static final byte[] QUARTER_MIB = new byte[MIB / 4];

  private final AtomicInteger served = new AtomicInteger();
  private volatile CountDownLatch release = new CountDownLatch(0);
  private HttpServer server;

  private void start(HttpServer.Settings settings) throws IOException {
    Router router = new Router() // postRaw: these tests send bytes, not JSON
        .get("/ca", r -> HttpResponse.text(200, "root"))
        .postRaw("/join", r -> {
          served.incrementAndGet();
          await();
          return HttpResponse.text(200, "joined " + r.body().length);
        })
        .postRaw("/upload", r -> {
          served.incrementAndGet();
          await();
          return HttpResponse.text(200, "got " + r.body().length);
        })
        .get("/whoami", r -> HttpResponse.text(200, r.peer().nodeId() + " " + r.peer().role()));
    PeerAccess access = new PeerAccess(Set.of("/ca", "/join"), PeerAccess.DEFAULT_ANONYMOUS_MAX_BODY, peer ->
        switch (peer.nodeId()) {
          case "w1", "m1" -> peer;
          case "m2" -> new PeerIdentity("m2", PeerIdentity.WORKER_ROLE, peer.certificate());
          default -> null;
        });
    server = HttpServer.start(router, List.of(new HttpServer.Tls("127.0.0.1", 0, TlsContexts.nettyServer(MANAGER),
        access)), settings);
  }

  private void await() {
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @BeforeEach
  void defaults() throws IOException {
    start(HttpServer.Settings.defaults());
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.close();
  }

  @Test
  void aOneMibBodyToJoinWithoutCertificateIsRefusedBeforeItIsRead() throws Exception {
    try (SSLSocket s = connect(null)) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /join HTTP/1.1\r\nHost: m\r\nContent-Type: application/json\r\nContent-Length: " + MIB
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      RawHttp.Response r = new RawHttp(s.getInputStream(), out).response();
      assertEquals(413, r.status(), r.body());
      assertTrue(r.body().contains("65536"), r.body());
      assertEquals(-1, s.getInputStream().read(), "the connection is closed");
    }
    assertEquals(0, served.get());
  }

  @Test
  void aChunkedBodyToJoinIsCutAt64KiB() throws Exception {
    try (SSLSocket s = connect(null)) {
      OutputStream out = s.getOutputStream();
      out.write("POST /join HTTP/1.1\r\nHost: m\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[16 << 10];
      try {
        for (int i = 0; i < 8; i++) {
          out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(chunk);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
      } catch (IOException closedMeanwhile) {
        // the server may close before the client has written everything
      }
      assertEquals(413, new RawHttp(s.getInputStream(), out).response().status());
    }
    assertEquals(0, served.get());
  }

  @Test
  void aSmallJoinWithoutCertificateIsServed() throws Exception {
    assertEquals("joined 2", post(null, "/join", 2).body());
  }

  @Test
  void everyOtherRouteNeedsTheCertificateOfAnAdmittedNode() throws Exception {
    RawHttp.Response anonymous = post(null, "/upload", 10);
    assertEquals(403, anonymous.status(), anonymous.body());
    RawHttp.Response removed = post(REMOVED, "/upload", 10);
    assertEquals(403, removed.status(), removed.body());
    assertTrue(removed.body().contains("gone"), removed.body());
    assertEquals(200, post(MEMBER, "/upload", 10).status());
    assertEquals(1, served.get());
    assertEquals("m2 " + PeerIdentity.WORKER_ROLE, get(DEMOTED, "/whoami").body(),
        "a demoted manager is served as the worker it is now");
    assertEquals(200, get(null, "/ca").status());
    assertEquals(200, get(REMOVED, "/ca").status(), "an anonymous path serves a refused certificate as none");
  }

  @Test
  void aRemovedNodesBigBodyIsNotRead() throws Exception {
    try (SSLSocket s = connect(REMOVED)) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /upload HTTP/1.1\r\nHost: m\r\nContent-Length: " + (32 * MIB) + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertEquals(403, new RawHttp(s.getInputStream(), out).response().status());
    }
  }

  /**
   * 50 connections without a certificate pipeline 1 MiB bodies to {@code /join}, and 50 members pipeline 256 KiB
   * bodies to a handler that does not answer yet: the server's retained heap stays within a generous bound (it
   * holds at most a few requests per connection, and no anonymous body above 64 KiB).
   */
  @Test
  void heapStaysFlatUnder50PipeliningConnections() throws Exception {
    long before = retainedHeap();
    release = new CountDownLatch(1);
    List<Thread> senders = new ArrayList<>();
    List<SSLSocket> sockets = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      SSLSocket anon = connect(null);
      SSLSocket member = connect(MEMBER);
      sockets.add(anon);
      sockets.add(member);
      senders.add(pipeline(anon, "/join", MIB, 20));
      senders.add(pipeline(member, "/upload", MIB / 4, 20));
    }
    Thread.sleep(5000); // let the server read whatever it will read
    long during = retainedHeap();
    long grown = during - before;
    release.countDown(); // the members' requests are served now and their senders finish
    for (Thread t : senders) {
      t.join(20_000);
    }
    for (SSLSocket s : sockets) {
      s.close();
    }
    System.out.printf("retained heap: before %d MiB, under 100 pipelining connections %d MiB (+%d MiB)%n",
        before / MIB, during / MIB, grown / MIB);
    assertTrue(grown < 64L * MIB, "the server holds " + grown / MIB + " MiB for 100 pipelining connections");
  }

  @Test
  void aRequestThatStopsArrivingIsClosedAfterTheReadTimeout() throws Exception {
    server.close();
    start(HttpServer.Settings.defaults().withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(60)));
    try (SSLSocket s = connect(MEMBER)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write("POST /upload HTTP/1.1\r\nHost: m\r\nContent-Length: 100\r\n\r\nabc".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long t0 = System.nanoTime();
      assertEquals(-1, s.getInputStream().read());
      assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
    }
  }

  @Test
  void anIdleConnectionIsClosedButNotOneWaitingForItsAnswer() throws Exception {
    server.close();
    start(HttpServer.Settings.defaults().withTimeouts(Duration.ofSeconds(30), Duration.ofMillis(500)));
    try (SSLSocket idle = connect(MEMBER)) {
      idle.setSoTimeout(10_000);
      RawHttp http = new RawHttp(idle.getInputStream(), idle.getOutputStream());
      http.get("/whoami");
      assertEquals(200, http.response().status());
      assertEquals(-1, idle.getInputStream().read(), "closed once idle");
    }
    release = new CountDownLatch(1);
    try (SSLSocket waiting = connect(MEMBER)) {
      waiting.setSoTimeout(10_000);
      RawHttp http = new RawHttp(waiting.getInputStream(), waiting.getOutputStream());
      http.send("POST /upload HTTP/1.1\r\nHost: m\r\nContent-Length: 1\r\n\r\nx");
      Thread.sleep(1500);
      release.countDown();
      assertEquals("got 1", http.response().body());
    }
  }

  @Test
  void onePeerHoldsAtMostTheCapOfConnections() throws Exception {
    server.close();
    start(HttpServer.Settings.defaults().withMaxConnectionsPerPeer(3));
    List<SSLSocket> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        open.add(connect(MEMBER));
        assertEquals(200, exchange(open.get(i), "/whoami").status());
      }
      try (Socket fourth = new Socket("127.0.0.1", server.port(0))) {
        fourth.setSoTimeout(10_000);
        assertEquals(-1, fourth.getInputStream().read(), "the fourth connection is closed at once");
      }
      open.remove(0).close();
      Thread.sleep(200);
      try (SSLSocket again = connect(MEMBER)) {
        assertEquals(200, exchange(again, "/whoami").status());
      }
    } finally {
      for (SSLSocket s : open) {
        s.close();
      }
    }
  }

  private Thread pipeline(SSLSocket s, String path, int bodySize, int requests) {
    Thread t = new Thread(() -> {
      byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: m\r\nContent-Length: " + bodySize + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);
      byte[] body = bodySize == MIB ? ONE_MIB : QUARTER_MIB; // shared: the client's own heap stays out of the count
      try {
        OutputStream out = s.getOutputStream();
        for (int i = 0; i < requests; i++) {
          out.write(head);
          out.write(body);
        }
        out.flush();
      } catch (IOException e) {
        // refused and closed by the server, or closed by the test
      }
    }, "pipeline-" + path);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static long retainedHeap() throws InterruptedException {
    long min = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
      min = Math.min(min, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return min;
  }

  private RawHttp.Response post(NodeCredentials who, String path, int size) throws Exception {
    try (SSLSocket s = connect(who)) {
      RawHttp http = new RawHttp(s.getInputStream(), s.getOutputStream());
      http.send("POST " + path + " HTTP/1.1\r\nHost: m\r\nContent-Length: " + size + "\r\n\r\n" + "x".repeat(size));
      return http.response();
    }
  }

  private RawHttp.Response get(NodeCredentials who, String path) throws Exception {
    try (SSLSocket s = connect(who)) {
      return exchange(s, path);
    }
  }

  private static RawHttp.Response exchange(SSLSocket s, String path) throws IOException {
    RawHttp http = new RawHttp(s.getInputStream(), s.getOutputStream());
    http.get(path);
    return http.response();
  }

  private SSLSocket connect(NodeCredentials who) throws IOException {
    SSLContext ctx = who == null ? TlsContexts.anonymousClient(CA.certificate()) : TlsContexts.client(who);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", server.port(0));
    s.setSoTimeout(30_000);
    s.startHandshake();
    return s;
  }
}
