package io.jswarm.cli.client;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP/1.1 exchange with the daemon over a blocking JDK socket channel, a unix socket
 * ({@link UnixDomainSocketAddress}) or TCP, or over the CLI's native unix socket ({@link NativeUnixSocket}). The request goes out with {@code Connection: close}; the answer's head
 * is read at once and its body chunk by chunk ({@code Transfer-Encoding: chunked}, {@code Content-Length}, or up to
 * the end of the connection). Only the JDK: the CLI starts without loading a network framework.
 */
final class HttpWire implements AutoCloseable {
  private static final int MAX_HEAD = 64 << 10;
  private static final int CONNECT_TIMEOUT_MS = 10_000;

  private final Closeable connection;
  private final InputStream in;
  final int status;
  final Map<String, String> headers;
  private final boolean chunked;
  private long remaining; // Content-Length left, -1 for "until the connection ends"
  private boolean ended;

  private HttpWire(Closeable connection, InputStream in, int status, Map<String, String> headers, boolean noBody) {
    this.connection = connection;
    this.in = in;
    this.status = status;
    this.headers = headers;
    String te = headers.getOrDefault("transfer-encoding", "");
    this.chunked = te.toLowerCase(Locale.ROOT).contains("chunked");
    String length = headers.get("content-length");
    this.remaining = noBody ? 0 : chunked ? -1 : length == null ? -1 : Long.parseLong(length.trim());
    this.ended = noBody || (!chunked && remaining == 0);
  }

  /**
   * Connects, sends the request and reads the answer's head. With {@code wholeOnOneThread} (the answer is read to its
   * end by the caller's thread, never closed from another) a unix socket is the CLI's native one when its library is
   * there ({@link NativeUnixSocket}); otherwise, and for TCP, a JDK socket channel.
   */
  static HttpWire exchange(DaemonAddress address, String method, String target, byte[] body,
      boolean wholeOnOneThread) throws IOException {
    NativeUnixSocket nativeSocket = address.isUnix() && wholeOnOneThread ? NativeUnixSocket.connect(address.socket())
        : null;
    if (nativeSocket != null) {
      try {
        return exchange(nativeSocket, nativeSocket.in(), nativeSocket.out(), address, method, target, body);
      } catch (IOException | RuntimeException e) {
        nativeSocket.close();
        throw e;
      }
    }
    SocketAddress to = address.isUnix() ? UnixDomainSocketAddress.of(address.socket())
        : new InetSocketAddress(address.host(), address.port());
    SocketChannel ch = address.isUnix() ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
    try {
      if (address.isUnix()) {
        ch.connect(to);
      } else {
        ch.socket().connect(to, CONNECT_TIMEOUT_MS);
      }
      return exchange(ch, Channels.newInputStream(ch), Channels.newOutputStream(ch), address, method, target, body);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Sends the request on a connected socket and reads the answer's head. */
  private static HttpWire exchange(Closeable connection, InputStream socketIn, OutputStream out,
      DaemonAddress address, String method, String target, byte[] body) throws IOException {
    StringBuilder head = new StringBuilder(256).append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: ").append(address.isUnix() ? "jswarm" : address.host() + ":" + address.port()).append("\r\n")
        .append("User-Agent: jswarm-cli\r\nConnection: close\r\nContent-Length: ")
        .append(body == null ? 0 : body.length).append("\r\n");
    if (body != null) {
      head.append("Content-Type: application/json\r\n");
    }
    head.append("\r\n");
    byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    if (body == null || body.length < 64 << 10) {
      ByteArrayOutputStream all = new ByteArrayOutputStream(h.length + (body == null ? 0 : body.length));
      all.writeBytes(h);
      if (body != null) {
        all.writeBytes(body);
      }
      out.write(all.toByteArray());
    } else {
      out.write(h);
      out.write(body);
    }
    out.flush();
    InputStream in = new BufferedInputStream(socketIn, 16 << 10);
    String statusLine = line(in);
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP answer: " + statusLine);
    }
    int status = Integer.parseInt(parts[1]);
    Map<String, String> headers = new TreeMap<>();
    int size = statusLine.length();
    for (String l = line(in); !l.isEmpty(); l = line(in)) {
      size += l.length();
      if (size > MAX_HEAD) {
        throw new IOException("the answer's head is larger than " + MAX_HEAD + " bytes");
      }
      int colon = l.indexOf(':');
      if (colon > 0) {
        String name = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = l.substring(colon + 1).trim();
        String before = headers.get(name);
        headers.put(name, before == null ? value : before + ", " + value); // no lambda (see ServiceListing)
      }
    }
    boolean noBody = method.equals("HEAD") || status == 204 || status == 304 || status / 100 == 1;
    return new HttpWire(connection, in, status, headers, noBody);
  }

  /** The next part of the body as it arrives, or null at its end. */
  byte[] next() throws IOException {
    if (ended) {
      return null;
    }
    if (chunked) {
      String sizeLine = line(in);
      int semi = sizeLine.indexOf(';');
      long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
      if (size == 0) {
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
          // trailers: ignored
        }
        ended = true;
        return null;
      }
      byte[] chunk = in.readNBytes((int) size);
      if (chunk.length < size) {
        throw new EOFException("the daemon closed the connection in the middle of a chunk");
      }
      line(in);
      return chunk;
    }
    byte[] buf = new byte[(int) (remaining < 0 ? 16 << 10 : Math.min(remaining, 64 << 10))];
    int n = in.read(buf);
    if (n < 0) {
      ended = true;
      if (remaining > 0) {
        throw new EOFException("the daemon closed the connection before the answer was complete");
      }
      return null;
    }
    if (remaining > 0) {
      remaining -= n;
      ended = remaining == 0;
    }
    return n == buf.length ? buf : java.util.Arrays.copyOf(buf, n);
  }

  /** The whole (rest of the) body. */
  byte[] readAll() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] b = next(); b != null; b = next()) {
      out.writeBytes(b);
    }
    return out.toByteArray();
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream(64);
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("the daemon closed the connection before the answer was complete");
      }
      if (b.size() > MAX_HEAD) {
        throw new IOException("a line of the answer is longer than " + MAX_HEAD + " bytes");
      }
      b.write(c);
    }
    String s = b.toString(StandardCharsets.ISO_8859_1);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  /** Closes the connection; a read blocked on another thread ends with an exception. */
  @Override
  public void close() {
    try {
      connection.close();
    } catch (IOException e) {
      // closing: nothing to do
    }
  }
}
