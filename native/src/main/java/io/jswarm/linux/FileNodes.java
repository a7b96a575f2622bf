package io.jswarm.linux;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * File-system calls Java has no API for, checked: device and FIFO nodes (mknod(2)) and extended attributes on the
 * link itself (lsetxattr(2), lgetxattr(2)). Used to unpack image layers in the form overlayfs stacks.
 */
public final class FileNodes {
  public static final int S_IFIFO = 0010000;
  public static final int S_IFCHR = 0020000;
  public static final int S_IFBLK = 0060000;
  /** errno of lgetxattr when the attribute is not set. */
  static final int ENODATA = 61;

  private FileNodes() {}

  /** Makes a node of {@code type} ({@link #S_IFCHR}, {@link #S_IFBLK}, {@link #S_IFIFO}) with permission bits. */
  public static void mknod(Path path, int type, int permissions, int major, int minor) {
    if (Libc.INSTANCE.mknod(path.toString(), type | (permissions & 07777), makedev(major, minor)) != 0) {
      throw new LinuxException("mknod", path.toString(), Errno.last());
    }
  }

  /** glibc's makedev(3) encoding of a device number. */
  static long makedev(int major, int minor) {
    long ma = major & 0xffffffffL;
    long mi = minor & 0xffffffffL;
    return ((ma & 0x00000fffL) << 8) | ((ma & 0xfffff000L) << 32) | (mi & 0x000000ffL) | ((mi & 0xffffff00L) << 12);
  }

  /** Sets the extended attribute {@code name} of {@code path} itself (not a symlink's target). */
  public static void setXattr(Path path, String name, byte[] value) {
    if (Libc.INSTANCE.lsetxattr(path.toString(), name, value, value.length, 0) != 0) {
      throw new LinuxException("lsetxattr", path + " " + name, Errno.last());
    }
  }

  /** The extended attribute {@code name} of {@code path} itself, or null when it has none. */
  public static byte[] getXattr(Path path, String name) {
    byte[] buf = new byte[4096];
    long n = Libc.INSTANCE.lgetxattr(path.toString(), name, buf, buf.length);
    if (n < 0) {
      int errno = Errno.last();
      if (errno == ENODATA) {
        return null;
      }
      throw new LinuxException("lgetxattr", path + " " + name, errno);
    }
    return Arrays.copyOf(buf, (int) n);
  }

  /** {@link #getXattr} as text, or null. */
  public static String getXattrString(Path path, String name) {
    byte[] v = getXattr(path, name);
    return v == null ? null : new String(v, StandardCharsets.UTF_8);
  }
}
