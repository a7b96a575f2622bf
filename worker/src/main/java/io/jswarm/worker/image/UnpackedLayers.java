package io.jswarm.worker.image;

import io.jswarm.linux.FileTrees;
import io.jswarm.transport.disk.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The image store's unpacked layers under {@code <image root>/layers}: {@code <diff id hex>/} each layer unpacked
 * once in overlayfs form ({@link LayerUnpacker}), shared read-only by every container, and {@code <hex>.size} its
 * uncompressed size. A layer gets its name only once it is complete and on disk; concurrent unpacks of one layer
 * happen once. Nobody but root may walk in (layers hold images' setuid binaries and device nodes).
 */
final class UnpackedLayers {
  private final Path root;
  private final BlobStore blobs;
  private final UnpackLimits limits;
  private final ConcurrentHashMap<Digest, CompletableFuture<Path>> unpacks = new ConcurrentHashMap<>();

  private UnpackedLayers(Path root, BlobStore blobs, UnpackLimits limits) {
    this.root = root;
    this.blobs = blobs;
    this.limits = limits;
  }

  /** Opens (creating) {@code dir}, removing what a crash mid-unpack left. */
  static UnpackedLayers open(Path dir, BlobStore blobs, UnpackLimits limits) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList()) {
        FileTrees.delete(p);
      }
    }
    return new UnpackedLayers(dir, blobs, limits);
  }

  /** Where the unpacked layer {@code diffId} is (or would be). */
  Path dir(Digest diffId) {
    return root.resolve(diffId.hex());
  }

  /** The unpacked directory of layer {@code diffId}, unpacking its blob first when needed (once). */
  Path ensure(Digest diffId, Manifest.Descriptor blob) throws IOException, InterruptedException {
    Path dir = dir(diffId);
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return dir;
    }
    CompletableFuture<Path> mine = new CompletableFuture<>();
    CompletableFuture<Path> running = unpacks.putIfAbsent(diffId, mine);
    if (running != null) {
      return ImageStore.await(running);
    }
    Path tmp = root.resolve(".tmp-" + diffId.hex() + "-" + Long.toHexString(System.nanoTime()));
    try {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        if (MediaTypes.isZstd(blob.mediaType())) {
          throw new IOException("layer " + blob.digest() + " is zstd-compressed; not supported");
        }
        Files.createDirectory(tmp);
        Files.setAttribute(tmp, "unix:mode", 0755);
        LayerUnpacker.Result r;
        try (InputStream in = blobs.open(blob.digest())) {
          r = LayerUnpacker.unpack(in, tmp, limits, "layer " + blob.digest());
        } catch (java.nio.file.NoSuchFileException e) {
          throw new IOException("layer blob " + blob.digest() + " is missing from the store", e);
        }
        if (!r.diffId().equals(diffId)) {
          throw new DigestMismatchException("layer " + blob.digest() + " unpacks to " + r.diffId()
              + " but the image config says " + diffId + "; refused");
        }
        DurableFiles.replace(root.resolve(diffId.hex() + ".size"),
            Long.toString(r.size()).getBytes(StandardCharsets.US_ASCII), false);
        DurableFiles.syncTree(tmp); // every file and directory on disk before the layer gets its name
        LayerUnpacker.publish(tmp, dir);
        DurableFiles.syncDirectory(root);
      }
      mine.complete(dir);
      return dir;
    } catch (IOException | RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      unpacks.remove(diffId, mine);
      FileTrees.delete(tmp);
    }
  }

  /** The unpacked size of layer {@code diffId}, or its blob's size when the layer has no size file. */
  long size(Digest diffId, Manifest.Descriptor blob) {
    try {
      return Long.parseLong(Files.readString(root.resolve(diffId.hex() + ".size")).trim());
    } catch (IOException | NumberFormatException e) {
      return Math.max(0, blob.size());
    }
  }

  /** The unpacked size of an image: each of its distinct layers once. */
  long size(ImageStore.Image img) {
    long total = 0;
    Set<Digest> seen = new HashSet<>();
    for (int i = 0; i < img.diffIds().size(); i++) {
      if (seen.add(img.diffIds().get(i))) {
        total += size(img.diffIds().get(i), img.manifest().layers().get(i));
      }
    }
    return total;
  }

  /** Removes every unpacked layer whose hex is not in {@code keep}; returns the diff ids removed. */
  List<Digest> sweep(Set<String> keep) throws IOException {
    return LayerUnpacker.sweep(root, keep);
  }
}
