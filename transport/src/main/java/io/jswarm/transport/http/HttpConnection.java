package io.jswarm.transport.http;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.transport.pki.PeerIdentity;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: queues aggregated requests and serves them in order, one at a time, each on the handler
 * pool. The state below is only touched on the connection's event loop, except {@link #stream}.
 */
final class HttpConnection extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(HttpConnection.class);
  /**
   * One debug line per GET answered in full: where its time went (the handler pool's queue, the handler, the write),
   * on the handler's thread (docs/scale.md, twelfth round). Its own logger, so that it is turned on alone.
   */
  private static final Logger TIMING = LoggerFactory.getLogger("io.jswarm.transport.http.Timing");
  private static final Pattern VERSION = Pattern.compile("^/v(\\d+)\\.(\\d+)(?=/)");
  /**
   * Pipelined requests that may wait behind the one being served; with one waiting the connection is not read
   * any further until it is served, so a client cannot make the server hold more than this many bodies.
   */
  static final int MAX_QUEUED = 1;
  /** How long a connection being closed still reads (and drops) what its client sends. */
  private static final int LINGER_SECONDS = 2;

  private final Router router;
  private final ExecutorService handlers;
  private final HttpServer.Settings settings;
  private final boolean tls;
  private final PeerAccess access;
  private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
  private boolean busy;
  private PeerIdentity peer;
  private boolean peerRead;
  private volatile ChannelOutput stream;
  /** The last answer is written and the output shut: what still comes in is read and dropped until close. */
  private boolean closing;

  HttpConnection(Router router, ExecutorService handlers, HttpServer.Settings settings, boolean tls,
      PeerAccess access) {
    this.router = router;
    this.handlers = handlers;
    this.settings = settings;
    this.tls = tls;
    this.access = access;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing || !(msg instanceof FullHttpRequest r)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    queued.add(r);
    next(ctx);
    if (queued.size() >= MAX_QUEUED) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  /** Closes a connection idle (nothing read or written) for the idle timeout unless a response is owed on it. */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent e && e.state() == IdleState.ALL_IDLE && !busy && queued.isEmpty()) {
      LOG.debug("closing {}: idle for {}", ctx.channel().remoteAddress(), settings.idleTimeout());
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    ChannelOutput s = stream;
    if (s != null) {
      s.writabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    queued.forEach(ReferenceCountUtil::release);
    queued.clear();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  /** Starts the next queued request unless one is in progress. Event loop only. */
  private void next(ChannelHandlerContext ctx) {
    if (busy || queued.isEmpty() || !ctx.channel().isActive()) {
      return;
    }
    FullHttpRequest r = queued.poll();
    if (!ctx.channel().config().isAutoRead() && queued.isEmpty()) {
      ctx.channel().config().setAutoRead(true);
    }
    busy = true;
    HttpVersion version = r.protocolVersion();
    boolean keepAlive = HttpUtil.isKeepAlive(r);
    boolean head = r.method().name().equals("HEAD");
    if (r.decoderResult().isFailure()) {
      r.release();
      finish(ctx, version, HttpResponse.error(400, "malformed HTTP request: " + r.decoderResult().cause()),
          false, false);
      return;
    }
    PeerIdentity who = peer(ctx);
    if (access != null) { // again at the moment the request is served: the node may have been removed meanwhile
      PeerAccess.Decision d = access.check(Router.stripVersion(new QueryStringDecoder(r.uri()).rawPath()), who);
      if (d.refused()) {
        r.release();
        finish(ctx, version, HttpResponse.error(d.refusalStatus(), d.refusal()), head, false);
        return;
      }
      who = d.peer();
    }
    Incoming in;
    try {
      in = new Incoming(r.method().name(), r.uri(), headers(r), ByteBufUtil.getBytes(r.content()), who,
          ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a : null);
    } finally {
      r.release();
    }
    try {
      long arrived = System.nanoTime();
      handlers.execute(() -> serve(ctx, in, version, keepAlive, head, arrived));
    } catch (RejectedExecutionException e) {
      finish(ctx, version, HttpResponse.error(503, "the API server is overloaded; retry later"), head, keepAlive);
    }
  }

  /** The request as read off the wire, before routing. */
  private record Incoming(String method, String uri, Map<String, String> headers, byte[] body, PeerIdentity peer,
      InetSocketAddress remote) {}

  /** Runs on the handler pool. */
  private void serve(ChannelHandlerContext ctx, Incoming in, HttpVersion version, boolean keepAlive, boolean head,
      long arrived) {
    HttpResponse res;
    long start = System.nanoTime();
    String[] route = {null};
    try {
      res = dispatch(in, route);
      if (res == null) {
        throw new IllegalStateException("the handler of " + in.method() + " " + in.uri() + " returned no response");
      }
    } catch (Throwable t) {
      res = Responses.error(t);
    }
    try {
      router.observer().served(in.method(), route[0], res.status, System.nanoTime() - start);
    } catch (RuntimeException e) {
      // an observer's failure never costs the client its answer
    }
    if (res.isHijack()) {
      hijack(ctx, res);
    } else if (res.isStream()) {
      stream(ctx, res, version, keepAlive, head);
    } else if (TIMING.isDebugEnabled() && in.method().equals("GET")) {
      long handled = System.nanoTime();
      int bytes = res.body == null ? 0 : res.body.length;
      String what = in.method() + " " + in.uri() + " " + res.status;
      ctx.writeAndFlush(Responses.full(version, res, head, keepAlive, settings)).addListener((ChannelFutureListener) f -> {
        long written = System.nanoTime();
        TIMING.debug("{}: {} bytes, queued {} ms, handled {} ms, written {} ms", what, bytes,
            ms(start - arrived), ms(handled - start), ms(written - handled));
        done(ctx, f, keepAlive);
      });
    } else {
      finish(ctx, version, res, head, keepAlive);
    }
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
  }

  private HttpResponse dispatch(Incoming in, String[] route) throws Exception {
    QueryStringDecoder q = new QueryStringDecoder(in.uri());
    String rawPath = q.rawPath();
    Matcher v = VERSION.matcher(rawPath);
    if (v.find()) {
      checkVersion(versionPart(v.group(1)), versionPart(v.group(2)), v.group(1) + "." + v.group(2));
    }
    String path = Router.stripVersion(rawPath);
    Router.Match m = router.match(in.method(), path);
    route[0] = m.pattern();
    RequestRules.check(in.method(), in.headers(), in.body(), m.rawBody());
    Map<String, String> params = new HashMap<>();
    m.params().forEach((k, val) -> params.put(k, decode(val)));
    Map<String, List<String>> query;
    try {
      query = q.parameters();
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException("malformed query string (a % must start an escape such as %2F): "
          + e.getMessage().replaceAll("(?s) of '.*", ""));
    }
    HttpRequest req = new HttpRequest(in.method(), decode(path), query, in.headers(), in.body(),
        Collections.unmodifiableMap(params), in.peer(), in.remote());
    return m.handler().handle(req);
  }

  /** dockerd's answer to a {@code /vX.Y} prefix it does not serve. */
  private static void checkVersion(int major, int minor, String given) {
    int[] max = parse(HttpServer.API_VERSION);
    int[] min = parse(HttpServer.MIN_API_VERSION);
    if (major > max[0] || (major == max[0] && minor > max[1])) {
      throw new InvalidArgumentException("client version " + given + " is too new. Maximum supported API version is "
          + HttpServer.API_VERSION);
    }
    if (major < min[0] || (major == min[0] && minor < min[1])) {
      throw new InvalidArgumentException("client version " + given + " is too old. Minimum supported API version is "
          + HttpServer.MIN_API_VERSION + ", please upgrade your client to a newer version");
    }
  }

  /** A number of a {@code /vX.Y} prefix; one too long for an int is above every version (never an overflow). */
  private static int versionPart(String digits) {
    String d = digits.replaceFirst("^0+(?=\\d)", "");
    return d.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(d);
  }

  private static int[] parse(String version) {
    String[] p = version.split("\\.");
    return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
  }

  private static String decode(String s) {
    try {
      return s.indexOf('%') < 0 ? s : URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException("malformed escape in URL path: " + s);
    }
  }

  private static Map<String, String> headers(FullHttpRequest r) {
    Map<String, String> h = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : r.headers()) {
      h.merge(e.getKey().toLowerCase(Locale.ROOT), e.getValue(), (a, b) -> a + ", " + b);
    }
    return Collections.unmodifiableMap(h);
  }

  /** The verified client certificate's identity, read once per connection. Event loop only. */
  private PeerIdentity peer(ChannelHandlerContext ctx) {
    if (!tls || peerRead) {
      return peer;
    }
    peerRead = true;
    peer = RequestGate.peerOf(ctx.pipeline().get(SslHandler.class));
    return peer;
  }

  /** CN = node id, OU = role; null when the subject has no CN. */
  static PeerIdentity identity(X509Certificate cert) {
    String cn = null;
    String ou = null;
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          cn = String.valueOf(rdn.getValue());
        } else if (rdn.getType().equalsIgnoreCase("OU")) {
          ou = String.valueOf(rdn.getValue());
        }
      }
    } catch (InvalidNameException e) {
      return null;
    }
    return cn == null ? null : new PeerIdentity(cn, ou, cert);
  }

  /** Writes a complete response; then serves the next request or closes. Any thread. */
  private void finish(ChannelHandlerContext ctx, HttpVersion version, HttpResponse res, boolean head,
      boolean keepAlive) {
    ctx.writeAndFlush(Responses.full(version, res, head, keepAlive, settings))
        .addListener((ChannelFutureListener) f -> done(ctx, f, keepAlive));
  }

  private void stream(ChannelHandlerContext ctx, HttpResponse res, HttpVersion version, boolean keepAlive,
      boolean head) {
    if (head) {
      ctx.writeAndFlush(Responses.streamHead(version, res, keepAlive, settings));
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
          .addListener((ChannelFutureListener) f -> done(ctx, f, keepAlive));
      return;
    }
    ChannelOutput sink = ChannelOutput.chunked(ctx.channel(), f -> {
      stream = null;
      done(ctx, f, keepAlive);
    }, handlers);
    stream = sink;
    ctx.writeAndFlush(Responses.streamHead(version, res, keepAlive, settings));
    try {
      res.streamer.accept(sink);
    } catch (RuntimeException e) {
      LOG.warn("streaming handler failed", e);
      sink.close();
    }
  }

  /**
   * Takes the connection out of HTTP (Docker's hijack): on the event loop this handler gives way to a
   * {@link RawStream}, the HTTP handlers and timeouts leave the pipeline (bytes the decoder still held go to the
   * stream), the client may half-close, and the 101 answer is written as raw bytes; then the hijacker runs on a
   * thread of its own.
   */
  private void hijack(ChannelHandlerContext ctx, HttpResponse res) {
    RawStream raw = new RawStream(ctx.channel(), handlers);
    StringBuilder head = new StringBuilder("HTTP/1.1 101 UPGRADED\r\n");
    res.headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("Connection: Upgrade\r\nUpgrade: tcp\r\nApi-Version: ").append(HttpServer.API_VERSION)
        .append("\r\nServer: jswarm/").append(settings.serverVersion()).append("\r\n\r\n");
    java.util.concurrent.CompletableFuture<Void> switched = new java.util.concurrent.CompletableFuture<>();
    ctx.channel().eventLoop().execute(() -> {
      try {
        io.netty.channel.ChannelPipeline p = ctx.pipeline();
        p.replace(this, "raw", raw);
        for (String h : List.of("aggregate", "gate", "timeouts", "input", "codec")) {
          if (p.get(h) != null) {
            p.remove(h);
          }
        }
        ctx.channel().config().setOption(io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE, true);
        ctx.channel().config().setAutoRead(true);
        ctx.channel().writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1));
        switched.complete(null);
      } catch (RuntimeException e) {
        switched.completeExceptionally(e);
      }
    });
    try {
      switched.join();
    } catch (RuntimeException e) {
      LOG.warn("taking over connection {} failed: {}", ctx.channel().remoteAddress(), e.toString());
      ctx.close();
      return;
    }
    // Its own thread, not the handler pool's: a session lasts as long as the process it streams (the pool is bounded)
    // and a handler thread may be interrupted when its client half-closes, which a hijacked client does at once.
    Thread t = new Thread(() -> {
      try {
        res.hijacker.accept(raw);
      } catch (RuntimeException e) {
        LOG.warn("hijacking handler failed", e);
        raw.close();
      }
    }, "hijacked-" + ctx.channel().remoteAddress());
    t.setDaemon(true);
    t.start();
  }

  /**
   * Closes after the last answer without losing it: closing a socket with unread input (the rest of an oversized
   * request line or body the server refused) makes the kernel send a reset that can destroy the answer before
   * the client reads it. So the output is shut first (the client sees the end of the answer), input is read and
   * dropped, and the connection is closed when the client closes or after {@link #LINGER_SECONDS}.
   */
  private void lingeringClose(ChannelHandlerContext ctx) {
    closing = true;
    queued.forEach(ReferenceCountUtil::release);
    queued.clear();
    if (!(ctx.channel() instanceof DuplexChannel d)) {
      ctx.close();
      return;
    }
    ctx.channel().config().setAutoRead(true);
    d.shutdownOutput().addListener(x -> ctx.executor().schedule(() -> {
      ctx.close();
    }, LINGER_SECONDS, TimeUnit.SECONDS));
  }

  /** A response is fully written: serve the next queued request, or close. Runs on the event loop. */
  private void done(ChannelHandlerContext ctx, ChannelFuture f, boolean keepAlive) {
    if (!f.isSuccess()) {
      ctx.close();
      return;
    }
    if (!keepAlive) {
      lingeringClose(ctx);
      return;
    }
    busy = false;
    next(ctx);
  }
}
