package io.jswarm.transport.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes that survive a crash (a kill -9 or a power cut) at any point: a file is replaced by writing a temporary
 * file beside it, syncing it, renaming it over the old one and syncing the directory, so a reader finds the old
 * content or the new, complete and durable, never a mix, an empty file or a rename the disk forgot. Temporary
 * files end in {@value #TMP_SUFFIX}; {@link #removeLeftovers} deletes those a crash left.
 *
 * <p>{@link Step} names each point of a replacement, and a {@link CrashPoint} is called before each: tests throw
 * from it (or halt the JVM) to show that every prefix of the sequence leaves a usable state.
 */
public final class DurableFiles {
  public static final String TMP_SUFFIX = ".tmp";

  /** The steps of {@link #replace}, in order. */
  public enum Step { WRITE_TEMPORARY, SYNC_TEMPORARY, RENAME, SYNC_DIRECTORY }

  /** Called before each step; the default does nothing. */
  @FunctionalInterface
  public interface CrashPoint {
    CrashPoint NONE = step -> { };

    void before(String step) throws IOException;
  }

  private DurableFiles() {}

  /** {@link #replace} with no crash point, readable by its owner only when {@code ownerOnly}. */
  public static void replace(Path target, byte[] content, boolean ownerOnly) throws IOException {
    replace(target, content, ownerOnly, CrashPoint.NONE);
  }

  /**
   * Replaces {@code target} with {@code content} durably and atomically (see the class comment). With
   * {@code ownerOnly} the file is created 0600 before any byte is written.
   */
  public static void replace(Path target, byte[] content, boolean ownerOnly, CrashPoint crash) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = dir.resolve(target.getFileName() + "." + ProcessHandle.current().pid() + "." + System.nanoTime()
        + TMP_SUFFIX);
    try {
      crash.before(Step.WRITE_TEMPORARY.name());
      FileAttribute<?>[] attrs = ownerOnly
          ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(Set.of(PosixFilePermission.OWNER_READ,
              PosixFilePermission.OWNER_WRITE))}
          : new FileAttribute<?>[0];
      try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          attrs)) {
        ByteBuffer b = ByteBuffer.wrap(content);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        crash.before(Step.SYNC_TEMPORARY.name());
        ch.force(true);
      }
      crash.before(Step.RENAME.name());
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot replace " + target + " atomically: " + e.getMessage(), e);
      }
      crash.before(Step.SYNC_DIRECTORY.name());
      syncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Makes the entries of {@code dir} (names created, renamed, removed in it) durable. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /**
   * Syncs every regular file and directory under {@code root} (links are not followed), so that a tree written
   * without syncs is durable before it is renamed into place.
   */
  public static void syncTree(Path root) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
        if (a.isRegularFile()) {
          try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ch.force(true);
          }
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        syncDirectory(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** Deletes the temporary files a crash left in {@code dir} (those {@link #replace} names). */
  public static void removeLeftovers(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (var s = Files.newDirectoryStream(dir, "*" + TMP_SUFFIX)) {
      for (Path p : s) {
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
