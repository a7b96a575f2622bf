package io.jswarm.worker.container;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Reads files of a container's root file system the way the container would see them, without ever leaving it:
 * every path component is looked at without following links, and a symlink is resolved inside the rootfs as if
 * the rootfs were {@code /} (an absolute target starts again at the rootfs, {@code ..} stops at it), like
 * Docker's {@code FollowSymlinkInScope}. So an image whose {@code /etc/passwd} links to {@code /proc/kcore} or
 * to {@code ../../../etc/shadow} makes the daemon read the image's own {@code /proc/kcore} (there is none) and
 * never a host file.
 */
final class RootfsFiles {
  /** Symlinks followed in one lookup before giving up (Linux's own limit). */
  static final int MAX_LINKS = 40;

  private RootfsFiles() {}

  /** What a lookup found. */
  record Found(Path path, BasicFileAttributes attributes) {}

  /**
   * The file {@code inside} names in {@code rootfs} (e.g. {@code /etc/passwd}), links resolved in scope, or
   * null when it does not exist.
   *
   * @throws IOException when links loop or a path component is not a directory
   */
  static Found resolve(Path rootfs, String inside) throws IOException {
    Deque<String> todo = new ArrayDeque<>(components(inside));
    List<String> done = new ArrayList<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String c = todo.removeFirst();
      if (c.equals("..")) {
        if (!done.isEmpty()) {
          done.remove(done.size() - 1);
        }
        continue;
      }
      Path p = at(rootfs, done).resolve(c);
      BasicFileAttributes a;
      try {
        a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        return null;
      }
      if (a.isSymbolicLink()) {
        if (++links > MAX_LINKS) {
          throw new IOException(inside + ": more than " + MAX_LINKS + " symbolic links in the image");
        }
        String target = Files.readSymbolicLink(p).toString();
        if (target.startsWith("/")) {
          done.clear();
        }
        List<String> t = components(target);
        for (int i = t.size() - 1; i >= 0; i--) {
          todo.addFirst(t.get(i));
        }
        continue;
      }
      if (!todo.isEmpty() && !a.isDirectory()) {
        throw new IOException(inside + ": " + "/" + String.join("/", done) + "/" + c + " is not a directory");
      }
      done.add(c);
      if (todo.isEmpty()) {
        return new Found(p, a);
      }
    }
    return new Found(rootfs, Files.readAttributes(rootfs, BasicFileAttributes.class));
  }

  /**
   * The lines of the regular file {@code inside}, or an empty list when it does not exist.
   *
   * @throws IOException when it is not a regular file (a device, a FIFO, a directory) or larger than
   *     {@code maxBytes}, or when its path cannot be resolved inside the rootfs
   */
  static List<String> readLines(Path rootfs, String inside, long maxBytes) throws IOException {
    Found f = resolve(rootfs, inside);
    if (f == null) {
      return List.of();
    }
    if (!f.attributes().isRegularFile()) {
      throw new IOException(inside + " in the image is not a regular file");
    }
    if (f.attributes().size() > maxBytes) {
      throw new IOException(inside + " in the image is " + f.attributes().size() + " bytes; at most " + maxBytes
          + " are read");
    }
    // the path has no symlink left in it (each component was checked above); NOFOLLOW guards the last one
    try (InputStream in = Files.newInputStream(f.path(), LinkOption.NOFOLLOW_LINKS)) {
      byte[] bytes = in.readNBytes((int) maxBytes + 1);
      if (bytes.length > maxBytes) {
        throw new IOException(inside + " in the image grew past " + maxBytes + " bytes while being read");
      }
      return new String(bytes, StandardCharsets.UTF_8).lines().toList();
    }
  }

  private static Path at(Path rootfs, List<String> components) {
    Path p = rootfs;
    for (String c : components) {
      p = p.resolve(c);
    }
    return p;
  }

  private static List<String> components(String path) {
    List<String> out = new ArrayList<>();
    for (String c : path.split("/")) {
      if (!c.isEmpty() && !c.equals(".")) {
        out.add(c);
      }
    }
    return out;
  }
}
