package io.jswarm.linux;

import com.sun.jna.Native;

/** errno values the callers test for, and their names for messages. */
public final class Errno {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int ESRCH = 3;
  public static final int EINTR = 4;
  public static final int EBUSY = 16;
  public static final int EEXIST = 17;
  public static final int EINVAL = 22;
  public static final int ENOSPC = 28;

  private static final String[] NAMES = {
    "0", "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF", "ECHILD", "EAGAIN",
    "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR", "EISDIR", "EINVAL",
    "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS", "EMLINK", "EPIPE"
  };

  private Errno() {}

  public static String name(int errno) {
    return errno >= 0 && errno < NAMES.length ? NAMES[errno] : "errno " + errno;
  }

  /** The C library's text for {@code errno} (strerror). */
  public static String describe(int errno) {
    return Libc.INSTANCE.strerror(errno);
  }

  static int last() {
    return Native.getLastError();
  }
}
