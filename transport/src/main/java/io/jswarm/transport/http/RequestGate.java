package io.jswarm.transport.http;

import io.jswarm.transport.pki.PeerIdentity;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides each request when its head arrives, before its body is read (between the HTTP decoder and the
 * aggregator):
 *
 * <ul>
 *   <li>with a {@link PeerAccess}: a client without a certificate only on the anonymous paths, a certified one
 *       only while its node is admitted; a refusal is answered (403) and the connection closed, the body
 *       never read;
 *   <li>the body limit of the path ({@link PeerAccess#maxBody}); a larger {@code Content-Length}, or a chunked
 *       body that grows past it, is a 413 and the connection is closed;
 *   <li>a request whose bytes stop arriving for the read timeout (reported by the {@code IdleStateHandler} in
 *       front as reader idleness) closes the connection; {@link #rawInput} marks when a request is under way.
 * </ul>
 */
final class RequestGate extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(RequestGate.class);

  private final HttpServer.Settings settings;
  private final PeerAccess access;
  private final boolean tls;
  /** Bytes have arrived that no complete request has consumed yet. */
  private boolean inputPending;
  /** The current request was refused: drop its content until the connection closes. */
  private boolean refused;
  private long bodyLimit;
  private long bodySeen;
  private PeerIdentity certified;
  private boolean certifiedRead;

  RequestGate(HttpServer.Settings settings, PeerAccess access, boolean tls) {
    this.settings = settings;
    this.access = access;
    this.tls = tls;
  }

  /** The handler in front of the HTTP decoder that tells the gate a request's bytes are arriving. */
  ChannelInboundHandlerAdapter rawInput() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b && b.isReadable()) {
          inputPending = true;
        }
        ctx.fireChannelRead(msg);
      }
    };
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest r && !r.decoderResult().isFailure()) {
      bodySeen = 0;
      String path = Router.stripVersion(new QueryStringDecoder(r.uri()).rawPath());
      bodyLimit = access == null ? settings.maxBodyBytes() : access.maxBody(path, settings.maxBodyBytes());
      if (access != null) {
        PeerAccess.Decision d = access.check(path, certified(ctx));
        if (d.refused()) {
          refuse(ctx, msg, d.refusalStatus(), d.refusal());
          return;
        }
      }
      if (HttpUtil.getContentLength(r, -1L) > bodyLimit) {
        refuse(ctx, msg, 413, "request body too large: the limit for " + path + " is " + bodyLimit + " bytes");
        return;
      }
    }
    if (msg instanceof HttpContent c) {
      bodySeen += c.content().readableBytes();
      if (bodySeen > bodyLimit) {
        refuse(ctx, msg, 413, "request body too large: the limit is " + bodyLimit + " bytes");
        return;
      }
      if (msg instanceof LastHttpContent) {
        inputPending = false;
      }
    }
    ctx.fireChannelRead(msg);
  }

  private void refuse(ChannelHandlerContext ctx, Object msg, int status, String message) {
    refused = true;
    ReferenceCountUtil.release(msg);
    LOG.debug("refusing a request from {}: {}", ctx.channel().remoteAddress(), message);
    ctx.channel().config().setAutoRead(false);
    ctx.writeAndFlush(Responses.full(HttpVersion.HTTP_1_1, HttpResponse.error(status, message), false, false, settings))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE && inputPending
        && ctx.channel().config().isAutoRead()) {
      LOG.debug("closing {}: a request stopped arriving for {}", ctx.channel().remoteAddress(),
          settings.readTimeout());
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  /** The verified client certificate's identity, read once per connection (null: none, or not TLS). */
  private PeerIdentity certified(ChannelHandlerContext ctx) {
    if (!tls || certifiedRead) {
      return certified;
    }
    certifiedRead = true;
    certified = peerOf(ctx.pipeline().get(SslHandler.class));
    return certified;
  }

  /**
   * The identity of the client certificate the TLS handshake verified on this connection, or null (none, or one
   * outside its validity dates now).
   */
  static PeerIdentity peerOf(SslHandler ssl) {
    if (ssl == null) {
      return null;
    }
    try {
      Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate cert) {
        // a full handshake refuses a certificate out of its dates; a resumed session (a ticket from a handshake
        // made while it was valid, TlsContexts.SESSION_LIFETIME) skips the trust manager: check them here
        try {
          cert.checkValidity();
        } catch (java.security.cert.CertificateException outOfDate) {
          LOG.info("refusing the certificate of {}: {}", cert.getSubjectX500Principal(), outOfDate.getMessage());
          return null;
        }
        return HttpConnection.identity(cert);
      }
    } catch (SSLPeerUnverifiedException e) {
      return null; // the client sent no certificate
    }
    return null;
  }
}
