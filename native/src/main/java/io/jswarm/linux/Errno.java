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
  public static final int EBADF = 9;
  public static final int EAGAIN = 11;
  public static final int ENODEV = 19;
  public static final int EOPNOTSUPP = 95;
  public static final int EADDRINUSE = 98;
  public static final int EADDRNOTAVAIL = 99;
  public static final int ENETUNREACH = 101;

  private static final String[] NAMES = {
    "0", "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF", "ECHILD", "EAGAIN",
    "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR", "EISDIR", "EINVAL",
    "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS", "EMLINK", "EPIPE"
  };

  private Errno() {}

  public static String name(int errno) {
    if (errno >= 0 && errno < NAMES.length) {
      return NAMES[errno];
    }
    switch (errno) {
      case 33: return "EDOM";
      case 34: return "ERANGE";
      case 61: return "ENODATA";
      case 90: return "EMSGSIZE";
      case 93: return "EPROTONOSUPPORT";
      case EOPNOTSUPP: return "EOPNOTSUPP";
      case 97: return "EAFNOSUPPORT";
      case EADDRINUSE: return "EADDRINUSE";
      case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
      case ENETUNREACH: return "ENETUNREACH";
      case 105: return "ENOBUFS";
      case 113: return "EHOSTUNREACH";
      default: return "errno " + errno;
    }
  }

  /** The C library's text for {@code errno} (strerror). */
  public static String describe(int errno) {
    return Libc.INSTANCE.strerror(errno);
  }

  /** errno of the last native call on this thread. */
  public static int last() {
    return Native.getLastError();
  }
}
