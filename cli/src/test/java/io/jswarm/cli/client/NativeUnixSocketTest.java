package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's native unix socket (the build's {@code target/libjswarm-client.so}): it carries bytes both ways, and
 * every connect failure is the exception the JDK's channel throws, class and message, so that the CLI says the same.
 */
class NativeUnixSocketTest {
  @TempDir
  Path dir;

  @BeforeAll
  static void load() {
    Path library = Path.of("target", "libjswarm-client.so");
    assertTrue(Files.exists(library), "the build makes " + library.toAbsolutePath() + " before the tests");
    assertTrue(NativeUnixSocket.load(library), "loads " + library);
  }

  @Test
  void carriesBytesBothWaysAndEndsAtTheServersClose() throws Exception {
    Path sock = dir.resolve("d.sock");
    byte[] request = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    byte[] answer = new byte[100_000]; // several of the library's 16 KiB chunks
    new Random(7).nextBytes(answer);
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(sock));
      CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
        try (SocketChannel c = server.accept()) {
          ByteBuffer b = ByteBuffer.allocate(request.length);
          while (b.hasRemaining() && c.read(b) >= 0) {
            // until the whole request is in
          }
          ByteBuffer out = ByteBuffer.wrap(answer);
          while (out.hasRemaining()) {
            c.write(out);
          }
          return b.array();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      try (NativeUnixSocket s = NativeUnixSocket.connect(sock)) {
        assertNotNull(s);
        OutputStream out = s.out();
        out.write(request);
        out.flush();
        InputStream in = s.in();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[7000];
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          got.write(buf, 0, n);
        }
        assertArrayEquals(request, received.get());
        assertArrayEquals(answer, got.toByteArray());
        assertEquals(-1, in.read(), "stays at the end");
      }
    }
  }

  @Test
  void connectFailuresAreTheJdksExceptions() throws Exception {
    Path notASocket = Files.writeString(dir.resolve("plain-file"), "x");
    Path noListener = dir.resolve("closed.sock");
    ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    gone.bind(UnixDomainSocketAddress.of(noListener));
    gone.close(); // the socket file stays, nobody listens
    assertTrue(Files.exists(noListener));
    for (Path p : new Path[] {dir.resolve("missing.sock"), notASocket, noListener, dir,
        dir.resolve("x".repeat(120))}) {
      IOException jdk = assertThrows(IOException.class, () -> {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
          c.connect(UnixDomainSocketAddress.of(p));
        }
      }, p.toString());
      IOException ours = assertThrows(IOException.class, () -> NativeUnixSocket.connect(p).close(), p.toString());
      assertEquals(jdk.getClass(), ours.getClass(), p + ": " + jdk + " / " + ours);
      assertEquals(jdk.getMessage(), ours.getMessage(), p.toString());
    }
  }

  @Test
  void anUnreachableDaemonIsNamedAsOverTheJdksChannel() throws Exception {
    Path gone = dir.resolve("nobody-here.sock");
    try (ApiClient api = new ApiClient(DaemonAddress.parse("unix://" + gone))) {
      DaemonUnreachableException e = assertThrows(DaemonUnreachableException.class,
          () -> api.get("/services", Object.class));
      assertEquals("Cannot connect to the jswarm daemon at unix://" + gone + ". Is the jswarm daemon running?",
          e.getMessage());
    }
  }
}
