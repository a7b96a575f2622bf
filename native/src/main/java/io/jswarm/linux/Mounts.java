package io.jswarm.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** mount(2) and umount2(2), checked. */
public final class Mounts {
  public static final long MS_RDONLY = 1;
  public static final long MS_NOSUID = 2;
  public static final long MS_NODEV = 4;
  public static final long MS_NOEXEC = 8;
  public static final long MS_REMOUNT = 32;
  public static final long MS_BIND = 4096;
  public static final long MS_REC = 16384;
  public static final long MS_PRIVATE = 1 << 18;
  public static final int MNT_DETACH = 2;

  private Mounts() {}

  public static void mount(String source, Path target, String fstype, long flags, String data) {
    if (Libc.INSTANCE.mount(source, target.toString(), fstype, flags, data) != 0) {
      throw new LinuxException("mount", fstype + " " + source + " on " + target, Errno.last());
    }
  }

  /**
   * An overlayfs of {@code lowerTopFirst} (the top layer first, as overlayfs wants it) under {@code upper}.
   * The option string must fit one page (4096 bytes): callers with many layers pass short paths.
   */
  public static void overlay(List<Path> lowerTopFirst, Path upper, Path work, Path target) {
    String lower = lowerTopFirst.stream().map(Path::toString).collect(Collectors.joining(":"));
    String data = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work;
    if (data.length() >= 4096) {
      throw new IllegalArgumentException("overlay options for " + target + " are " + data.length()
          + " bytes; the kernel takes at most 4095 (too many layers or too long paths)");
    }
    mount("overlay", target, "overlay", 0, data);
  }

  public static void bind(Path source, Path target, boolean readOnly) {
    mount(source.toString(), target, null, MS_BIND | MS_REC, null);
    if (readOnly) {
      mount(source.toString(), target, null, MS_BIND | MS_REMOUNT | MS_RDONLY, null);
    }
  }

  /** Unmounts {@code target}; a path that is not mounted (EINVAL) or gone (ENOENT) is not an error. */
  public static void unmount(Path target, boolean detach) {
    if (Libc.INSTANCE.umount2(target.toString(), detach ? MNT_DETACH : 0) != 0) {
      int errno = Errno.last();
      if (errno != Errno.EINVAL && errno != Errno.ENOENT) {
        throw new LinuxException("umount2", target.toString(), errno);
      }
    }
  }

  /** Whether {@code path} is a mount point, from /proc/self/mountinfo. */
  public static boolean isMountPoint(Path path) {
    String p = path.toAbsolutePath().normalize().toString();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] f = line.split(" ");
        if (f.length > 4 && unescape(f[4]).equals(p)) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Mount points at or below {@code root}, deepest first (the order to unmount them in). */
  public static List<Path> mountsUnder(Path root) {
    String r = root.toAbsolutePath().normalize().toString();
    try {
      return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
          .map(l -> l.split(" "))
          .filter(f -> f.length > 4)
          .map(f -> unescape(f[4]))
          .filter(m -> m.equals(r) || m.startsWith(r + "/"))
          .distinct()
          .sorted((a, b) -> b.length() - a.length())
          .map(Path::of)
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String unescape(String s) {
    return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
  }
}
