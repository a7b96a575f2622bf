package io.jswarm.transport.http;

import io.jswarm.api.limits.ListenerLimits;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 server behind the API socket and the cluster port (Netty). One server serves a {@link Router} on
 * any number of listeners: unix sockets, plain TCP and TLS TCP.
 *
 * <p>Per request: the {@code /v1.NN} prefix is checked and removed (versions above {@value #API_VERSION} are a
 * 400, as dockerd answers), the route is matched on the raw path and its parameters URL-decoded, the handler
 * runs on a bounded pool (never on the event loop), and a thrown {@link io.jswarm.api.errors.JswarmException}
 * becomes {@code {"message": ...}} with its status (other exceptions: 500). Requests on one connection are
 * answered in order, one at a time (keep-alive and pipelining work; at most one request waits behind the one
 * being served, then the server stops reading the connection). Bodies above {@link Settings#maxBodyBytes} (or
 * the lower limit {@link PeerAccess} sets for anonymous paths) are refused with 413 before they are read. A
 * request that stops arriving for {@link Settings#readTimeout}, or a connection idle for
 * {@link Settings#idleTimeout}, is closed; one client holds at most {@link Settings#maxConnectionsPerPeer}
 * connections per listener. Every response carries {@code Api-Version}, {@code Docker-Experimental},
 * {@code Ostype} and {@code Server}.
 */
public final class HttpServer implements AutoCloseable {
  /** The Docker Engine API version served. */
  public static final String API_VERSION = "1.41";
  /** The oldest API version dockerd accepts; older prefixes are refused the way it refuses them. */
  public static final String MIN_API_VERSION = "1.12";

  private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
  /**
   * How long an idle handler thread stays. The pool starts a thread per request until it has its full count, so a
   * burst leaves up to that many threads (~100 KB of touched stack each) behind; they go after this long idle
   * (docs/footprint.md).
   */
  static final Duration HANDLER_KEEP_ALIVE = Duration.ofSeconds(10);

  /** Where to listen. */
  public sealed interface Listener permits Unix, Tcp, Tls {}

  /**
   * A unix socket at {@code path}: a stale socket file is removed first, a live one (a daemon answers on it) is
   * refused; the file is made 0660 and deleted when the server closes.
   */
  public record Unix(Path path) implements Listener {
    public Unix {
      Objects.requireNonNull(path, "path");
    }
  }

  /** Plain TCP on {@code host:port}; port 0 picks a free port (see {@link #boundAddresses}). */
  public record Tcp(String host, int port) implements Listener {}

  /**
   * TLS over TCP. {@code ssl} decides whether a client certificate is asked for; a verified one becomes
   * {@link HttpRequest#peer()} (as {@code access} admits it). {@code access} null: anyone the handshake lets in is
   * served every route.
   */
  public record Tls(String host, int port, SslContext ssl, PeerAccess access) implements Listener {
    public Tls {
      Objects.requireNonNull(ssl, "ssl");
    }

    public Tls(String host, int port, SslContext ssl) {
      this(host, port, ssl, null);
    }
  }

  /**
   * Server knobs. {@code maxBodyBytes}: larger request bodies get 413; {@code handlerThreads}/{@code handlerQueue}:
   * the bounded pool handlers run on (a full queue answers 503); {@code serverVersion}: the {@code Server}
   * header is {@code jswarm/<serverVersion>}; {@code readTimeout}: a request whose bytes stop arriving for this
   * long closes its connection; {@code idleTimeout}: a connection with nothing to read, answer or stream for this
   * long is closed; {@code maxConnectionsPerPeer}: connections one client (IP address, or uid on a unix socket)
   * may hold open on one listener.
   */
  public record Settings(long maxBodyBytes, int handlerThreads, int handlerQueue, String serverVersion,
      Duration readTimeout, Duration idleTimeout, int maxConnectionsPerPeer, int threadPriority, int ioThreads) {
    public static final long DEFAULT_MAX_BODY_BYTES = 64L << 20;
    public static final Duration DEFAULT_READ_TIMEOUT = ListenerLimits.DEFAULT_READ_TIMEOUT;
    public static final Duration DEFAULT_IDLE_TIMEOUT = ListenerLimits.DEFAULT_IDLE_TIMEOUT;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_PEER = ListenerLimits.DEFAULT_MAX_CONNECTIONS_PER_PEER;

    public Settings {
      if (maxBodyBytes < 0 || maxBodyBytes > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("maxBodyBytes must be 0.." + Integer.MAX_VALUE + ", got " + maxBodyBytes);
      }
      if (handlerThreads < 1 || handlerQueue < 1) {
        throw new IllegalArgumentException("handlerThreads and handlerQueue must be positive");
      }
      Objects.requireNonNull(serverVersion, "serverVersion");
      if (readTimeout.isNegative() || readTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
        throw new IllegalArgumentException("readTimeout and idleTimeout must be positive");
      }
      if (threadPriority < Thread.MIN_PRIORITY || threadPriority > Thread.MAX_PRIORITY) {
        throw new IllegalArgumentException("threadPriority must be " + Thread.MIN_PRIORITY + ".." + Thread.MAX_PRIORITY
            + ", got " + threadPriority);
      }
      if (maxConnectionsPerPeer < 1) {
        throw new IllegalArgumentException("maxConnectionsPerPeer must be positive, got " + maxConnectionsPerPeer);
      }
      if (ioThreads < 1) {
        throw new IllegalArgumentException("ioThreads must be positive, got " + ioThreads);
      }
    }

    public static Settings defaults() {
      String v = HttpServer.class.getPackage().getImplementationVersion();
      return new Settings(DEFAULT_MAX_BODY_BYTES, 64, 1024, v == null ? "dev" : v, DEFAULT_READ_TIMEOUT,
          DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS_PER_PEER, Thread.NORM_PRIORITY,
          Math.min(4, Math.max(1, Runtime.getRuntime().availableProcessors())));
    }

    public Settings withMaxBodyBytes(long bytes) {
      return new Settings(bytes, handlerThreads, handlerQueue, serverVersion, readTimeout, idleTimeout,
          maxConnectionsPerPeer, threadPriority, ioThreads);
    }

    public Settings withServerVersion(String version) {
      return new Settings(maxBodyBytes, handlerThreads, handlerQueue, version, readTimeout, idleTimeout,
          maxConnectionsPerPeer, threadPriority, ioThreads);
    }

    public Settings withHandlerThreads(int threads, int queue) {
      return new Settings(maxBodyBytes, threads, queue, serverVersion, readTimeout, idleTimeout,
          maxConnectionsPerPeer, threadPriority, ioThreads);
    }

    public Settings withTimeouts(Duration read, Duration idle) {
      return new Settings(maxBodyBytes, handlerThreads, handlerQueue, serverVersion, read, idle,
          maxConnectionsPerPeer, threadPriority, ioThreads);
    }

    /**
     * The Java priority of this server's event loop and handler threads. The JVM maps it to a nice value only with
     * {@code -XX:ThreadPriorityPolicy=1} (as root); the daemon's API server asks for {@link Thread#MAX_PRIORITY}, so
     * that with that flag a user's request is not queued behind the leader's background loops (docs/scale.md).
     */
    public Settings withThreadPriority(int priority) {
      return new Settings(maxBodyBytes, handlerThreads, handlerQueue, serverVersion, readTimeout, idleTimeout,
          maxConnectionsPerPeer, priority, ioThreads);
    }

    public Settings withMaxConnectionsPerPeer(int max) {
      return new Settings(maxBodyBytes, handlerThreads, handlerQueue, serverVersion, readTimeout, idleTimeout, max,
          threadPriority, ioThreads);
    }

    /**
     * The event loops that move this server's bytes (the handlers run on their own pool); by default one per core, at
     * most four. Each loop that ever served a connection stays, ~100 KB of an idle daemon's memory.
     */
    public Settings withIoThreads(int threads) {
      return new Settings(maxBodyBytes, handlerThreads, handlerQueue, serverVersion, readTimeout, idleTimeout,
          maxConnectionsPerPeer, threadPriority, threads);
    }
  }

  private final EventLoopGroup group;
  private final ThreadPoolExecutor handlers;
  /**
   * Runs the crypto of TLS handshakes (the engine's delegated tasks), so that the event loops keep moving the
   * requests of open connections meanwhile. With the handshakes on the event loops, 1,000 agents reconnecting
   * after a leader change held the manager's two loops for seconds, and heartbeats of connected nodes came late.
   */
  private final ThreadPoolExecutor handshakes;
  private final ChannelGroup channels = new DefaultChannelGroup("http", GlobalEventExecutor.INSTANCE);
  private final List<SocketAddress> bound = new ArrayList<>();
  private final List<Path> socketFiles = new ArrayList<>();

  private HttpServer(Settings settings) {
    io.netty.util.concurrent.DefaultThreadFactory loops = new io.netty.util.concurrent.DefaultThreadFactory(
        "http-io", true, settings.threadPriority());
    this.group = Epoll.isAvailable()
        ? new MultiThreadIoEventLoopGroup(settings.ioThreads(), loops, EpollKeepRegistered.newFactory())
        : new MultiThreadIoEventLoopGroup(settings.ioThreads(), loops, NioIoHandler.newFactory());
    AtomicInteger n = new AtomicInteger();
    this.handlers = new ThreadPoolExecutor(settings.handlerThreads(), settings.handlerThreads(),
        HANDLER_KEEP_ALIVE.toSeconds(), TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(settings.handlerQueue()), r -> {
          Thread t = new Thread(r, "http-handler-" + n.incrementAndGet());
          t.setDaemon(true);
          t.setPriority(settings.threadPriority());
          return t;
        });
    this.handlers.allowCoreThreadTimeOut(true);
    int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
    AtomicInteger h = new AtomicInteger();
    this.handshakes = new ThreadPoolExecutor(cores, cores, HANDLER_KEEP_ALIVE.toSeconds(), TimeUnit.SECONDS,
        new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "tls-handshake-" + h.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.handshakes.allowCoreThreadTimeOut(true);
  }

  /** Starts serving {@code router} on every listener with {@link Settings#defaults()}. */
  public static HttpServer start(Router router, List<Listener> listeners) throws IOException {
    return start(router, listeners, Settings.defaults());
  }

  /**
   * Starts serving {@code router} on every listener; on failure nothing is left open.
   *
   * @throws IOException when a listener cannot be bound (address in use, a live daemon on the socket, ...)
   */
  public static HttpServer start(Router router, List<Listener> listeners, Settings settings) throws IOException {
    HttpServer server = new HttpServer(settings);
    try {
      for (Listener l : listeners) {
        server.bind(router, settings, l);
      }
      return server;
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /**
   * The bound address of each listener, in the order given: {@link InetSocketAddress} for TCP (with the real
   * port when 0 was asked), Netty's {@link DomainSocketAddress} for unix sockets.
   */
  public List<SocketAddress> boundAddresses() {
    return List.copyOf(bound);
  }

  /** The port listener {@code i} (a TCP or TLS listener) is bound to. */
  public int port(int i) {
    return ((InetSocketAddress) bound.get(i)).getPort();
  }

  private void bind(Router router, Settings settings, Listener l) throws IOException {
    SslContext ssl = l instanceof Tls t ? t.ssl() : null;
    PeerAccess access = l instanceof Tls t ? t.access() : null;
    PeerConnectionCap cap = new PeerConnectionCap(settings.maxConnectionsPerPeer());
    Class<? extends ServerChannel> type;
    SocketAddress address;
    if (l instanceof Unix u) {
      if (!Epoll.isAvailable()) {
        throw new IOException("unix socket " + u.path() + ": needs the native epoll transport, which is unavailable: "
            + Epoll.unavailabilityCause());
      }
      prepareSocketFile(u.path());
      type = EpollServerDomainSocketChannel.class;
      address = new DomainSocketAddress(u.path().toFile());
    } else {
      String host = l instanceof Tcp t ? t.host() : ((Tls) l).host();
      int port = l instanceof Tcp t ? t.port() : ((Tls) l).port();
      type = Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
      address = new InetSocketAddress(host, port);
    }
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(type)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            channels.add(ch);
            ChannelPipeline p = ch.pipeline();
            p.addLast("cap", cap);
            if (ssl != null) {
              p.addLast("tls", ssl.newHandler(ch.alloc(), handshakes));
            }
            RequestGate gate = new RequestGate(settings, access, ssl != null);
            p.addLast("timeouts", new IdleStateHandler(settings.readTimeout().toMillis(), 0,
                settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
            p.addLast("input", gate.rawInput());
            p.addLast("codec", new HttpServerCodec(64 << 10, 64 << 10, 64 << 10));
            p.addLast("gate", gate);
            p.addLast("aggregate", new BodyLimitAggregator((int) settings.maxBodyBytes(), settings));
            p.addLast("serve", new HttpConnection(router, handlers, settings, ssl != null, access));
          }
        });
    if (l instanceof Tcp || l instanceof Tls) {
      b.option(ChannelOption.SO_REUSEADDR, true);
    }
    Channel server;
    try {
      server = b.bind(address).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while binding " + address, e);
    } catch (Exception e) {
      throw new IOException("cannot listen on " + describe(l) + ": " + e.getMessage(), e);
    }
    channels.add(server);
    bound.add(server.localAddress());
    if (l instanceof Unix u) {
      socketFiles.add(u.path());
      Files.setPosixFilePermissions(u.path(), PosixFilePermissions.fromString("rw-rw----"));
    }
    LOG.info("API listening on {}", describe(l));
  }

  private static String describe(Listener l) {
    if (l instanceof Unix u) {
      return "unix://" + u.path();
    }
    return l instanceof Tcp t ? "tcp://" + t.host() + ":" + t.port() : "tls://" + ((Tls) l).host() + ":" + ((Tls) l).port();
  }

  /** Removes a socket file no daemon answers on; refuses a live one or a file that is not a socket. */
  private static void prepareSocketFile(Path path) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!a.isOther()) {
      throw new IOException(path + " exists and is not a socket; remove it or choose another socket path");
    }
    boolean live;
    try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      live = c.connect(UnixDomainSocketAddress.of(path));
    } catch (IOException e) {
      live = false; // nobody accepts: left behind by a daemon that did not shut down cleanly
    }
    if (live) {
      throw new IOException("another daemon is already listening on " + path + "; stop it first");
    }
    Files.deleteIfExists(path);
  }

  /** Stops listening, closes every connection (open streams see their {@code onClose}) and the worker pools. */
  @Override
  public void close() {
    channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    handlers.shutdownNow();
    handshakes.shutdownNow();
    try {
      handlers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Path p : socketFiles) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove socket file " + p, e);
      }
    }
  }
}
