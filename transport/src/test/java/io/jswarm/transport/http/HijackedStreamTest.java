package io.jswarm.transport.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker's hijacked stream ({@code docker exec} without {@code -i}): the client half-closes its side as soon as it
 * has the 101 answer, then reads everything the handler sends until the server closes. The handler here sends
 * {@link #TOTAL} bytes in 32 KiB writes to a client that reads slowly, so the socket buffer fills and the server has
 * to wait for room many times after the half-close; every byte must arrive, then the end.
 */
class HijackedStreamTest {
  private static final int TOTAL = 4 << 20;
  private static final int PIECE = 32 << 10;

  @TempDir
  Path dir;

  private HttpServer server;
  private Path socket;
  /** Whether every send of the last session was accepted, and what it read from the client. */
  private final CompletableFuture<String> handlerSaw = new CompletableFuture<>();

  @BeforeEach
  void start() throws IOException {
    socket = dir.resolve("api.sock");
    Router r = new Router().post("/exec/{id}/start", req -> HttpResponse.hijack("application/vnd.docker.raw-stream",
        stream -> {
          byte[] input;
          try {
            input = stream.read() == null ? new byte[0] : "unexpected input".getBytes(StandardCharsets.UTF_8);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          boolean allSent = true;
          byte[] piece = new byte[PIECE];
          for (int sent = 0; sent < TOTAL; sent += PIECE) {
            piece[0] = (byte) (sent / PIECE);
            allSent &= stream.send(piece.clone());
          }
          stream.close();
          handlerSaw.complete("input " + input.length + " allSent " + allSent);
        }));
    server = HttpServer.start(r, List.of(new HttpServer.Unix(socket), new HttpServer.Tcp("127.0.0.1", 0)),
        HttpServer.Settings.defaults());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void everyByteArrivesAfterTheClientHalfClosesOnTheUnixSocket() throws Exception {
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      readAllAfterHalfClose(ch);
    }
  }

  @Test
  void everyByteArrivesAfterTheClientHalfClosesOverTcp() throws Exception {
    try (SocketChannel ch = SocketChannel.open()) {
      ch.setOption(StandardSocketOptions.SO_RCVBUF, 16 << 10);
      ch.connect(new InetSocketAddress("127.0.0.1", server.port(1)));
      readAllAfterHalfClose(ch);
    }
  }

  private void readAllAfterHalfClose(SocketChannel ch) throws Exception {
    ch.write(ByteBuffer.wrap(("POST /v1.41/exec/x/start HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\n"
        + "Content-Length: 2\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n{}").getBytes(StandardCharsets.UTF_8)));
    InputStream in = java.nio.channels.Channels.newInputStream(ch);
    String head = head(in);
    assertTrue(head.startsWith("HTTP/1.1 101 "), head);
    ch.shutdownOutput(); // what the docker client does at once when it has no input to send
    byte[] buf = new byte[8 << 10];
    long got = 0;
    int pieces = 0;
    int n;
    while ((n = in.read(buf)) >= 0) {
      for (int i = 0; i < n; i++) {
        if ((got + i) % PIECE == 0) {
          assertEquals((byte) pieces, buf[i], "piece " + pieces + " out of order");
          pieces++;
        }
      }
      got += n;
      if (pieces % 8 == 0) {
        Thread.sleep(1); // a slow reader: the server's writes wait for room again and again
      }
    }
    assertEquals(TOTAL, got, "bytes received before the end of the stream");
    assertEquals("input 0 allSent true", handlerSaw.get(30, TimeUnit.SECONDS));
  }

  private static String head(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder();
    while (!s.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      s.append((char) c);
    }
    return s.toString();
  }
}
