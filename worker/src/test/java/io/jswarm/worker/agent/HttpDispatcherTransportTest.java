package io.jswarm.worker.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.HeartbeatRequest;
import io.jswarm.api.dispatcher.SessionRequest;
import io.jswarm.api.dispatcher.StatusRequest;
import io.jswarm.api.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP transport against a plain-HTTP loopback server speaking the dispatcher routes. */
class HttpDispatcherTransportTest {
  private HttpServer server;
  private ExecutorService serverThreads;
  private final HttpDispatcherTransport transport = new HttpDispatcherTransport(null);
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile String lastStatusBody;
  private String addr;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    serverThreads = Executors.newCachedThreadPool();
    server.setExecutor(serverThreads);
    server.createContext("/dispatcher/session", this::session);
    server.createContext("/dispatcher/heartbeat", ex -> {
      HeartbeatRequest hb = Json.fromBytes(ex.getRequestBody().readAllBytes(), HeartbeatRequest.class);
      if (!"s1".equals(hb.sessionId)) {
        reply(ex, 409, "{\"message\":\"session " + hb.sessionId + " is not open on this dispatcher\"}");
      } else {
        reply(ex, 200, "{\"Period\":5000000000}");
      }
    });
    server.createContext("/dispatcher/status", ex -> {
      lastStatusBody = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    server.start();
    addr = "127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
    serverThreads.shutdownNow();
    transport.close();
  }

  private void session(HttpExchange ex) throws IOException {
    SessionRequest req = Json.fromBytes(ex.getRequestBody().readAllBytes(), SessionRequest.class);
    if (req.addr == null) {
      reply(ex, 403, "{\"message\":\"the dispatcher needs a client certificate\"}");
      return;
    }
    ex.getResponseHeaders().add("Content-Type", "application/x-ndjson");
    ex.sendResponseHeaders(200, 0); // chunked
    OutputStream out = ex.getResponseBody();
    out.write(line(DispatcherMessage.session("s1", 5_000_000_000L, List.of(), null)));
    out.write("\n".getBytes(StandardCharsets.UTF_8)); // blank lines are skipped
    out.flush();
    out.write(line(DispatcherMessage.fullAssignments(List.of())));
    out.flush();
    if (req.addr.equals("end")) {
      out.close();
      return;
    }
    try {
      release.await(10, TimeUnit.SECONDS); // keep the stream open
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ex.close();
  }

  private static byte[] line(DispatcherMessage m) {
    return (Json.toString(m) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
    ex.close();
  }

  private static SessionRequest request(String addr) {
    SessionRequest r = new SessionRequest();
    r.addr = addr;
    return r;
  }

  @Test
  void readsTheStreamUntilTheManagerEndsIt() throws Exception {
    try (DispatcherTransport.Session s = transport.open(addr, request("end"))) {
      assertEquals("s1", s.next().sessionId);
      assertTrue(s.next().isFull());
      assertNull(s.next());
    }
  }

  @Test
  void closeWakesABlockedReader() throws Exception {
    DispatcherTransport.Session s = transport.open(addr, request("stay"));
    s.next();
    s.next();
    CompletableFuture<Throwable> ended = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try {
        s.next();
        ended.complete(null);
      } catch (Throwable t) {
        ended.complete(t);
      }
    }, "test-reader");
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (reader.getState() != Thread.State.WAITING && reader.getState() != Thread.State.TIMED_WAITING) {
      assertTrue(System.nanoTime() < deadline, "the reader never blocked: " + reader.getState());
      Thread.onSpinWait();
    }
    s.close();
    Throwable t = ended.get(5, TimeUnit.SECONDS);
    assertTrue(t == null || t instanceof IOException, String.valueOf(t));
    reader.join(5000);
  }

  @Test
  void refusalsCarryTheManagersMessage() {
    IOException e = assertThrows(IOException.class, () -> transport.open(addr, request(null)));
    assertTrue(e.getMessage().contains("403") && e.getMessage().contains("client certificate"), e.getMessage());
    IOException hb = assertThrows(IOException.class, () -> transport.heartbeat(addr, new HeartbeatRequest("old")));
    assertTrue(hb.getMessage().contains("409"), hb.getMessage());
  }

  @Test
  void heartbeatsAndStatusReports() throws Exception {
    assertEquals(5_000_000_000L, transport.heartbeat(addr, new HeartbeatRequest("s1")).period);
    StatusRequest r = new StatusRequest();
    r.sessionId = "s1";
    transport.reportStatus(addr, r);
    assertTrue(lastStatusBody.contains("\"SessionID\":\"s1\""), lastStatusBody);
  }
}
