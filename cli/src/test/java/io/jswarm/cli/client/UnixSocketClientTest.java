package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client over a unix socket (epoll), including a chunked answer read line by line as it arrives. */
class UnixSocketClientTest {
  @TempDir
  Path dir;

  private Path socket;
  private ServerSocketChannel server;
  private Thread acceptor;
  private final List<String> requestLines = new CopyOnWriteArrayList<>();
  private final CountDownLatch firstLineSeen = new CountDownLatch(1);

  @BeforeEach
  void start() throws IOException {
    socket = dir.resolve("jswarm.sock");
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    acceptor = new Thread(this::serve, "fake-unix-daemon");
    acceptor.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
    acceptor.join(5000);
  }

  private void serve() {
    while (server.isOpen()) {
      try (SocketChannel ch = server.accept()) {
        String requestLine = readRequest(ch);
        requestLines.add(requestLine);
        answer(ch, requestLine);
      } catch (IOException e) {
        return; // closed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Reads the head and any Content-Length body; returns the request line. */
  private static String readRequest(SocketChannel ch) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    ByteBuffer one = ByteBuffer.allocate(1);
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      one.clear();
      if (ch.read(one) < 0) {
        throw new IOException("client went away");
      }
      head.write(one.array()[0]);
    }
    String h = head.toString(StandardCharsets.ISO_8859_1);
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        int n = Integer.parseInt(line.substring(15).trim());
        ByteBuffer body = ByteBuffer.allocate(n);
        while (body.hasRemaining() && ch.read(body) >= 0) {
          // read it all
        }
      }
    }
    return h.substring(0, h.indexOf("\r\n"));
  }

  private void answer(SocketChannel ch, String requestLine) throws IOException, InterruptedException {
    if (requestLine.startsWith("GET /v1.41/services?status=true ")) {
      write(ch, full(200, "[{\"ID\":\"abc\",\"Spec\":{\"Name\":\"web\",\"Mode\":{\"Global\":{}},"
          + "\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"}}},"
          + "\"ServiceStatus\":{\"RunningTasks\":1,\"DesiredTasks\":1}}]"));
    } else if (requestLine.startsWith("GET /v1.41/stream ")) {
      write(ch, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("one\ntw"));
      // the rest only after the client has handed out the first line: proves lines arrive while the stream is open
      if (!firstLineSeen.await(10, TimeUnit.SECONDS)) {
        throw new IOException("client never read the first line");
      }
      write(ch, chunk("o\nthree") + chunk("\r\n") + "0\r\n\r\n");
    } else {
      write(ch, full(404, "{\"message\":\"page not found\"}"));
    }
  }

  private static String chunk(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return Integer.toHexString(b.length) + "\r\n" + s + "\r\n";
  }

  private static String full(int status, String json) {
    return "HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: "
        + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
  }

  private static void write(SocketChannel ch, String s) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  @Test
  void serviceLsOverTheSocket() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), "service", "ls", "-H", "unix://" + socket);
    assertEquals(0, code, err.toString());
    assertEquals("ID        NAME      MODE      REPLICAS   IMAGE     PORTS\n"
        + "abc       web       global    1/1        busybox   \n", out.toString());
    assertEquals(List.of("GET /v1.41/services?status=true HTTP/1.1"), requestLines);
  }

  @Test
  void streamedAnswerIsReadLineByLine() {
    List<String> lines = new ArrayList<>();
    try (ApiClient api = new ApiClient(DaemonAddress.parse("unix://" + socket))) {
      api.stream("GET", "/stream", null, line -> {
        lines.add(line);
        firstLineSeen.countDown();
      });
    }
    assertEquals(List.of("one", "two", "three"), lines);
  }

  @Test
  void errorAnswerToAStream() {
    try (ApiClient api = new ApiClient(DaemonAddress.parse("unix://" + socket))) {
      DaemonErrorException e = assertThrows(DaemonErrorException.class,
          () -> api.stream("GET", "/logs", null, line -> { }));
      assertEquals(404, e.status());
      assertEquals("page not found", e.getMessage());
    }
  }

  @Test
  void missingSocketIsNamed() {
    Path gone = dir.resolve("nobody-here.sock");
    try (ApiClient api = new ApiClient(DaemonAddress.parse("unix://" + gone))) {
      DaemonUnreachableException e = assertThrows(DaemonUnreachableException.class,
          () -> api.get("/services", Object.class));
      assertEquals("Cannot connect to the jswarm daemon at unix://" + gone + ". Is the jswarm daemon running?",
          e.getMessage());
    }
    assertTrue(Files.exists(socket));
  }
}
