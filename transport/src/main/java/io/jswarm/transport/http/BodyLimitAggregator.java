package io.jswarm.transport.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Collects a request and its body into one message; a body above the limit is answered with a Docker-style 413
 * and the connection is closed (the rest of the body is never read).
 */
final class BodyLimitAggregator extends HttpObjectAggregator {
  private final int limit;
  private final HttpServer.Settings settings;

  BodyLimitAggregator(int limit, HttpServer.Settings settings) {
    super(limit);
    this.limit = limit;
    this.settings = settings;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    HttpResponse r = HttpResponse.error(413, "request body too large: the limit is " + limit + " bytes");
    ctx.writeAndFlush(Responses.full(HttpVersion.HTTP_1_1, r, false, false, settings))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
