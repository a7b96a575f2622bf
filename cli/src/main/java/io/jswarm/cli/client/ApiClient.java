package io.jswarm.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;

/**
 * HTTP/1.1 client of the daemon's Docker-style API over a unix socket or TCP ({@link HttpWire}: blocking JDK
 * channels, so that a client verb loads no network framework and starts fast). Every path is sent with the {@value #API_PREFIX} prefix. Each request uses its own
 * connection. Error answers become {@link DaemonErrorException} with the body's {@code message}; a daemon that
 * cannot be reached becomes {@link DaemonUnreachableException} naming the address.
 *
 * <p>Not thread-safe for concurrent requests from several threads; a CLI command uses it from one thread.
 */
public final class ApiClient implements AutoCloseable {
  public static final String API_PREFIX = "/v1.41";

  private final DaemonAddress address;

  public ApiClient(DaemonAddress address) {
    this.address = address;
  }

  public DaemonAddress address() {
    return address;
  }

  /** Sent by a manager without quorum on a read answered from its own, possibly stale, state. */
  static final String STALE_READ_HEADER = "x-jswarm-stale-read";

  /** A complete answer: status, headers (lower-case names) and body. */
  public record Response(int status, Map<String, String> headers, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public <T> T json(Class<T> type) {
      return Json.fromBytes(body, type);
    }

    public JsonNode tree() {
      return JsonTrees.parse(body);
    }
  }

  /** GET and decode. */
  public <T> T get(String path, Class<T> type) {
    return call("GET", path, null).json(type);
  }

  /** GET as a JSON tree (keeps every field the daemon sent, for inspect). */
  public JsonNode getTree(String path) {
    return call("GET", path, null).tree();
  }

  /** GET as a JSON tree with (at least) the members {@code shape} names: a listing's answer read for its columns. */
  JsonNode getTree(String path, JsonShape shape) {
    return JsonTrees.parse(call("GET", path, null).body(), shape);
  }

  /** POST a JSON body (null for none); the answer is returned whatever its body. */
  public Response post(String path, Object body) {
    return call("POST", path, body == null ? null : Json.toBytes(body));
  }

  public Response delete(String path) {
    return call("DELETE", path, null);
  }

  /**
   * Sends one request and waits for the whole answer.
   *
   * @throws DaemonErrorException on a status of 400 or more
   * @throws DaemonUnreachableException when no connection can be made
   */
  public Response call(String method, String path, byte[] body) {
    try (HttpWire w = open(method, path, body, true)) {
      Response r = new Response(w.status, w.headers, readAll(w));
      if (r.status >= 400) {
        throw error(r);
      }
      String stale = r.headers().get(STALE_READ_HEADER);
      if (stale != null) {
        System.err.println("WARNING: " + stale);
      }
      return r;
    }
  }

  private byte[] readAll(HttpWire w) {
    try {
      return w.readAll();
    } catch (IOException e) {
      throw failed(e);
    }
  }

  /**
   * Sends one request whose answer is a stream (chunked, e.g. {@code logs -f} or progress) and hands each line, without
   * its newline, to {@code lines} on the calling thread as it arrives. Returns when the daemon ends the stream.
   *
   * @throws DaemonErrorException when the daemon answers with an error status
   */
  public void stream(String method, String path, byte[] body, Consumer<String> lines) {
    try (LineStream s = openStream(method, path, body)) {
      String line;
      while ((line = s.readLine()) != null) {
        lines.accept(line);
      }
    }
  }

  /**
   * Opens a streamed answer to read line by line; close it to stop reading early.
   *
   * @throws DaemonErrorException when the daemon answers with an error status (its whole body is read first)
   */
  public LineStream openStream(String method, String path, byte[] body) {
    return openStream(method, path, body, false);
  }

  /**
   * {@link #openStream(String, String, byte[])}; {@code wholeOnOneThread}: the stream ends by itself and is read to its
   * end on the calling thread, never closed from another (logs without follow), so the CLI's native unix socket
   * serves it as it serves {@link #call} (the JDK's loads the security providers, docs/footprint.md).
   */
  public LineStream openStream(String method, String path, byte[] body, boolean wholeOnOneThread) {
    HttpWire w = open(method, path, body, wholeOnOneThread);
    if (w.status >= 400) {
      try (w) {
        throw error(new Response(w.status, w.headers, readAll(w)));
      }
    }
    return new LineStream(w);
  }

  /** A streamed answer read line by line on the caller's thread. */
  public static final class LineStream implements AutoCloseable {
    private final HttpWire wire;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private byte[] pending = new byte[0];
    private int pendingAt;
    private boolean ended;

    private LineStream(HttpWire wire) {
      this.wire = wire;
    }

    /** The next chunk, or null at the end; a broken stream is an error naming it. */
    private byte[] take() {
      try {
        byte[] b = wire.next();
        if (b == null) {
          ended = true;
        }
        return b;
      } catch (IOException e) {
        ended = true;
        throw new DaemonErrorException(0, "the stream from the daemon broke off: " + describe(e));
      }
    }

    /** The next line without its {@code \n} (and {@code \r}), or null at the end of the stream. */
    public String readLine() {
      while (true) {
        for (int i = pendingAt; i < pending.length; i++) {
          if (pending[i] == '\n') {
            partial.write(pending, pendingAt, i - pendingAt);
            pendingAt = i + 1;
            return takeLine();
          }
        }
        partial.write(pending, pendingAt, pending.length - pendingAt);
        pending = new byte[0];
        pendingAt = 0;
        if (ended) {
          return partial.size() > 0 ? takeLine() : null;
        }
        byte[] b = take();
        if (b != null) {
          pending = b;
        }
      }
    }

    /**
     * The next bytes of the stream as they arrived (after any part of a line not yet returned by {@link #readLine}),
     * or null at the end: for binary answers such as Docker's multiplexed log stream.
     */
    public byte[] readBytes() {
      if (partial.size() > 0 || pendingAt < pending.length) {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        rest.writeBytes(partial.toByteArray());
        rest.write(pending, pendingAt, pending.length - pendingAt);
        partial.reset();
        pending = new byte[0];
        pendingAt = 0;
        return rest.toByteArray();
      }
      return ended ? null : take();
    }

    private String takeLine() {
      String s = partial.toString(StandardCharsets.UTF_8);
      partial.reset();
      return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public void close() {
      wire.close();
    }
  }

  /** Connects and sends; {@code wholeOnOneThread} when the answer is read to its end here (see {@link HttpWire}). */
  private HttpWire open(String method, String path, byte[] body, boolean wholeOnOneThread) {
    try {
      return HttpWire.exchange(address, method, API_PREFIX + path, body, wholeOnOneThread);
    } catch (java.net.ConnectException | java.net.SocketTimeoutException | java.nio.file.NoSuchFileException
        | java.net.NoRouteToHostException | java.net.UnknownHostException e) {
      throw unreachable(e);
    } catch (java.net.SocketException e) {
      String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (m.contains("connect") || m.contains("no such file") || m.contains("permission denied")) {
        throw unreachable(e);
      }
      throw failed(e);
    } catch (IOException e) {
      throw failed(e);
    }
  }

  private RuntimeException failed(Throwable t) {
    return new DaemonErrorException(0, "error talking to the jswarm daemon at " + address + ": " + describe(t));
  }

  private DaemonUnreachableException unreachable(Throwable cause) {
    String detail = describe(cause);
    if (detail.toLowerCase(java.util.Locale.ROOT).contains("permission denied")) {
      return new DaemonUnreachableException("permission denied while trying to connect to the jswarm daemon socket at "
          + address, cause);
    }
    return new DaemonUnreachableException("Cannot connect to the jswarm daemon at " + address
        + ". Is the jswarm daemon running?", cause);
  }

  private static DaemonErrorException error(Response r) {
    String message = null;
    try {
      JsonNode n = JsonTrees.parse(r.body);
      if (n != null && n.hasNonNull("message")) {
        message = n.get("message").asText();
      }
    } catch (RuntimeException e) {
      // not JSON: fall back to the text
    }
    if (message == null) {
      String text = r.text().trim();
      message = text.isEmpty() ? "HTTP status " + r.status : text;
    }
    return new DaemonErrorException(r.status, message);
  }

  private static String describe(Throwable t) {
    if (t == null) {
      return "unknown error";
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  @Override
  public void close() {
    // each request closes its own connection
  }
}
