package io.jswarm.worker.image;

import io.jswarm.api.errors.NotFoundException;
import io.jswarm.api.errors.UnavailableException;
import io.jswarm.worker.image.ImageStore.Image;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One pull of an image into the store: its manifest (an index resolved to this node's platform), config and
 * layers fetched from the image's registry or, when that fails, from each manager's read-only registry, the layers
 * unpacked, then the image and its references registered. Concurrent pulls of one reference are joined by
 * {@link ImageStore} before they get here.
 */
final class ImagePull {
  private final ImageStore store;

  ImagePull(ImageStore store) {
    this.store = store;
  }

  /**
   * The image from its registry, else from each manager's read-only registry; not found only when every source
   * that answered has no such image.
   */
  Image pullFromSources(ImageReference ref, RegistryAuth auth, boolean insecure, Progress progress)
      throws IOException, InterruptedException {
    List<String> errors = new ArrayList<>();
    int answered = 0;
    boolean otherFailure = false;
    RegistryNotAllowedException refused = null;
    RegistryClient registry = store.registryClient(ref.domain(), auth, insecure);
    try {
      return pullFrom(registry, ref.path(), ref, progress);
    } catch (IOException e) {
      errors.add(e.getMessage());
      if (e instanceof RegistryNotAllowedException r) {
        refused = r;
      } else if (e instanceof RegistryException re && (re.notFound() || re.status() == 401)) {
        answered++;
      } else if (!(e instanceof java.net.ConnectException || e instanceof java.net.UnknownHostException
          || e.getCause() instanceof java.net.UnknownHostException)) {
        otherFailure = true;
      }
    }
    for (RegistryClient c : store.managerRegistries()) {
      try {
        return pullFrom(c, ref.name(), ref, progress);
      } catch (IOException e) {
        errors.add(e.getMessage());
        if (e instanceof RegistryException re && re.notFound()) {
          answered++;
        } else if (!(e instanceof java.net.ConnectException)) {
          otherFailure = true;
        }
      }
    }
    String msg = "image " + ref.familiar() + " could not be pulled from any source: " + String.join("; ", errors);
    if (refused != null) {
      throw new io.jswarm.api.errors.ForbiddenException(msg); // the operator's rule, not a failure to retry
    }
    if (answered > 0 && !otherFailure) {
      throw new NotFoundException(msg); // every source that answered does not have it
    }
    throw new UnavailableException(msg);
  }

  private Image pullFrom(RegistryClient c, String repo, ImageReference ref, Progress progress)
      throws IOException, InterruptedException {
    store.gcLock().readLock().lock();
    try {
      RegistryClient.Fetched top = c.manifest(repo, ref.manifestRef());
      progress.status(ref.manifestRef(), "Pulling from "
          + (ref.domain().equals(ImageReference.DOCKER_HUB) ? ref.path() : ref.familiarName())
          + (c.display().startsWith("manager") ? " (" + c.display() + ")" : ""));
      Manifest m = Manifest.parse(top.bytes(), top.mediaType());
      RegistryClient.Fetched chosen = top;
      if (m.isIndex()) {
        Manifest.Descriptor d = store.choosePlatform(m, ref);
        chosen = c.manifest(repo, d.digest().toString());
        store.blobs().put(top.bytes());
        m = Manifest.parse(chosen.bytes(), chosen.mediaType());
        if (m.isIndex()) {
          throw new IOException(c.display() + ": " + ref.familiar() + ": nested image indexes are not supported");
        }
      }
      checkLayers(m, ref);
      fetch(c, repo, m.config(), "config", progress, false);
      for (Manifest.Descriptor l : m.layers()) {
        fetch(c, repo, l, "layer", progress, true);
      }
      Digest manifestDigest = store.blobs().put(chosen.bytes());
      Image img = store.catalog().image(manifestDigest);
      for (int i = 0; i < img.diffIds().size(); i++) {
        progress.status(m.layers().get(i).digest().shortHex(), "Extracting");
        store.layers().ensure(img.diffIds().get(i), m.layers().get(i));
        progress.status(m.layers().get(i).digest().shortHex(), "Pull complete");
      }
      progress.status(null, "Digest: " + top.digest());
      Map<String, Digest> refs = new LinkedHashMap<>();
      if (ref.digest() == null) {
        refs.put(ImageCatalog.key(ref), manifestDigest);
      }
      refs.put(ref.name() + "@" + top.digest(), manifestDigest);
      store.catalog().register(manifestDigest, refs);
      return img;
    } finally {
      store.gcLock().readLock().unlock();
    }
  }

  private void checkLayers(Manifest m, ImageReference ref) throws IOException {
    for (Manifest.Descriptor l : m.layers()) {
      if (MediaTypes.isZstd(l.mediaType())) {
        throw new IOException(ref.familiar() + ": layer " + l.digest() + " is zstd-compressed (" + l.mediaType()
            + "); only gzip and uncompressed layers are supported");
      }
      if (MediaTypes.DOCKER_FOREIGN_LAYER.equals(l.mediaType())) {
        throw new IOException(ref.familiar() + ": foreign (Windows) layers are not supported");
      }
    }
  }

  private void fetch(RegistryClient c, String repo, Manifest.Descriptor d, String what, Progress progress,
      boolean layer) throws IOException, InterruptedException {
    String id = d.digest().shortHex();
    if (store.blobs().has(d.digest())) {
      if (layer) {
        progress.status(id, "Already exists");
      }
      return;
    }
    if (layer) {
      progress.status(id, "Pulling fs layer");
      progress.status(id, "Downloading");
    }
    try (InputStream in = c.blob(repo, d.digest())) {
      store.blobs().put(in, d.digest(), d.size(), c.display() + ": " + what + " " + d.digest());
    }
    if (layer) {
      progress.status(id, "Verifying Checksum");
      progress.status(id, "Download complete");
    }
  }
}
