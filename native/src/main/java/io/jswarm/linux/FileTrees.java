package io.jswarm.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing a directory tree, the one way every part of jswarm does it. */
public final class FileTrees {
  private FileTrees() {}

  /**
   * Deletes {@code root} and everything under it, deepest first. Symlinks are removed, never followed, so a link
   * planted in the tree cannot make this delete anything outside it. Nothing there is not an error; a mount under
   * the tree is not crossed (its mount point cannot be removed: the caller unmounts first, see
   * {@link Mounts#mountsUnder}).
   */
  public static void delete(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.delete(p);
        } catch (NoSuchFileException gone) {
          // removed meanwhile: what was wanted
        }
      }
    }
  }
}
