package io.jswarm.worker.image;

import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A manager's image store served read-only with the registry v2 API on the cluster port, so that nodes pull
 * images no registry has (cluster-local distribution): {@code GET/HEAD /v2/}, {@code /v2/<name>/manifests/<tag or
 * digest>}, {@code /v2/<name>/blobs/<digest>}. {@code <name>} is the full normalized repository name
 * ({@code docker.io/library/busybox}). Only peers with a cluster certificate (mutual TLS) are served; there are no
 * write routes.
 */
public final class ClusterRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterRegistry.class);
  private static final int CHUNK = 64 << 10;

  private final ImageStore store;
  private final ExecutorService streams = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "cluster-registry-blob");
    t.setDaemon(true);
    return t;
  });

  public ClusterRegistry(ImageStore store) {
    this.store = store;
  }

  public void routes(Router r) {
    r.get("/v2", this::base);
    r.get("/v2/{rest...}", this::get);
  }

  private HttpResponse base(HttpRequest req) {
    if (req.peer() == null) {
      return unauthorized();
    }
    return HttpResponse.bytes(200, "application/json", "{}".getBytes(StandardCharsets.UTF_8))
        .header("Docker-Distribution-API-Version", "registry/2.0");
  }

  private HttpResponse get(HttpRequest req) throws Exception {
    if (req.peer() == null) {
      return unauthorized();
    }
    String rest = req.pathParam("rest");
    int m = rest.lastIndexOf("/manifests/");
    int b = rest.lastIndexOf("/blobs/");
    if (m > 0 && m > b) {
      String name = rest.substring(0, m);
      String ref = rest.substring(m + "/manifests/".length());
      Served s = manifestFor(name, ref);
      if (s == null) {
        return error(404, "MANIFEST_UNKNOWN", "manifest unknown: " + name + ":" + ref + " is not in this manager's store");
      }
      return HttpResponse.bytes(200, s.mediaType(), s.bytes())
          .header("Docker-Content-Digest", s.digest().toString())
          .header("Docker-Distribution-API-Version", "registry/2.0");
    }
    if (b > 0) {
      String d = rest.substring(b + "/blobs/".length());
      if (!Digest.isDigest(d)) {
        return error(400, "DIGEST_INVALID", "invalid digest \"" + d + "\"");
      }
      Digest digest = Digest.parse(d);
      Path file = blobFor(digest);
      if (file == null) {
        return error(404, "BLOB_UNKNOWN", "blob unknown: " + digest);
      }
      HttpResponse res = HttpResponse.stream(200, "application/octet-stream", sink -> streams.execute(() -> {
        try (InputStream in = Files.newInputStream(file)) {
          byte[] buf = new byte[CHUNK];
          int n;
          while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
            if (!sink.send(n == buf.length ? buf.clone() : java.util.Arrays.copyOf(buf, n))) {
              return;
            }
          }
        } catch (Exception e) {
          LOG.warn("serving blob {} failed: {}", digest, e.toString());
        } finally {
          sink.close();
        }
      }));
      return res.header("Docker-Content-Digest", digest.toString())
          .header("Docker-Distribution-API-Version", "registry/2.0");
    }
    return error(404, "NAME_UNKNOWN", "no such registry route: /v2/" + rest);
  }

  /** A manifest for the cluster registry: {@code name} ({@code docker.io/library/busybox}) and a tag or digest. */
  record Served(byte[] bytes, String mediaType, Digest digest) {}

  private Served manifestFor(String name, String ref) throws IOException {
    ImageIndex index = store.catalog().index();
    BlobStore blobs = store.blobs();
    Digest md;
    if (Digest.isDigest(ref)) {
      Digest d = Digest.parse(ref);
      synchronized (index) {
        md = index.images.containsKey(d) || index.references.containsValue(d)
            || index.references.containsKey(name + "@" + d) ? d : null;
        if (md == null) {
          for (String k : index.references.keySet()) {
            if (k.endsWith("@" + d)) {
              md = d; // an index this store pulled: served as it came
            }
          }
        }
      }
    } else {
      synchronized (index) {
        md = index.references.get(name + ":" + ref);
      }
    }
    if (md == null || !blobs.has(md)) {
      return null;
    }
    byte[] bytes = blobs.read(md);
    return new Served(bytes, Manifest.parse(bytes, null).mediaType(), md);
  }

  /** The blob file for {@code digest} when an image of the store uses it, else null. */
  private Path blobFor(Digest digest) throws IOException {
    BlobStore blobs = store.blobs();
    for (ImageStore.Image i : store.catalog().all()) {
      if (i.id().equals(digest) || i.manifest().layers().stream().anyMatch(l -> l.digest().equals(digest))) {
        return blobs.has(digest) ? blobs.path(digest) : null;
      }
    }
    return null;
  }

  private static HttpResponse unauthorized() {
    return error(401, "UNAUTHORIZED", "the cluster registry serves only nodes with a cluster certificate");
  }

  private static HttpResponse error(int status, String code, String message) {
    String body = "{\"errors\":[{\"code\":\"" + code + "\",\"message\":" + io.jswarm.api.json.Json.toString(message)
        + "}]}";
    return HttpResponse.bytes(status, "application/json", body.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    streams.shutdownNow();
  }
}
