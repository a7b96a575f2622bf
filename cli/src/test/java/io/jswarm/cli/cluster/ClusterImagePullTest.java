package io.jswarm.cli.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Cluster-local image distribution with real daemons: an image imported on the manager is pulled by a worker of a
 * 2-node swarm with no registry at all (the image's registry does not answer, so the worker asks the manager's
 * read-only registry on the cluster port, over mutual TLS).
 */
class ClusterImagePullTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aWorkerPullsAnImageImportedOnTheManager() throws Exception {
    try (ProcessCluster cluster = new ProcessCluster()) {
      Daemon m1 = cluster.init("h-image-m1");
      Daemon w1 = cluster.join("h-image-w1", m1, "worker");
      int dead;
      try (ServerSocket s = new ServerSocket(0)) {
        dead = s.getLocalPort(); // a registry that is not there: nothing leaves loopback
      }
      String repo = "127.0.0.1:" + dead + "/h-image/clusterpull";
      HttpResponse<String> imp = send(m1, "POST", "/images/create?fromSrc=-&repo=" + q(repo) + "&tag=v1", rootfs());
      assertEquals(200, imp.statusCode(), imp.body());
      String id = new ProcessCluster.Answer(200, imp.body()).json().path("status").asText();

      HttpResponse<String> pull = send(w1, "POST", "/images/create?fromImage=" + q(repo) + "&tag=v1", null);
      assertEquals(200, pull.statusCode());
      assertTrue(pull.body().contains("Downloaded newer image for " + repo + ":v1"), pull.body());
      assertTrue(pull.body().contains("manager " + m1.clusterAddr()), pull.body());
      assertEquals(id, w1.get("/images/" + repo + ":v1/json").path("Id").asText());

      HttpResponse<String> missing = send(w1, "POST", "/images/create?fromImage=" + q(repo) + "&tag=nope", null);
      assertTrue(missing.body().contains("could not be pulled from any source"), missing.body());
      assertTrue(missing.body().contains("manager " + m1.clusterAddr()), missing.body());
    }
  }

  private HttpResponse<String> send(Daemon d, String method, String path, byte[] body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.apiPort + "/v1.41" + path))
        .timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** /bin/busybox and /bin/sh as a rootfs tarball. */
  private static byte[] rootfs() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      byte[] busybox = Files.readAllBytes(Path.of("/bin/busybox"));
      TarArchiveEntry bin = new TarArchiveEntry("bin/");
      tar.putArchiveEntry(bin);
      tar.closeArchiveEntry();
      TarArchiveEntry e = new TarArchiveEntry("bin/busybox");
      e.setSize(busybox.length);
      e.setMode(0100755);
      tar.putArchiveEntry(e);
      tar.write(busybox);
      tar.closeArchiveEntry();
      TarArchiveEntry sh = new TarArchiveEntry("bin/sh", TarArchiveEntry.LF_SYMLINK);
      sh.setLinkName("busybox");
      tar.putArchiveEntry(sh);
      tar.closeArchiveEntry();
    }
    return out.toByteArray();
  }
}
