package io.jswarm.worker.image;

import io.jswarm.linux.FileTrees;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.jswarm.api.errors.JswarmException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Push to and pull from Debian's docker-registry on loopback, started by the test. */
class RegistryPullPushTest {
  private TestRegistry registry;
  private Path tmp;

  @BeforeEach
  void start() throws Exception {
    tmp = Files.createTempDirectory("h-image-pull");
    registry = new TestRegistry();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (registry != null) {
        registry.close();
      }
    } finally {
      FileTrees.delete(tmp);
    }
  }

  private ImageStore store(String name) throws IOException {
    return new ImageStore(tmp.resolve(name), ImageStore.Options.defaults());
  }

  private String importBusybox(ImageStore s, String ref) throws Exception {
    return s.importRootfs(new ByteArrayInputStream(TestImages.busyboxRootfs()), ref,
        List.of("CMD [\"/bin/sh\", \"-c\", \"echo hi\"]", "ENV A=b"), null);
  }

  @Test
  void pushedImageIsPulledBackIntoAFreshStoreWithTheSameIdAndContent() throws Exception {
    ImageStore a = store("a");
    String ref = registry.host() + "/h-image/busybox:v1";
    String id = importBusybox(a, ref);
    List<String> progress = new ArrayList<>();
    Digest pushed = a.push(ref, RegistryAuth.NONE, (i, st) -> progress.add(st));
    assertTrue(progress.contains("Pushed"), progress.toString());
    assertTrue(a.inspect(ref).get("RepoDigests").toString().contains("@" + pushed));
    progress.clear();
    assertEquals(pushed, a.push(ref, RegistryAuth.NONE, (i, st) -> progress.add(st)));
    assertTrue(progress.contains("Layer already exists") && !progress.contains("Pushed"), progress.toString());

    ImageStore b = store("b");
    LocalImage img = b.prepare(ref);
    assertEquals(id, img.id());
    assertEquals(List.of("/bin/sh", "-c", "echo hi"), img.config().cmd());
    assertEquals(List.of("A=b"), img.config().env());
    assertEquals(1, img.layers().size());
    Path layer = img.layers().get(0);
    assertArrayEquals(Files.readAllBytes(TestImages.BUSYBOX), Files.readAllBytes(layer.resolve("bin/busybox")));
    assertTrue(Files.isExecutable(layer.resolve("bin/busybox")));
    assertEquals(Path.of("busybox"), Files.readSymbolicLink(layer.resolve("bin/sh")));
    assertEquals(Files.getAttribute(layer.resolve("bin/busybox"), "unix:ino"),
        Files.getAttribute(layer.resolve("bin/busybox-hardlink"), "unix:ino"));
    assertEquals(01777, (int) Files.getAttribute(layer.resolve("tmp"), "unix:mode") & 07777);
    // a second prepare uses what is there
    assertEquals(img, b.prepare(ref));
    assertEquals(List.of(registry.host() + "/h-image/busybox@" + pushed), b.inspect(ref).get("RepoDigests"));
  }

  @Test
  void chunkedUploadAndConcurrentPreparesPullOnce() throws Exception {
    ImageStore a = store("a");
    a.setUploadChunk(64 << 10);
    String ref = registry.host() + "/h-image/chunked:v1";
    String id = importBusybox(a, ref);
    a.push(ref, RegistryAuth.NONE, Progress.NONE);

    AtomicInteger blobGets = new AtomicInteger();
    HttpServer counting = proxy(false, new AtomicInteger(), blobGets);
    String viaProxy = "localhost:" + counting.getAddress().getPort() + "/h-image/chunked:v1";
    ImageStore b = store("b");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<LocalImage>> fs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        fs.add(pool.submit(() -> b.prepare(viaProxy)));
      }
      for (Future<LocalImage> f : fs) {
        assertEquals(id, f.get().id());
      }
    } finally {
      pool.shutdownNow();
      counting.stop(0);
    }
    assertEquals(2, blobGets.get(), "config and layer downloaded once for four concurrent prepares");
    try (Stream<Path> s = Files.list(b.root().resolve("layers"))) {
      assertEquals(2, s.count(), "one unpacked layer and its size file");
    }
  }

  @Test
  void manifestListResolvesToTheNodePlatform() throws Exception {
    ImageStore a = store("a");
    String repo = registry.host() + "/h-image/multi";
    String amd = importBusybox(a, repo + ":amd64");
    String arm = a.importRootfs(new ByteArrayInputStream(new TestImages.Tar().file("arm", "arm").bytes()),
        repo + ":arm64", List.of(), null);
    Digest amdManifest = a.push(repo + ":amd64", RegistryAuth.NONE, Progress.NONE);
    Digest armManifest = a.push(repo + ":arm64", RegistryAuth.NONE, Progress.NONE);
    ObjectNode index = Manifest.JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode ms = index.putArray("manifests");
    for (Object[] e : new Object[][] {{armManifest, "arm64"}, {amdManifest, "amd64"}}) {
      ObjectNode m = ms.addObject();
      m.put("mediaType", MediaTypes.OCI_MANIFEST);
      m.put("digest", e[0].toString());
      m.put("size", a.catalog().image((Digest) e[0]).manifest() == null ? 0 : Files.size(a.root().resolve("blobs/sha256/"
          + ((Digest) e[0]).hex())));
      m.putObject("platform").put("os", "linux").put("architecture", (String) e[1]);
    }
    byte[] indexBytes = Manifest.JSON.writeValueAsBytes(index);
    RegistryClient c = a.registryClient(registry.host(), RegistryAuth.NONE);
    Digest indexDigest = c.putManifest("h-image/multi", "latest", indexBytes, MediaTypes.OCI_INDEX);

    ImageStore b = store("b");
    ImageStore.Options armOpts = new ImageStore.Options(Set.of(), List::of, () -> null, "linux", "arm64");
    ImageStore armStore = new ImageStore(tmp.resolve("arm"), armOpts);
    assertEquals(amd, b.prepare(repo).id(), "linux/amd64 picked from the index");
    assertEquals(arm, armStore.prepare(repo).id(), "linux/arm64 picked on an arm64 node");
    assertTrue(b.inspect(repo).get("RepoDigests").toString().contains("@" + indexDigest));
    assertEquals(amd, b.prepare(repo + "@" + indexDigest).id(), "by the index digest");
    ImageStore.Options s390 = new ImageStore.Options(Set.of(), List::of, () -> null, "linux", "s390x");
    JswarmException e = assertThrows(JswarmException.class,
        () -> new ImageStore(tmp.resolve("s390x"), s390).prepare(repo));
    assertTrue(e.getMessage().contains("no matching manifest for linux/s390x"), e.getMessage());
  }

  @Test
  void aBlobWhoseDigestDoesNotMatchIsRefusedAndNotKept() throws Exception {
    ImageStore a = store("a");
    String ref = registry.host() + "/h-image/corrupt:v1";
    importBusybox(a, ref);
    a.push(ref, RegistryAuth.NONE, Progress.NONE);
    Digest layer = a.catalog().image(a.catalog().get(ref).manifestDigest()).manifest().layers().get(0).digest();
    Path data = registry.dir.resolve("data/docker/registry/v2/blobs/sha256/" + layer.hex().substring(0, 2) + "/"
        + layer.hex() + "/data");
    byte[] bytes = Files.readAllBytes(data);
    bytes[bytes.length / 2] ^= 1;
    Files.write(data, bytes);

    ImageStore b = store("b");
    JswarmException e = assertThrows(JswarmException.class, () -> b.prepare(ref));
    assertTrue(e.getMessage().contains("refused"), e.getMessage());
    assertFalse(Files.exists(b.root().resolve("blobs/sha256/" + layer.hex())));
    assertTrue(b.list().isEmpty());
  }

  @Test
  void bearerTokenAuthFetchesATokenWithTheCredentials() throws Exception {
    ImageStore a = store("a");
    String upstreamRef = registry.host() + "/h-image/private:v1";
    String id = importBusybox(a, upstreamRef);
    a.push(upstreamRef, RegistryAuth.NONE, Progress.NONE);

    AtomicInteger tokens = new AtomicInteger();
    HttpServer proxy = proxy(true, tokens, new AtomicInteger());
    int port = proxy.getAddress().getPort();
    try {
      String ref = "localhost:" + port + "/h-image/private:v1";
      JswarmException denied = assertThrows(JswarmException.class, () -> store("anon").prepare(ref));
      assertTrue(denied.getMessage().contains("credentials"), denied.getMessage());

      ImageStore b = store("b");
      LocalImage img = b.pull(ref, new RegistryAuth("alice", "secret", null, null), Progress.NONE);
      assertEquals(id, img.id());
      assertEquals(1, tokens.get(), "one token for the scope, reused for every request");
      assertTrue(Files.isRegularFile(img.layers().get(0).resolve("bin/busybox"), LinkOption.NOFOLLOW_LINKS));
    } finally {
      proxy.stop(0);
    }
  }

  /**
   * A registry in front of the test registry on 127.0.0.1: GETs and HEADs are forwarded; with {@code bearer} it
   * demands a token from its own /token endpoint (basic auth alice:secret). Counts blob GETs.
   */
  private HttpServer proxy(boolean bearer, AtomicInteger tokens, AtomicInteger blobGets) throws IOException {
    HttpServer proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    int port = proxy.getAddress().getPort();
    HttpClient upstream = HttpClient.newHttpClient();
    proxy.createContext("/token", ex -> {
      String basic = "Basic " + Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8));
      String q = ex.getRequestURI().getRawQuery();
      boolean ok = basic.equals(ex.getRequestHeaders().getFirst("Authorization"))
          && q.contains("service=test-registry") && q.contains("scope=repository%3Ah-image%2Fprivate%3Apull");
      byte[] body = ok ? "{\"token\":\"tok-123\"}".getBytes(StandardCharsets.UTF_8) : new byte[0];
      if (ok) {
        tokens.incrementAndGet();
      }
      ex.sendResponseHeaders(ok ? 200 : 401, ok ? body.length : -1);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(body);
      }
    });
    proxy.createContext("/v2/", ex -> {
      if (bearer && !"Bearer tok-123".equals(ex.getRequestHeaders().getFirst("Authorization"))) {
        ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:" + port
            + "/token\",service=\"test-registry\",scope=\"repository:h-image/private:pull\"");
        ex.sendResponseHeaders(401, -1);
        ex.close();
        return;
      }
      if (ex.getRequestMethod().equals("GET") && ex.getRequestURI().getPath().contains("/blobs/")) {
        blobGets.incrementAndGet();
      }
      try {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + registry.host() + ex.getRequestURI()));
        String accept = ex.getRequestHeaders().getFirst("Accept");
        if (accept != null) {
          b.header("Accept", accept);
        }
        HttpResponse<InputStream> r = upstream.send(b.method(ex.getRequestMethod(),
            HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofInputStream());
        r.headers().map().forEach((k, v) -> {
          if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("transfer-encoding")) {
            v.forEach(x -> ex.getResponseHeaders().add(k, x));
          }
        });
        byte[] body = r.body().readAllBytes();
        ex.sendResponseHeaders(r.statusCode(), body.length == 0 ? -1 : body.length);
        try (OutputStream o = ex.getResponseBody()) {
          o.write(body);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    proxy.start();
    return proxy;
  }

  @Test
  void basicAuthRegistryTakesTheCredentials() throws Exception {
    byte[] salt = new byte[16];
    new java.security.SecureRandom().nextBytes(salt);
    String hash = org.bouncycastle.crypto.generators.OpenBSDBCrypt.generate("2y", "s3cret".toCharArray(), salt, 5);
    try (TestRegistry basic = new TestRegistry("bob:" + hash)) {
      ImageStore a = store("a");
      String ref = basic.host() + "/h-image/basic:v1";
      String id = importBusybox(a, ref);
      RegistryException anonymous = assertThrows(RegistryException.class,
          () -> a.push(ref, RegistryAuth.NONE, Progress.NONE));
      assertTrue(anonymous.getMessage().contains("authentication required"), anonymous.getMessage());
      RegistryAuth bob = new RegistryAuth("bob", "s3cret", null, null);
      a.push(ref, bob, Progress.NONE);

      LocalImage img = store("b").pull(ref, bob, Progress.NONE);
      assertEquals(id, img.id());
      JswarmException wrong = assertThrows(JswarmException.class,
          () -> store("c").pull(ref, new RegistryAuth("bob", "nope", null, null), Progress.NONE));
      assertTrue(wrong.getMessage().contains("refused"), wrong.getMessage());
    }
  }
}
