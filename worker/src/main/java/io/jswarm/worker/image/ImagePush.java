package io.jswarm.worker.image;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.worker.image.ImageStore.Image;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code docker push}: an image of the store to the registry its reference names: the blobs the registry lacks
 * (checked with HEAD), then the manifest under the tag; the pushed digest is recorded as a repo digest.
 */
final class ImagePush {
  private final ImageStore store;

  ImagePush(ImageStore store) {
    this.store = store;
  }

  Digest push(String reference, RegistryAuth auth, boolean insecure, Progress progress)
      throws IOException, InterruptedException {
    ImageReference ref = ImageReference.parse(reference);
    Image img = store.catalog().get(reference);
    if (ref.digest() != null) {
      throw new InvalidArgumentException("push: give a tag, not a digest: " + reference);
    }
    store.gcLock().readLock().lock();
    try {
      RegistryClient c = store.registryClient(ref.domain(), auth, insecure);
      progress.status(null, "The push refers to repository [" + ref.name() + "]");
      List<Manifest.Descriptor> all = new ArrayList<>(img.manifest().layers());
      all.add(img.manifest().config());
      for (Manifest.Descriptor d : all) {
        String id = d.digest().shortHex();
        if (c.hasBlob(ref.path(), d.digest())) {
          if (MediaTypes.isLayer(d.mediaType())) {
            progress.status(id, "Layer already exists");
          }
          continue;
        }
        if (MediaTypes.isLayer(d.mediaType())) {
          progress.status(id, "Preparing");
          progress.status(id, "Pushing");
        }
        c.upload(ref.path(), d.digest(), store.blobs().path(d.digest()));
        if (MediaTypes.isLayer(d.mediaType())) {
          progress.status(id, "Pushed");
        }
      }
      byte[] manifest = store.blobs().read(img.manifestDigest());
      Digest pushed = c.putManifest(ref.path(), ref.tag(), manifest, img.mediaType());
      progress.status(null, ref.tag() + ": digest: " + pushed + " size: " + manifest.length);
      store.catalog().register(img.manifestDigest(), Map.of(ref.name() + "@" + pushed, img.manifestDigest()));
      return pushed;
    } finally {
      store.gcLock().readLock().unlock();
    }
  }
}
