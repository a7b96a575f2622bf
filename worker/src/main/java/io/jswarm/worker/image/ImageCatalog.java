package io.jswarm.worker.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.errors.NotFoundException;
import io.jswarm.worker.image.ImageStore.Image;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image store's images and the names that point at them ({@code images.json}, {@link ImageIndex}): lookup by
 * reference, id or id prefix, the references of an image, and each image's manifest and config parsed once from
 * the blobs. The index is guarded by its own monitor; whoever changes it more than one call here does
 * (removal, garbage collection) holds that monitor around the whole change.
 */
final class ImageCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(ImageCatalog.class);
  private static final Pattern HEX_PREFIX = Pattern.compile("(?:sha256:)?([a-f0-9]{1,64})");

  private final ImageIndex index;
  private final BlobStore blobs;
  private final Map<Digest, Image> parsed = new ConcurrentHashMap<>();

  ImageCatalog(ImageIndex index, BlobStore blobs) {
    this.index = index;
    this.blobs = blobs;
  }

  /** The images and references; synchronize on it around a change of several steps. */
  ImageIndex index() {
    return index;
  }

  /** Forgets the parsed form of a blob that was deleted. */
  void forget(Digest blob) {
    parsed.remove(blob);
  }

  /** The image {@code name} names (a reference, an id, or an unambiguous id prefix), or null. */
  Image find(String name) throws IOException {
    if (name == null || name.isBlank()) {
      throw new InvalidArgumentException("image name: empty");
    }
    String n = name.trim();
    if (Digest.isDigest(n)) {
      Image byId = byId(Digest.parse(n));
      if (byId != null) {
        return byId;
      }
    }
    ImageReference ref = null;
    try {
      ref = ImageReference.parse(n);
    } catch (InvalidArgumentException e) {
      // maybe an id prefix
    }
    if (ref != null) {
      Digest m;
      synchronized (index) {
        m = index.references.get(key(ref));
        if (m == null && ref.digest() != null && index.images.containsKey(ref.digest())) {
          m = ref.digest(); // pulled by tag, asked by its manifest digest
        }
      }
      if (m != null) {
        return image(m);
      }
    }
    var hex = HEX_PREFIX.matcher(n);
    if (hex.matches()) {
      List<Image> matches = new ArrayList<>();
      for (Image i : all()) {
        if (i.id().hex().startsWith(hex.group(1)) && matches.stream().noneMatch(x -> x.id().equals(i.id()))) {
          matches.add(i);
        }
      }
      if (matches.size() > 1) {
        throw new InvalidArgumentException("image ID prefix \"" + n + "\" is ambiguous: it matches " + matches.size()
            + " images; give more characters");
      }
      if (matches.size() == 1) {
        return matches.get(0);
      }
    }
    return null;
  }

  /** {@link #find}, or a 404 {@code No such image: NAME}. */
  Image get(String name) throws IOException {
    Image i = find(name);
    if (i == null) {
      throw new NotFoundException("No such image: " + name);
    }
    return i;
  }

  private Image byId(Digest id) throws IOException {
    for (Image i : all()) {
      if (i.id().equals(id)) {
        return i;
      }
    }
    return null;
  }

  List<Image> all() throws IOException {
    List<Digest> ms;
    synchronized (index) {
      ms = new ArrayList<>(index.images.keySet());
    }
    List<Image> out = new ArrayList<>();
    for (Digest m : ms) {
      out.add(image(m));
    }
    return out;
  }

  Image image(Digest manifestDigest) throws IOException {
    Image cached = parsed.get(manifestDigest);
    if (cached != null) {
      return cached;
    }
    byte[] bytes = blobs.read(manifestDigest);
    Manifest m = Manifest.parse(bytes, null);
    if (m.isIndex()) {
      throw new IOException("blob " + manifestDigest + " is an index, not an image manifest");
    }
    JsonNode config = Manifest.JSON.readTree(blobs.read(m.config().digest()));
    List<Digest> diffIds = new ArrayList<>();
    for (JsonNode d : config.path("rootfs").path("diff_ids")) {
      diffIds.add(Digest.parse(d.asText()));
    }
    if (diffIds.size() != m.layers().size()) {
      throw new IOException("image " + m.config().digest() + ": its config lists " + diffIds.size()
          + " layers but its manifest " + m.layers().size());
    }
    Image i = new Image(manifestDigest, m.mediaType(), m, config, m.config().digest(), List.copyOf(diffIds));
    parsed.put(manifestDigest, i);
    return i;
  }

  /** The index key of a reference: {@code name@digest} when it has a digest, else {@code name:tag}. */
  static String key(ImageReference r) {
    return r.digest() != null ? r.name() + "@" + r.digest() : r.name() + ":" + r.tag();
  }

  /** Records an image and references to it, and saves the index. */
  void register(Digest manifestDigest, Map<String, Digest> refs) throws IOException {
    synchronized (index) {
      index.images.putIfAbsent(manifestDigest, Instant.now().toString());
      for (Map.Entry<String, Digest> e : refs.entrySet()) {
        Digest old = index.references.put(e.getKey(), e.getValue());
        if (old != null && !old.equals(e.getValue())) {
          LOG.info("reference {} moved from {} to {}", e.getKey(), old, e.getValue());
        }
      }
      index.save();
    }
  }

  /** Whether {@code r} is one of the store's references (a name it was pulled, loaded or tagged as). */
  boolean hasReference(ImageReference r) {
    synchronized (index) {
      return index.references.containsKey(key(r));
    }
  }

  /** The image's tags ({@code name:tag}), familiar. */
  List<String> repoTags(Image img) {
    List<String> out = new ArrayList<>();
    synchronized (index) {
      index.references.forEach((k, v) -> {
        if (!k.contains("@") && sameImage(v, img)) {
          out.add(ImageReference.parse(k).familiar());
        }
      });
    }
    return out;
  }

  /** The image's digest references ({@code name@digest}), familiar. */
  List<String> repoDigests(Image img) {
    List<String> out = new ArrayList<>();
    synchronized (index) {
      index.references.forEach((k, v) -> {
        if (k.contains("@") && sameImage(v, img)) {
          out.add(ImageReference.parse(k).familiar());
        }
      });
    }
    return out;
  }

  /** Whether the manifest {@code manifestDigest} is (a manifest of) the image {@code img}. */
  boolean sameImage(Digest manifestDigest, Image img) {
    if (manifestDigest.equals(img.manifestDigest())) {
      return true;
    }
    try {
      return image(manifestDigest).id().equals(img.id());
    } catch (IOException e) {
      return false;
    }
  }

  /** When the image with manifest {@code manifestDigest} was added (RFC 3339), or null. */
  String added(Digest manifestDigest) {
    synchronized (index) {
      return index.images.get(manifestDigest);
    }
  }
}
