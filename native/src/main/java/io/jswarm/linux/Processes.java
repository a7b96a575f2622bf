package io.jswarm.linux;

/** Signals to processes, checked. */
public final class Processes {
  public static final int SIGKILL = 9;
  public static final int SIGTERM = 15;

  private Processes() {}

  /** Sends {@code signal} to {@code pid}; returns false when the process no longer exists (ESRCH). */
  public static boolean kill(int pid, int signal) {
    if (Libc.INSTANCE.kill(pid, signal) != 0) {
      int errno = Errno.last();
      if (errno == Errno.ESRCH) {
        return false;
      }
      throw new LinuxException("kill", "pid " + pid + ", signal " + signal, errno);
    }
    return true;
  }

  public static boolean alive(int pid) {
    return kill(pid, 0);
  }
}
