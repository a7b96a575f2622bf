package io.jswarm.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.ConflictException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpServerTest {
  @TempDir
  Path dir;

  private final BlockingQueue<StreamSink> sinks = new ArrayBlockingQueue<>(4);
  private final BlockingQueue<HttpRequest> seen = new ArrayBlockingQueue<>(16);
  private HttpServer server;
  private Path socket;

  private Router router() {
    return new Router()
        .get("/hello", r -> HttpResponse.text(200, "hi"))
        .get("/items/{id}", r -> {
          seen.add(r);
          return HttpResponse.ok(Map.of("id", r.pathParam("id"), "q", String.valueOf(r.param("q"))));
        })
        .get("/boom", r -> {
          throw new ConflictException("name taken");
        })
        .get("/crash", r -> {
          throw new IllegalStateException("handler bug");
        })
        .post("/echo", r -> HttpResponse.text(200, "got " + r.body().length))
        .postRaw("/upload", r -> HttpResponse.text(200, "got " + r.body().length))
        .get("/stream", r -> HttpResponse.stream(200, "application/json", sinks::add));
  }

  @BeforeEach
  void start() throws IOException {
    socket = dir.resolve("api.sock");
    server = HttpServer.start(router(), List.of(new HttpServer.Unix(socket), new HttpServer.Tcp("127.0.0.1", 0)),
        HttpServer.Settings.defaults().withMaxBodyBytes(1024).withServerVersion("9.9"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private SocketChannel unix() throws IOException {
    return SocketChannel.open(UnixDomainSocketAddress.of(socket));
  }

  private static RawHttp raw(SocketChannel ch) {
    return new RawHttp(Channels.newInputStream(ch), Channels.newOutputStream(ch));
  }

  private URI tcp(String path) {
    return URI.create("http://127.0.0.1:" + server.port(1) + path);
  }

  @Test
  void unixSocketServesTwoRequestsOnOneConnectionWithAndWithoutVersionPrefix() throws Exception {
    try (SocketChannel ch = unix()) {
      RawHttp http = raw(ch);
      http.get("/v1.41/hello");
      http.get("/items/a%20b%2Fc?q=x%2By+z");
      RawHttp.Response first = http.response();
      RawHttp.Response second = http.response();
      assertEquals(200, first.status());
      assertEquals("hi", first.body());
      assertEquals("1.41", first.header("Api-Version"));
      assertEquals("linux", first.header("Ostype"));
      assertEquals("false", first.header("Docker-Experimental"));
      assertEquals("jswarm/9.9", first.header("Server"));
      assertEquals(200, second.status());
      assertEquals("{\"id\":\"a b/c\",\"q\":\"x+y z\"}".length(), second.body().length());
      assertTrue(second.body().contains("\"id\":\"a b/c\""), second.body());
      assertTrue(second.body().contains("\"q\":\"x+y z\""), second.body());
      assertNull(seen.take().remoteAddress(), "a unix socket has no TCP address");
    }
    assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
  }

  @Test
  void errorsAreDockerJsonWithTheExceptionsStatus() throws Exception {
    HttpClient c = HttpClient.newHttpClient();
    var notFound = c.send(java.net.http.HttpRequest.newBuilder(tcp("/nope")).build(), BodyHandlers.ofString());
    assertEquals(404, notFound.statusCode());
    assertEquals("{\"message\":\"page not found: /nope\"}", notFound.body());
    assertEquals("1.41", notFound.headers().firstValue("Api-Version").orElseThrow());

    var conflict = c.send(java.net.http.HttpRequest.newBuilder(tcp("/v1.24/boom")).build(), BodyHandlers.ofString());
    assertEquals(409, conflict.statusCode());
    assertEquals("{\"message\":\"name taken\"}", conflict.body());

    var crash = c.send(java.net.http.HttpRequest.newBuilder(tcp("/crash")).build(), BodyHandlers.ofString());
    assertEquals(500, crash.statusCode());
    assertEquals("{\"message\":\"handler bug\"}", crash.body());

    var tooNew = c.send(java.net.http.HttpRequest.newBuilder(tcp("/v1.99/hello")).build(), BodyHandlers.ofString());
    assertEquals(400, tooNew.statusCode());
    assertEquals("{\"message\":\"client version 1.99 is too new. Maximum supported API version is 1.41\"}",
        tooNew.body());

    var items = c.send(java.net.http.HttpRequest.newBuilder(tcp("/items/x")).build(), BodyHandlers.ofString());
    assertEquals(200, items.statusCode());
    InetSocketAddress remote = seen.take().remoteAddress();
    assertEquals("127.0.0.1", remote.getAddress().getHostAddress());
  }

  @Test
  void browserRequestsAre403AndJsonBodiesMustSayApplicationJson() throws Exception {
    HttpClient c = HttpClient.newHttpClient();
    var fromPage = c.send(java.net.http.HttpRequest.newBuilder(tcp("/hello")).header("Origin", "http://evil.example")
        .build(), BodyHandlers.ofString());
    assertEquals(403, fromPage.statusCode());
    assertTrue(fromPage.body().contains("Origin: http://evil.example"), fromPage.body());
    var rebinding = c.send(java.net.http.HttpRequest.newBuilder(tcp("/hello")).header("Sec-Fetch-Mode", "no-cors")
        .build(), BodyHandlers.ofString());
    assertEquals(403, rebinding.statusCode());

    var form = c.send(java.net.http.HttpRequest.newBuilder(tcp("/echo")).header("Content-Type", "text/plain")
        .POST(BodyPublishers.ofString("{}")).build(), BodyHandlers.ofString());
    assertEquals(400, form.statusCode());
    assertTrue(form.body().contains("Content-Type: \\\"text/plain\\\"; a request body must be sent as "
        + "application/json"), form.body());
    var untyped = c.send(java.net.http.HttpRequest.newBuilder(tcp("/echo")).POST(BodyPublishers.ofString("{}"))
        .build(), BodyHandlers.ofString());
    assertEquals(400, untyped.statusCode());
    var charset = c.send(java.net.http.HttpRequest.newBuilder(tcp("/echo"))
        .header("Content-Type", "application/json; charset=utf-8").POST(BodyPublishers.ofString("{}")).build(),
        BodyHandlers.ofString());
    assertEquals("got 2", charset.body());
    var empty = c.send(java.net.http.HttpRequest.newBuilder(tcp("/echo")).POST(BodyPublishers.noBody()).build(),
        BodyHandlers.ofString());
    assertEquals("got 0", empty.body(), "a POST without a body needs no type (docker image tag, swarm leave)");
    var tar = c.send(java.net.http.HttpRequest.newBuilder(tcp("/upload")).header("Content-Type", "application/x-tar")
        .POST(BodyPublishers.ofString("tar")).build(), BodyHandlers.ofString());
    assertEquals("got 3", tar.body(), "a raw route takes any type");
  }

  @Test
  void anOversizedRequestLineGetsItsAnswerBeforeTheConnectionCloses() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port(1))) {
      RawHttp http = new RawHttp(s.getInputStream(), s.getOutputStream());
      http.send("GET /hello?q=" + "x".repeat(1 << 20) + " HTTP/1.1\r\nHost: docker\r\n\r\n");
      assertEquals(400, http.response().status());
    }
  }

  @Test
  void headAnswersHeadersWithoutBody() throws Exception {
    try (SocketChannel ch = unix()) {
      RawHttp http = raw(ch);
      http.send("HEAD /hello HTTP/1.1\r\nHost: docker\r\n\r\n");
      RawHttp.Response head = http.response(true);
      assertEquals(200, head.status());
      assertEquals("2", head.header("Content-Length"));
      http.get("/hello"); // the connection is still in step: no stray body bytes
      assertEquals("hi", http.response().body());
    }
  }

  @Test
  void bodiesAboveTheLimitAre413() throws Exception {
    HttpClient c = HttpClient.newHttpClient();
    var ok = c.send(java.net.http.HttpRequest.newBuilder(tcp("/echo")).header("Content-Type", "application/json")
        .POST(BodyPublishers.ofByteArray(new byte[1024])).build(), BodyHandlers.ofString());
    assertEquals("got 1024", ok.body());
    var tooBig = c.send(java.net.http.HttpRequest.newBuilder(tcp("/echo")).header("Content-Type", "application/json")
        .POST(BodyPublishers.ofByteArray(new byte[1025])).build(), BodyHandlers.ofString());
    assertEquals(413, tooBig.statusCode());
    assertTrue(tooBig.body().startsWith("{\"message\":\"request body too large"), tooBig.body());
  }

  @Test
  void streamsChunksAndKeepsTheConnectionAfterTheStreamEnds() throws Exception {
    try (SocketChannel ch = unix()) {
      RawHttp http = raw(ch);
      http.get("/stream");
      RawHttp.Head head = http.head();
      assertEquals("chunked", head.header("Transfer-Encoding"));
      StreamSink sink = sinks.poll(5, TimeUnit.SECONDS);
      CountDownLatch closed = new CountDownLatch(1);
      sink.onClose(closed::countDown);
      assertTrue(sink.send("{\"a\":1}\n".getBytes()));
      assertEquals("{\"a\":1}\n", http.chunk());
      assertTrue(sink.send("{\"b\":2}\n".getBytes()));
      assertEquals("{\"b\":2}\n", http.chunk());
      sink.close();
      assertEquals("", http.chunk());
      assertTrue(closed.await(5, TimeUnit.SECONDS));
      assertFalse(sink.send("late".getBytes()));
      http.get("/hello");
      assertEquals("hi", http.response().body());
    }
  }

  @Test
  void aClientDisconnectClosesTheStream() throws Exception {
    CountDownLatch closed = new CountDownLatch(1);
    try (Socket s = new Socket("127.0.0.1", server.port(1))) {
      RawHttp http = new RawHttp(s.getInputStream(), s.getOutputStream());
      http.get("/stream");
      http.head();
      StreamSink sink = sinks.poll(5, TimeUnit.SECONDS);
      sink.onClose(closed::countDown);
      assertTrue(sink.isOpen());
      assertTrue(sink.send("x".getBytes()));
      assertEquals("x", http.chunk());
      s.close();
      assertTrue(closed.await(5, TimeUnit.SECONDS), "onClose runs when the client goes away");
      assertFalse(sink.isOpen());
      assertFalse(sink.send("y".getBytes()));
    }
  }

  @Test
  void aSlowReaderBlocksTheSenderInsteadOfBufferingWithoutBound() throws Exception {
    int chunk = 64 << 10;
    int chunks = 128; // 8 MiB: far above the 1 MiB high-water mark plus the socket buffers
    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(16 << 10);
      s.connect(new InetSocketAddress("127.0.0.1", server.port(1)));
      RawHttp http = new RawHttp(s.getInputStream(), s.getOutputStream());
      http.get("/stream");
      http.head();
      StreamSink sink = sinks.poll(5, TimeUnit.SECONDS);
      Thread sender = new Thread(() -> {
        for (int i = 0; i < chunks && sink.send(new byte[chunk]); i++) {
          // each send waits while the connection is not writable
        }
        sink.close();
      }, "test-sender");
      sender.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      boolean waited = false;
      while (!waited && sender.isAlive() && System.nanoTime() < deadline) {
        waited = blockedInSend(sender);
      }
      assertTrue(waited, "the sender waits for the reader");
      long total = 0;
      for (String c = http.chunk(); !c.isEmpty(); c = http.chunk()) {
        total += c.length();
      }
      sender.join(5000);
      assertEquals((long) chunk * chunks, total);
    }
  }

  private static boolean blockedInSend(Thread t) {
    if (t.getState() != Thread.State.TIMED_WAITING) {
      return false;
    }
    for (StackTraceElement e : t.getStackTrace()) {
      if (e.getClassName().equals(ChannelOutput.class.getName()) && e.getMethodName().equals("send")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aStaleSocketFileIsReplacedALiveOneRefusedAndTheFileRemovedOnClose() throws Exception {
    Path stale = dir.resolve("stale.sock");
    try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      old.bind(UnixDomainSocketAddress.of(stale));
    } // closed without removing the file, like a crashed daemon
    assertTrue(Files.exists(stale));
    try (HttpServer second = HttpServer.start(router(), List.of(new HttpServer.Unix(stale)))) {
      try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(stale))) {
        RawHttp http = raw(ch);
        http.get("/hello");
        assertEquals("hi", http.response().body());
      }
      IOException live = assertThrows(IOException.class,
          () -> HttpServer.start(router(), List.of(new HttpServer.Unix(stale))));
      assertTrue(live.getMessage().contains("already listening"), live.getMessage());
    }
    assertFalse(Files.exists(stale), "the socket file is removed on close");
  }
}
