package io.jswarm.linux;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The listening end of an OCI runtime's {@code --console-socket}: a unix stream socket on which {@code runc}/{@code
 * crun exec --tty} connect and send the master of the pseudo-terminal they made for the process, as an
 * {@code SCM_RIGHTS} control message. Every call checks its result and errno. x86_64/aarch64 layouts (LP64).
 */
public final class ConsoleSocket implements AutoCloseable {
  static final int AF_UNIX = 1;
  static final int SOCK_STREAM = 1;
  static final int SOCK_CLOEXEC = 0x80000;
  static final int SOL_SOCKET = 1;
  static final int SCM_RIGHTS = 1;
  static final int MSG_CMSG_CLOEXEC = 0x40000000;
  static final short POLLIN = 0x1;
  /** sizeof(struct sockaddr_un): sa_family_t + 108 bytes of path. */
  private static final int SOCKADDR_UN = 110;
  /** sizeof(struct msghdr) and the offsets of its fields on LP64. */
  private static final int MSGHDR = 56;
  private static final int MSG_IOV = 16;
  private static final int MSG_IOVLEN = 24;
  private static final int MSG_CONTROL = 32;
  private static final int MSG_CONTROLLEN = 40;
  /** CMSG_SPACE(sizeof(int)): a cmsghdr (len, level, type: 16 bytes) and one fd, aligned to 8. */
  private static final int CMSG_SPACE_ONE_FD = 24;

  private final int fd;
  private final Path path;

  private ConsoleSocket(int fd, Path path) {
    this.fd = fd;
    this.path = path;
  }

  /** Listens on a new unix socket at {@code path} (which must not exist; at most 107 bytes). */
  public static ConsoleSocket listen(Path path) {
    byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
    if (p.length > SOCKADDR_UN - 3) {
      throw new IllegalArgumentException("console socket path too long for a unix socket (" + p.length
          + " bytes, at most 107): " + path);
    }
    Libc c = Libc.INSTANCE;
    int fd = c.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      throw new LinuxException("socket", "AF_UNIX, SOCK_STREAM", Errno.last());
    }
    try {
      Memory addr = new Memory(SOCKADDR_UN);
      addr.clear();
      addr.setShort(0, (short) AF_UNIX);
      addr.write(2, p, 0, p.length);
      if (c.bind(fd, addr, SOCKADDR_UN) != 0) {
        throw new LinuxException("bind", path.toString(), Errno.last());
      }
      if (c.listen(fd, 1) != 0) {
        throw new LinuxException("listen", path.toString(), Errno.last());
      }
      return new ConsoleSocket(fd, path);
    } catch (RuntimeException e) {
      c.close(fd);
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  /**
   * Waits for the runtime to connect and send the terminal's master; gives up after {@code timeout} or as soon as
   * {@code gaveUp} says so (the runtime ended without connecting).
   *
   * @throws IOException the runtime did not send a terminal in time, or sent something else
   */
  public Pty receive(Duration timeout, BooleanSupplier gaveUp) throws IOException {
    long end = System.nanoTime() + timeout.toNanos();
    Libc c = Libc.INSTANCE;
    while (!Pty.poll(fd, POLLIN, 100)) {
      if (gaveUp.getAsBoolean()) {
        throw new IOException("the runtime ended without sending the terminal on " + path);
      }
      if (System.nanoTime() > end) {
        throw new IOException("the runtime sent no terminal on " + path + " within " + timeout.toSeconds() + " s");
      }
    }
    int conn = c.accept4(fd, Pointer.NULL, Pointer.NULL, SOCK_CLOEXEC);
    if (conn < 0) {
      throw new LinuxException("accept4", path.toString(), Errno.last());
    }
    try {
      return new Pty(receiveFd(conn));
    } finally {
      c.close(conn);
    }
  }

  /** One recvmsg carrying an SCM_RIGHTS fd (and the terminal's name as data, which is not needed). */
  private int receiveFd(int conn) throws IOException {
    Memory data = new Memory(4096);
    Memory iov = new Memory(16);
    iov.setPointer(0, data);
    iov.setLong(8, data.size());
    Memory control = new Memory(CMSG_SPACE_ONE_FD);
    control.clear();
    Memory msg = new Memory(MSGHDR);
    msg.clear();
    msg.setPointer(MSG_IOV, iov);
    msg.setLong(MSG_IOVLEN, 1);
    msg.setPointer(MSG_CONTROL, control);
    msg.setLong(MSG_CONTROLLEN, CMSG_SPACE_ONE_FD);
    long n;
    do {
      n = Libc.INSTANCE.recvmsg(conn, msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && Errno.last() == Errno.EINTR);
    if (n < 0) {
      throw new LinuxException("recvmsg", path.toString(), Errno.last());
    }
    long len = msg.getLong(MSG_CONTROLLEN);
    if (len < 20 || control.getInt(8) != SOL_SOCKET || control.getInt(12) != SCM_RIGHTS) {
      throw new IOException("the runtime's message on " + path + " carried no terminal (no SCM_RIGHTS fd)");
    }
    return control.getInt(16);
  }

  @Override
  public void close() {
    Libc.INSTANCE.close(fd);
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // a file left in a private directory
    }
  }
}
