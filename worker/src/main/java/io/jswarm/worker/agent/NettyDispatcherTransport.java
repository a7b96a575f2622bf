package io.jswarm.worker.agent;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.HeartbeatRequest;
import io.jswarm.api.dispatcher.HeartbeatResponse;
import io.jswarm.api.dispatcher.SessionRequest;
import io.jswarm.api.dispatcher.StatusRequest;
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
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
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
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The dispatcher protocol over Netty on an event loop group the caller owns and shares: many agents in one process
 * (hollow nodes, {@code jswarm hollow}) then cost a connection each, not threads each. Mutual TLS with the node's
 * Netty client context ({@code TlsContexts.nettyManagerClient}: managers only); a null context speaks plain HTTP
 * (tests only).
 *
 * <p>A session is one connection whose chunked answer is read line by line; heartbeats and status reports share a
 * second, kept-alive connection, one call at a time.
 */
public final class NettyDispatcherTransport implements DispatcherTransport, AutoCloseable {
  /** Timeout for connecting, heartbeats and status reports (not for the long-lived session stream). */
  public static final Duration REQUEST_TIMEOUT = DispatcherTransport.REQUEST_TIMEOUT;
  /**
   * How long a session open may take to answer: the manager writes the node row (a Raft write) first, which takes
   * long on a loaded leader; giving up early would only open a second session behind the first.
   */
  public static final Duration SESSION_OPEN_TIMEOUT = Duration.ofSeconds(60);
  private static final Object END = new Object();

  private final EventLoopGroup group;
  private final SslContext ssl;
  private final InetSocketAddress localAddress;
  private final Handshakes handshakes;
  /** The kept-alive connection for unary calls and where it goes; guarded by {@code this}. */
  private Channel unary;
  private String unaryAddr;
  private BlockingQueue<Object> unaryEvents;

  public NettyDispatcherTransport(EventLoopGroup group, SslContext ssl) {
    this(group, ssl, null);
  }

  /**
   * @param localAddress the source address of this node's connections, or null for any: hollow nodes on one machine
   *     each take their own loopback address, since a manager bounds the connections one address may hold
   */
  public NettyDispatcherTransport(EventLoopGroup group, SslContext ssl, InetSocketAddress localAddress) {
    this(group, ssl, localAddress, null);
  }

  /**
   * @param handshakes shared by the transports of many agents (hollow nodes), or null: each handshake then runs on
   *     the event loop, unbounded
   */
  public NettyDispatcherTransport(EventLoopGroup group, SslContext ssl, InetSocketAddress localAddress,
      Handshakes handshakes) {
    this.group = Objects.requireNonNull(group, "group");
    this.ssl = ssl;
    this.localAddress = localAddress;
    this.handshakes = handshakes;
  }

  /**
   * What the TLS handshakes of many transports on one event loop group share (hollow nodes: 1,000 agents on 2 I/O
   * threads). Without it, a reconnect storm had the I/O threads doing nothing but handshake crypto: connects timed
   * out, and the heartbeats of connected nodes waited behind them until the leader marked those down too.
   *
   * @param executor runs the handshakes' crypto (the TLS engine's delegated tasks), not the event loops
   * @param permits session opens with their handshake in progress at once (connect to handshake done); an open
   *     waits for a permit, the connection of heartbeats and reports does not
   * @param total the permits there are: a warm-up ({@link #warm}) goes only while none is taken
   */
  public record Handshakes(java.util.concurrent.Executor executor, java.util.concurrent.Semaphore permits, int total) {
    public Handshakes {
      Objects.requireNonNull(executor, "executor");
      Objects.requireNonNull(permits, "permits");
    }

    /** {@code permits} as they are now, all free. */
    public Handshakes(java.util.concurrent.Executor executor, java.util.concurrent.Semaphore permits) {
      this(executor, permits, permits.availablePermits());
    }
  }

  @Override
  public Session open(String managerAddr, SessionRequest request) throws IOException {
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    Channel ch = connect(managerAddr, events, Slot.WAIT);
    send(ch, managerAddr, "/dispatcher/session", request, false);
    Object first = poll(events, SESSION_OPEN_TIMEOUT, ch, managerAddr);
    if (first instanceof Throwable t) {
      ch.close();
      throw io(managerAddr, t);
    }
    Head head = (Head) first;
    if (head.status != 200) {
      byte[] body = readAll(events, ch, managerAddr);
      ch.close();
      throw DispatcherTransport.refused(managerAddr, "/dispatcher/session", head.status, body);
    }
    return new LineSession(ch, events, managerAddr);
  }

  /**
   * With shared {@link Handshakes}, goes only while no session open is handshaking at all, and then takes a slot:
   * warming is never worth delaying an open or a heartbeat connection behind (the handshake threads are shared).
   * Warm-ups that went whenever a slot was free, during the joins of 1,000 hollow nodes, made more heartbeat
   * connections time out in their handshakes and more nodes be marked down while joining (docs/scale.md).
   */
  @Override
  public boolean warm(String managerAddr) throws IOException {
    if (ssl == null) {
      return false;
    }
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    Channel ch = connect(managerAddr, events, Slot.IF_IDLE);
    if (ch == null) {
      return false;
    }
    try {
      ByteBuf none = Unpooled.EMPTY_BUFFER;
      FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/dispatcher/leader", none);
      req.headers().set(HttpHeaderNames.HOST, managerAddr);
      ch.writeAndFlush(req);
      Object first = poll(events, REQUEST_TIMEOUT, ch, managerAddr);
      if (first instanceof Throwable t) {
        throw io(managerAddr, t);
      }
      byte[] body = readAll(events, ch, managerAddr);
      if (((Head) first).status / 100 != 2) {
        throw DispatcherTransport.refused(managerAddr, "/dispatcher/leader", ((Head) first).status, body);
      }
      return true;
    } finally {
      ch.close();
    }
  }

  @Override
  public HeartbeatResponse heartbeat(String managerAddr, HeartbeatRequest request) throws IOException {
    return Json.fromBytes(call(managerAddr, "/dispatcher/heartbeat", request), HeartbeatResponse.class);
  }

  @Override
  public void reportStatus(String managerAddr, StatusRequest request) throws IOException {
    call(managerAddr, "/dispatcher/status", request);
  }

  /** Closes the kept-alive connection; the event loop group stays the caller's. */
  @Override
  public synchronized void close() {
    if (unary != null) {
      unary.close();
      unary = null;
    }
  }

  private synchronized byte[] call(String managerAddr, String path, Object body) throws IOException {
    if (unary == null || !unary.isActive() || !managerAddr.equals(unaryAddr)) {
      if (unary != null) {
        unary.close();
      }
      unaryEvents = new LinkedBlockingQueue<>();
      unary = connect(managerAddr, unaryEvents, Slot.NONE);
      unaryAddr = managerAddr;
    }
    Channel ch = unary;
    BlockingQueue<Object> events = unaryEvents;
    events.clear();
    try {
      send(ch, managerAddr, path, body, true);
      Object first = poll(events, REQUEST_TIMEOUT, ch, managerAddr);
      if (first instanceof Throwable t) {
        throw io(managerAddr, t);
      }
      Head head = (Head) first;
      byte[] bytes = readAll(events, ch, managerAddr);
      if (head.status / 100 != 2) {
        throw DispatcherTransport.refused(managerAddr, path, head.status, bytes);
      }
      return bytes;
    } catch (IOException | RuntimeException e) {
      ch.close();
      unary = null;
      throw e;
    }
  }

  /**
   * Whether a connection takes one of the shared {@link Handshakes} permits. A session stream's connection waits (up
   * to {@link #SESSION_OPEN_TIMEOUT}) for one. The kept-alive connection of heartbeats and reports takes none: it is
   * made once per session, right after an open that had one (and resumes its TLS session), and an established
   * session must not lose its heartbeats behind a queue of other nodes' opens (seen at 1,000 nodes: heartbeats that
   * waited 10 s for a permit failed and ended their sessions, which made the queue longer). A warm-up connection
   * takes one only while none is taken.
   */
  private enum Slot { WAIT, NONE, IF_IDLE }

  /** A connection to {@code managerAddr} with its TLS handshake done; null when {@code slot} is IF_IDLE and it is not. */
  private Channel connect(String managerAddr, BlockingQueue<Object> events, Slot slot) throws IOException {
    int colon = managerAddr.lastIndexOf(':');
    if (colon <= 0) {
      throw new IOException("manager address " + managerAddr + ": expected host:port");
    }
    String host = managerAddr.substring(0, colon).replace("[", "").replace("]", "");
    int port;
    try {
      port = Integer.parseInt(managerAddr.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IOException("manager address " + managerAddr + ": the port is not a number");
    }
    java.util.concurrent.Semaphore permits = ssl == null || handshakes == null || slot == Slot.NONE ? null
        : handshakes.permits();
    try {
      // with a timeout (0), a fair semaphore honours the opens already waiting; tryAcquire() would barge past them
      if (permits != null && slot == Slot.IF_IDLE && (permits.availablePermits() < handshakes.total()
          || !permits.tryAcquire(0, TimeUnit.MILLISECONDS))) {
        return null;
      }
      if (permits != null && slot == Slot.WAIT
          && !permits.tryAcquire(SESSION_OPEN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IOException("cannot reach manager " + managerAddr + ": no TLS handshake slot within "
            + SESSION_OPEN_TIMEOUT.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to connect to manager " + managerAddr);
    }
    try {
      return connectAndHandshake(managerAddr, host, port, events);
    } finally {
      if (permits != null) {
        permits.release();
      }
    }
  }

  private Channel connectAndHandshake(String managerAddr, String host, int port, BlockingQueue<Object> events)
      throws IOException {
    java.util.concurrent.atomic.AtomicReference<SslHandler> tls = new java.util.concurrent.atomic.AtomicReference<>();
    Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) REQUEST_TIMEOUT.toMillis())
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            if (ssl != null) {
              SslHandler h = handshakes == null ? ssl.newHandler(ch.alloc(), host, port)
                  : ssl.newHandler(ch.alloc(), host, port, handshakes.executor());
              tls.set(h);
              ch.pipeline().addLast(h);
            }
            ch.pipeline().addLast(new HttpClientCodec(), new Collector(events));
          }
        });
    InetSocketAddress remote = new InetSocketAddress(host, port);
    long deadline = System.nanoTime() + REQUEST_TIMEOUT.toNanos();
    ChannelFuture f = localAddress == null ? b.connect(remote) : b.connect(remote, localAddress);
    try {
      if (!f.await(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        f.channel().close();
        throw new IOException("cannot reach manager " + managerAddr + ": connect timed out");
      }
      if (!f.isSuccess()) {
        throw io(managerAddr, f.cause());
      }
      SslHandler h = tls.get();
      if (h != null) {
        io.netty.util.concurrent.Future<Channel> hs = h.handshakeFuture();
        long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        if (!hs.await(left, TimeUnit.MILLISECONDS)) {
          f.channel().close();
          throw new IOException("cannot reach manager " + managerAddr + ": TLS handshake not done within "
              + REQUEST_TIMEOUT.toSeconds() + " s of connecting");
        }
        if (!hs.isSuccess()) {
          f.channel().close();
          throw io(managerAddr, hs.cause());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.channel().close();
      throw new InterruptedIOException("interrupted while connecting to manager " + managerAddr);
    }
    return f.channel();
  }

  private static void send(Channel ch, String managerAddr, String path, Object body, boolean keepAlive) {
    ByteBuf content = Unpooled.wrappedBuffer(Json.toBytes(body));
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, content);
    req.headers().set(HttpHeaderNames.HOST, managerAddr);
    req.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    req.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    if (keepAlive) {
      req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    ch.writeAndFlush(req);
  }

  private static Object poll(BlockingQueue<Object> events, Duration timeout, Channel ch, String managerAddr)
      throws IOException {
    try {
      Object e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (e == null) {
        ch.close();
        throw new IOException("manager " + managerAddr + " did not answer within " + timeout.toSeconds() + " s");
      }
      return e;
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      ch.close();
      throw new InterruptedIOException("interrupted while waiting for manager " + managerAddr);
    }
  }

  private static byte[] readAll(BlockingQueue<Object> events, Channel ch, String managerAddr) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      Object e = poll(events, REQUEST_TIMEOUT, ch, managerAddr);
      if (e instanceof byte[] b) {
        out.writeBytes(b);
      } else if (e == END) {
        return out.toByteArray();
      } else if (e instanceof Throwable t) {
        throw io(managerAddr, t);
      }
    }
  }

  private static IOException io(String managerAddr, Throwable t) {
    return t instanceof IOException io ? io
        : new IOException("error talking to manager " + managerAddr + ": " + t, t);
  }

  private record Head(int status) {}

  /** Puts an answer's parts on a queue: Head, byte[] chunks, END, or a Throwable when the connection fails. */
  private static final class Collector extends SimpleChannelInboundHandler<HttpObject> {
    private final BlockingQueue<Object> events;

    Collector(BlockingQueue<Object> events) {
      this.events = events;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpResponse r) {
        events.add(new Head(r.status().code()));
      }
      if (msg instanceof HttpContent c) {
        ByteBuf buf = c.content();
        if (buf.isReadable()) {
          byte[] bytes = new byte[buf.readableBytes()];
          buf.readBytes(bytes);
          events.add(bytes);
        }
        if (msg instanceof LastHttpContent) {
          events.add(END);
        }
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      events.add(new IOException("the manager closed the connection"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      events.add(cause);
      ctx.close();
    }
  }

  /** A session stream: newline-delimited JSON messages from the chunked answer. */
  private static final class LineSession implements Session {
    private final Channel channel;
    private final BlockingQueue<Object> events;
    private final String managerAddr;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private byte[] pending = new byte[0];
    private int pendingAt;
    private boolean ended;
    private volatile boolean closed;

    LineSession(Channel channel, BlockingQueue<Object> events, String managerAddr) {
      this.channel = channel;
      this.events = events;
      this.managerAddr = managerAddr;
    }

    @Override
    public DispatcherMessage next() throws IOException {
      while (true) {
        String line = readLine();
        if (line == null) {
          return null;
        }
        if (!line.isBlank()) {
          return Json.fromString(line, DispatcherMessage.class);
        }
      }
    }

    private String readLine() throws IOException {
      while (true) {
        for (int i = pendingAt; i < pending.length; i++) {
          if (pending[i] == '\n') {
            partial.write(pending, pendingAt, i - pendingAt);
            pendingAt = i + 1;
            String s = partial.toString(StandardCharsets.UTF_8);
            partial.reset();
            return s;
          }
        }
        partial.write(pending, pendingAt, pending.length - pendingAt);
        pending = new byte[0];
        pendingAt = 0;
        if (ended) {
          return null;
        }
        Object e;
        try {
          e = events.take();
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while reading the session with manager " + managerAddr);
        }
        if (closed) {
          throw new IOException("session closed");
        }
        if (e instanceof byte[] b) {
          pending = b;
        } else if (e == END) {
          ended = true;
        } else if (e instanceof Throwable t) {
          ended = true;
          throw io(managerAddr, t);
        }
      }
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      channel.close(); // channelInactive wakes a blocked reader
    }
  }
}
