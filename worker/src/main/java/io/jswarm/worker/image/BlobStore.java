package io.jswarm.worker.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Content-addressed blobs in OCI layout: {@code blobs/sha256/<hex>}. A blob is written to {@code ingest/} while
 * its digest is computed, checked against the digest it was announced with, synced, and only then renamed into
 * place (and the directory synced), so a blob under its name is always complete, correct and durable.
 */
final class BlobStore {
  private final Path blobs;
  private final Path ingest;

  BlobStore(Path root) throws IOException {
    this.blobs = root.resolve("blobs").resolve("sha256");
    this.ingest = root.resolve("ingest");
    Files.createDirectories(blobs);
    Files.createDirectories(ingest);
    try (Stream<Path> s = Files.list(ingest)) {
      for (Path p : s.toList()) {
        Files.deleteIfExists(p); // left by a crash mid-write
      }
    }
  }

  Path path(Digest d) {
    return blobs.resolve(d.hex());
  }

  boolean has(Digest d) {
    return Files.isRegularFile(path(d));
  }

  long size(Digest d) throws IOException {
    return Files.size(path(d));
  }

  byte[] read(Digest d) throws IOException {
    return Files.readAllBytes(path(d));
  }

  InputStream open(Digest d) throws IOException {
    return Files.newInputStream(path(d));
  }

  /** Stores {@code content}; its digest is returned. */
  Digest put(byte[] content) throws IOException {
    Digest d = Digest.of(content);
    if (!has(d)) {
      Path tmp = Files.createTempFile(ingest, d.hex(), ".part");
      try {
        Files.write(tmp, content);
        commit(tmp, d);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return d;
  }

  /**
   * Copies {@code in} into the store, verifying it against {@code expected} (and {@code expectedSize} unless it is
   * negative). Returns the number of bytes stored.
   *
   * @throws DigestMismatchException when the content's digest or size is not the expected one; nothing is kept
   */
  long put(InputStream in, Digest expected, long expectedSize, String what) throws IOException {
    Path tmp = Files.createTempFile(ingest, expected.hex(), ".part");
    try {
      MessageDigest md = Digest.sha256();
      long n;
      try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), md)) {
        // a source sending more than announced is cut off after one byte too many, not stored to the end
        n = (expectedSize >= 0 ? limited(in, expectedSize + 1) : in).transferTo(out);
      }
      Digest actual = Digest.of(md);
      if (!actual.equals(expected)) {
        throw new DigestMismatchException(what + ": content has digest " + actual + " but " + expected
            + " was expected; refused (corrupt or tampered download)");
      }
      if (expectedSize >= 0 && n != expectedSize) {
        throw new DigestMismatchException(what + ": " + n + " bytes received but the descriptor says " + expectedSize);
      }
      if (!has(expected)) {
        commit(tmp, expected);
      }
      return n;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** {@code in} ending after {@code max} bytes. */
  private static InputStream limited(InputStream in, long max) {
    return new java.io.FilterInputStream(in) {
      private long left = max;

      @Override
      public int read() throws IOException {
        if (left <= 0) {
          return -1;
        }
        int b = super.read();
        if (b >= 0) {
          left--;
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) {
          return -1;
        }
        int n = super.read(b, off, (int) Math.min(len, left));
        if (n > 0) {
          left -= n;
        }
        return n;
      }
    };
  }

  /** Moves {@code file} (on the store's file system, e.g. in {@link #ingestDir}) into the store; returns its digest. */
  Digest putFile(Path file) throws IOException {
    MessageDigest md = Digest.sha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    Digest d = Digest.of(md);
    if (!has(d)) {
      commit(file, d);
    } else {
      Files.deleteIfExists(file);
    }
    return d;
  }

  Path ingestDir() {
    return ingest;
  }

  private void commit(Path tmp, Digest d) throws IOException {
    try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      c.force(true);
    }
    try {
      Files.move(tmp, path(d), StandardCopyOption.ATOMIC_MOVE);
      io.jswarm.transport.disk.DurableFiles.syncDirectory(blobs);
    } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
      if (!has(d)) {
        throw e;
      }
    }
  }

  void delete(Digest d) throws IOException {
    Files.deleteIfExists(path(d));
  }

  List<Digest> list() throws IOException {
    List<Digest> all = new ArrayList<>();
    try (Stream<Path> s = Files.list(blobs)) {
      for (Path p : s.toList()) {
        try {
          all.add(new Digest(p.getFileName().toString()));
        } catch (RuntimeException e) {
          // not a blob name: ignore
        }
      }
    }
    return all;
  }
}
