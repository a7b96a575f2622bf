package io.jswarm.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * HTTP/1.1 client of the daemon's Docker-style API over a unix socket (epoll) or TCP (NIO), on one Netty event-loop
 * thread created on first use. Every path is sent with the {@value #API_PREFIX} prefix. Each request uses its own
 * connection. Error answers become {@link DaemonErrorException} with the body's {@code message}; a daemon that
 * cannot be reached becomes {@link DaemonUnreachableException} naming the address.
 *
 * <p>Not thread-safe for concurrent requests from several threads; a CLI command uses it from one thread.
 */
public final class ApiClient implements AutoCloseable {
  public static final String API_PREFIX = "/v1.41";
  private static final int CONNECT_TIMEOUT_MS = 10_000;

  private final DaemonAddress address;
  private EventLoopGroup group;

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
      try {
        return Json.mapper().readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException("the daemon sent malformed JSON: " + e.getMessage(), e);
      }
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
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    Channel ch = open(method, path, body, events);
    try {
      Head head = null;
      ByteArrayOutputStream content = new ByteArrayOutputStream();
      while (true) {
        Object e = take(events);
        if (e instanceof Head h) {
          head = h;
        } else if (e instanceof byte[] b) {
          content.writeBytes(b);
        } else if (e == END) {
          break;
        } else if (e instanceof Throwable t) {
          throw failed(t);
        }
      }
      if (head == null) {
        throw failed(new IOException("the answer had no status line"));
      }
      Response r = new Response(head.status, head.headers, content.toByteArray());
      if (r.status >= 400) {
        throw error(r);
      }
      String stale = r.headers().get(STALE_READ_HEADER);
      if (stale != null) {
        System.err.println("WARNING: " + stale);
      }
      return r;
    } finally {
      ch.close();
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
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    Channel ch = open(method, path, body, events);
    Object first = take(events);
    if (first instanceof Throwable t) {
      ch.close();
      throw failed(t);
    }
    Head head = (Head) first;
    LineStream s = new LineStream(ch, events);
    if (head.status >= 400) {
      ByteArrayOutputStream content = new ByteArrayOutputStream();
      String line;
      while ((line = s.readLine()) != null) {
        content.writeBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
      s.close();
      throw error(new Response(head.status, head.headers, content.toByteArray()));
    }
    return s;
  }

  /** A streamed answer read line by line on the caller's thread. */
  public static final class LineStream implements AutoCloseable {
    private final Channel channel;
    private final BlockingQueue<Object> events;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private byte[] pending = new byte[0];
    private int pendingAt;
    private boolean ended;

    private LineStream(Channel channel, BlockingQueue<Object> events) {
      this.channel = channel;
      this.events = events;
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
        Object e = take(events);
        if (e instanceof byte[] b) {
          pending = b;
        } else if (e == END) {
          ended = true;
        } else if (e instanceof Throwable t) {
          ended = true;
          throw new DaemonErrorException(0, "the stream from the daemon broke off: " + describe(t));
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
      while (!ended) {
        Object e = take(events);
        if (e instanceof byte[] b) {
          return b;
        } else if (e == END) {
          ended = true;
        } else if (e instanceof Throwable t) {
          ended = true;
          throw new DaemonErrorException(0, "the stream from the daemon broke off: " + describe(t));
        }
      }
      return null;
    }

    private String takeLine() {
      String s = partial.toString(StandardCharsets.UTF_8);
      partial.reset();
      return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public void close() {
      channel.close();
    }
  }

  private record Head(int status, Map<String, String> headers) {}

  private static final Object END = new Object();

  private Channel open(String method, String path, byte[] body, BlockingQueue<Object> events) {
    Bootstrap b = new Bootstrap()
        .group(group())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), new Collector(events));
          }
        });
    ChannelFuture connect;
    if (address.isUnix()) {
      b.channel(EpollDomainSocketChannel.class);
      connect = b.connect(new DomainSocketAddress(address.socket().toString()));
    } else {
      b.channel(NioSocketChannel.class);
      connect = b.connect(new InetSocketAddress(address.host(), address.port()));
    }
    connect.awaitUninterruptibly();
    if (!connect.isSuccess()) {
      throw unreachable(connect.cause());
    }
    Channel ch = connect.channel();
    ByteBuf content = body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method),
        API_PREFIX + path, content);
    req.headers().set(HttpHeaderNames.HOST, address.isUnix() ? "jswarm" : address.host() + ":" + address.port());
    req.headers().set(HttpHeaderNames.USER_AGENT, "jswarm-cli");
    req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    if (body != null) {
      req.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    }
    ch.writeAndFlush(req).addListener(f -> {
      if (!f.isSuccess()) {
        events.add(f.cause());
      }
    });
    return ch;
  }

  /** Puts the answer's parts on a queue for the calling thread: Head, byte[] chunks, END or a Throwable. */
  private static final class Collector extends SimpleChannelInboundHandler<HttpObject> {
    private final BlockingQueue<Object> events;
    private boolean done;

    Collector(BlockingQueue<Object> events) {
      this.events = events;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpResponse r) {
        Map<String, String> headers = new TreeMap<>();
        r.headers().forEach(h -> headers.put(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
        events.add(new Head(r.status().code(), headers));
      }
      if (msg instanceof HttpContent c) {
        ByteBuf buf = c.content();
        if (buf.isReadable()) {
          byte[] bytes = new byte[buf.readableBytes()];
          buf.readBytes(bytes);
          events.add(bytes);
        }
        if (msg instanceof LastHttpContent) {
          done = true;
          events.add(END);
        }
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!done) {
        done = true;
        events.add(new IOException("the daemon closed the connection before the answer was complete"));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!done) {
        done = true;
        events.add(cause);
      }
      ctx.close();
    }
  }

  private static Object take(BlockingQueue<Object> events) {
    try {
      return events.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the daemon", e);
    }
  }

  private synchronized EventLoopGroup group() {
    if (group == null) {
      DefaultThreadFactory threads = new DefaultThreadFactory("jswarm-client", true);
      if (address.isUnix()) {
        if (!Epoll.isAvailable()) {
          throw new DaemonUnreachableException("cannot use the unix socket " + address
              + ": the epoll transport is not available here (" + describe(Epoll.unavailabilityCause())
              + "); use -H tcp://host:port", Epoll.unavailabilityCause());
        }
        group = new MultiThreadIoEventLoopGroup(1, threads, EpollIoHandler.newFactory());
      } else {
        group = new MultiThreadIoEventLoopGroup(1, threads, NioIoHandler.newFactory());
      }
    }
    return group;
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
      JsonNode n = Json.mapper().readTree(r.body);
      if (n != null && n.hasNonNull("message")) {
        message = n.get("message").asText();
      }
    } catch (IOException | RuntimeException e) {
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
    Throwable root = t instanceof ExecutionException && t.getCause() != null ? t.getCause() : t;
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  @Override
  public synchronized void close() {
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      group = null;
    }
  }
}
