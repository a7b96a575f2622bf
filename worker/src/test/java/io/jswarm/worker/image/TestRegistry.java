package io.jswarm.worker.image;

import io.jswarm.transport.net.FreePorts;
import io.jswarm.linux.FileTrees;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Debian's docker-registry (distribution 2.8) on 127.0.0.1:<free port> with storage in a temp dir. */
public final class TestRegistry implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/docker-registry");

  final Path dir;
  final int port;
  private final Process process;

  public TestRegistry() throws IOException, InterruptedException {
    this(null);
  }

  /** With {@code htpasswd} (a bcrypt htpasswd line), the registry demands basic auth. */
  public TestRegistry(String htpasswd) throws IOException, InterruptedException {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(BINARY + " is missing: apt-get install docker-registry");
    }
    dir = Files.createTempDirectory("h-image-registry");
    port = FreePorts.pick();
    Path config = dir.resolve("config.yml");
    Files.writeString(config, String.join("\n",
        "version: 0.1",
        "log:",
        "  level: error",
        "  accesslog:",
        "    disabled: true",
        "storage:",
        "  filesystem:",
        "    rootdirectory: " + dir.resolve("data"),
        "  delete:",
        "    enabled: true",
        "http:",
        "  addr: 127.0.0.1:" + port,
        htpasswd == null ? "" : "auth:\n  htpasswd:\n    realm: h-image\n    path: " + dir.resolve("htpasswd"),
        ""));
    if (htpasswd != null) {
      Files.writeString(dir.resolve("htpasswd"), htpasswd + "\n");
    }
    process = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
    HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (true) {
      try {
        HttpResponse<Void> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v2/")).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200 || (htpasswd != null && r.statusCode() == 401)) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        close();
        throw new IllegalStateException("docker-registry did not start; log: " + dir.resolve("registry.log"));
      }
      Thread.sleep(50);
    }
  }

  public String host() {
    return "127.0.0.1:" + port;
  }


  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    FileTrees.delete(dir);
  }
}
