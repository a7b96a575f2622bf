package io.jswarm.cli.client;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.SocketException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A connected unix socket through the CLI's own JNI library ({@code cli/src/main/c/jswarm-client.c}, built into
 * {@code cli/target/libjswarm-client.so} and named by {@code bin/jswarm} with {@code -Djswarm.client.library}). The
 * JDK's unix socket channels seed a {@code SecureRandom} the first time they are used, which loads and fills the
 * security providers: about 20 ms of a ~90 ms client verb (docs/footprint.md). Failures throw what the JDK's channels
 * throw for the same errno (its {@code handleSocketError}: {@link ConnectException} for a refused connection,
 * {@link SocketException} with the system's message for a missing socket file, ...), so that the CLI's messages are
 * the same either way. Without the library ({@link #connect} returns null) the client uses the JDK's channels.
 *
 * <p>Used for exchanges read whole on one thread ({@link ApiClient#call}); streamed answers, which another thread may
 * close while a read is blocked, keep the JDK's interruptible channels.
 */
final class NativeUnixSocket implements Closeable {
  private static final String LIBRARY_PROPERTY = "jswarm.client.library";
  private static final int EINTR = 4;
  private static final int ENAMETOOLONG = 36;
  private static final int ECONNRESET = 104;
  private static final int ECONNREFUSED = 111;
  private static final int ETIMEDOUT = 110;
  private static final int ENOTCONN = 107;
  private static final int EHOSTUNREACH = 113;
  private static final int EADDRINUSE = 98;
  private static final int EADDRNOTAVAIL = 99;
  private static final int EACCES = 13;
  private static final int EPROTO = 71;

  /** Whether the library is loaded: null until first asked. */
  private static Boolean loaded;

  private final int fd;
  private boolean closed;

  private NativeUnixSocket(int fd) {
    this.fd = fd;
  }

  /** Loads the library at {@code path}; false (and the JDK's channels are used) when it cannot be loaded. */
  static synchronized boolean load(Path path) {
    try {
      System.load(path.toAbsolutePath().toString());
      loaded = true;
    } catch (UnsatisfiedLinkError | SecurityException e) {
      loaded = false;
    }
    return loaded;
  }

  private static synchronized boolean available() {
    if (loaded == null) {
      String library = System.getProperty(LIBRARY_PROPERTY);
      loaded = library != null && !library.isEmpty() && load(Path.of(library));
    }
    return loaded;
  }

  /**
   * A socket connected to {@code path}, or null when the library is not there (or the path is empty, which the JDK
   * treats as an unnamed address).
   *
   * @throws IOException what the JDK's {@code SocketChannel.connect} throws for the same failure
   */
  static NativeUnixSocket connect(Path socket) throws IOException {
    String path = socket.toString();
    if (path.isEmpty() || !available()) {
      return null;
    }
    // the JDK's UnixDomainSockets encode the path in sun.jnu.encoding
    String jnu = System.getProperty("sun.jnu.encoding");
    byte[] bytes = path.getBytes(jnu != null && Charset.isSupported(jnu) ? Charset.forName(jnu)
        : Charset.defaultCharset());
    int fd = connect0(bytes);
    if (fd == -ENAMETOOLONG) {
      throw new SocketException("Unix domain path too long");
    }
    if (fd < 0) {
      throw connectFailure(-fd);
    }
    return new NativeUnixSocket(fd);
  }

  /** What the JDK's {@code Net.c handleSocketError} throws for {@code errno}. */
  private static IOException connectFailure(int errno) {
    String message = strerror0(errno);
    switch (errno) {
      case EPROTO:
        return new ProtocolException(message);
      case ECONNREFUSED, ETIMEDOUT, ENOTCONN:
        return new ConnectException(message);
      case EHOSTUNREACH:
        return new NoRouteToHostException(message);
      case EADDRINUSE, EADDRNOTAVAIL, EACCES:
        return new BindException(message);
      default:
        return new SocketException(message);
    }
  }

  InputStream in() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
          return 0;
        }
        ensureOpen();
        int n = read0(fd, b, off, len);
        if (n == -ECONNRESET) {
          throw new SocketException("Connection reset");
        }
        if (n < 0) {
          throw new IOException(strerror0(-n));
        }
        return n == 0 ? -1 : n;
      }
    };
  }

  OutputStream out() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        while (len > 0) {
          ensureOpen();
          int n = write0(fd, b, off, len);
          if (n < 0) {
            throw new IOException(strerror0(-n));
          }
          off += n;
          len -= n;
        }
      }
    };
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new SocketException("Socket closed");
    }
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      int rc = close0(fd);
      if (rc < 0 && -rc != EINTR) {
        throw new IOException(strerror0(-rc));
      }
    }
  }

  private static native int connect0(byte[] path);

  private static native int read0(int fd, byte[] b, int off, int len);

  private static native int write0(int fd, byte[] b, int off, int len);

  private static native int close0(int fd);

  private static native String strerror0(int errno);
}
