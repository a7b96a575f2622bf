package io.jswarm.linux;

/** A failed system call: names the call, what it was applied to, and the kernel's errno. */
public final class LinuxException extends RuntimeException {
  private final String call;
  private final int errno;

  public LinuxException(String call, String subject, int errno) {
    super(call + "(" + subject + "): " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
    this.call = call;
    this.errno = errno;
  }

  public String call() {
    return call;
  }

  public int errno() {
    return errno;
  }
}
