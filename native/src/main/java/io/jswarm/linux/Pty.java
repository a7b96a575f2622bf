package io.jswarm.linux;

import com.sun.jna.Memory;

/**
 * The master side of a pseudo-terminal received from an OCI runtime ({@link ConsoleSocket}): read what the process
 * prints, write what the user types, resize. Reads poll first so a reader can stop; every call checks errno.
 */
public final class Pty implements AutoCloseable {
  private static final int EIO = 5;
  private static final long TIOCSWINSZ = 0x5414;
  private static final short POLLIN = 0x1;
  private static final short POLLERR = 0x8;
  private static final short POLLHUP = 0x10;

  private final int fd;
  private volatile boolean closed;

  Pty(int fd) {
    this.fd = fd;
  }

  /**
   * Reads what the process printed into {@code buf}: the number of bytes, 0 when nothing came within
   * {@code timeoutMs}, -1 once every process holding the terminal closed it (EIO on a master: the process ended).
   */
  public int read(byte[] buf, int timeoutMs) {
    if (closed) {
      return -1;
    }
    if (!poll(fd, POLLIN, timeoutMs)) {
      return 0;
    }
    long n;
    do {
      n = Libc.INSTANCE.read(fd, buf, buf.length);
    } while (n < 0 && Errno.last() == Errno.EINTR);
    if (n < 0) {
      int errno = Errno.last();
      if (errno == EIO) {
        return -1;
      }
      if (errno == Errno.EAGAIN) {
        return 0;
      }
      throw new LinuxException("read", "pty master " + fd, errno);
    }
    return n == 0 ? -1 : (int) n;
  }

  /** Writes all of {@code b} (what the user typed). */
  public void write(byte[] b) {
    int off = 0;
    while (off < b.length && !closed) {
      byte[] rest = off == 0 ? b : java.util.Arrays.copyOfRange(b, off, b.length);
      long n = Libc.INSTANCE.write(fd, rest, rest.length);
      if (n < 0) {
        int errno = Errno.last();
        if (errno == Errno.EINTR) {
          continue;
        }
        throw new LinuxException("write", "pty master " + fd, errno);
      }
      off += (int) n;
    }
  }

  /** Sets the terminal's size (the process gets SIGWINCH). */
  public void resize(int rows, int cols) {
    if (rows < 0 || rows > 0xffff || cols < 0 || cols > 0xffff) {
      throw new IllegalArgumentException("terminal size: rows and columns from 0 to 65535, got " + rows + "x" + cols);
    }
    Memory ws = new Memory(8);
    ws.clear();
    ws.setShort(0, (short) rows);
    ws.setShort(2, (short) cols);
    if (Libc.INSTANCE.ioctl(fd, TIOCSWINSZ, ws) != 0) {
      throw new LinuxException("ioctl", "TIOCSWINSZ on pty master " + fd, Errno.last());
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      Libc.INSTANCE.close(fd);
    }
  }

  /** Whether {@code fd} has {@code events} (or an error or hang-up) within {@code timeoutMs}. */
  static boolean poll(int fd, short events, int timeoutMs) {
    Memory p = new Memory(8);
    p.setInt(0, fd);
    p.setShort(4, events);
    p.setShort(6, (short) 0);
    int n;
    do {
      n = Libc.INSTANCE.poll(p, 1, timeoutMs);
    } while (n < 0 && Errno.last() == Errno.EINTR);
    if (n < 0) {
      throw new LinuxException("poll", "fd " + fd, Errno.last());
    }
    return n > 0 && (p.getShort(6) & (events | POLLERR | POLLHUP)) != 0;
  }
}
