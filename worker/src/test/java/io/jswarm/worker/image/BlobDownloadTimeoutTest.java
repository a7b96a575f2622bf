package io.jswarm.worker.image;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A registry that sends a blob's headers and a few bytes, then stalls: the download fails after the read timeout. */
class BlobDownloadTimeoutTest {
  @Test
  void aStalledBlobDownloadFailsAfterTheReadTimeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v2/", ex -> {
      ex.sendResponseHeaders(200, 1_000_000);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(new byte[4096]);
        out.flush();
        release.await(30, TimeUnit.SECONDS); // then nothing more
      } catch (InterruptedException | IOException e) {
        // the client went away
      }
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
    try {
      RegistryClient c = new RegistryClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
          RegistryClient.httpClient(null), RegistryAuth.NONE, "registry stall").blobReadTimeout(Duration.ofMillis(500));
      long t0 = System.nanoTime();
      IOException e;
      try (InputStream in = c.blob("x/y", Digest.of(new byte[1]))) {
        e = assertThrows(IOException.class, () -> in.transferTo(OutputStream.nullOutputStream()));
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(e.getMessage().contains("no data for 500 ms; the download was stopped (the registry stalled)"),
          e.getMessage());
      assertTrue(ms < 10_000, "gave up after " + ms + " ms");
    } finally {
      release.countDown();
      server.stop(0);
    }
  }
}
