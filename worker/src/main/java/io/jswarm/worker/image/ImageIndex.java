package io.jswarm.worker.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.transport.disk.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The image store's index, {@code images.json}: the images (by manifest digest, with when each was added) and the
 * references ({@code name:tag}, {@code name@digest}, normalized) that point at them. Both maps are guarded by this
 * object's monitor: callers hold it ({@code synchronized (index)}) around every read and change, and call
 * {@link #save} before letting go of a change.
 */
final class ImageIndex {
  private final Path file;
  /** Manifest digest -> when it was added (RFC 3339). */
  final Map<Digest, String> images = new LinkedHashMap<>();
  /** Normalized reference -> manifest digest. */
  final TreeMap<String, Digest> references = new TreeMap<>();

  /** Reads {@code file} when it exists; a new index is empty. */
  ImageIndex(Path file) throws IOException {
    this.file = file;
    if (!Files.exists(file)) {
      return;
    }
    try {
      JsonNode n = Manifest.JSON.readTree(file.toFile());
      synchronized (this) {
        n.path("images").fields().forEachRemaining(e -> images.put(Digest.parse(e.getKey()),
            e.getValue().path("added").asText("")));
        n.path("references").fields().forEachRemaining(e -> references.put(e.getKey(),
            Digest.parse(e.getValue().asText())));
      }
    } catch (IOException | RuntimeException e) {
      throw new IOException("the image index " + file + " is unreadable (" + e.getMessage() + "); move it away "
          + "to start with an empty image list (blobs and layers stay until the next image removal collects them)", e);
    }
  }

  /** Replaces the file atomically and durably ({@link DurableFiles#replace}). Caller holds the monitor. */
  void save() {
    ObjectNode n = Manifest.JSON.createObjectNode();
    n.put("schemaVersion", 1);
    ObjectNode is = n.putObject("images");
    images.forEach((k, v) -> is.putObject(k.toString()).put("added", v));
    ObjectNode rs = n.putObject("references");
    references.forEach((k, v) -> rs.put(k, v.toString()));
    try {
      DurableFiles.replace(file, Manifest.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n), false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the image index " + file + ": " + e.getMessage(), e);
    }
  }
}
