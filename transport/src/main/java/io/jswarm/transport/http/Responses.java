package io.jswarm.transport.http;

import io.jswarm.api.errors.JswarmException;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns handler answers and failures into Netty responses carrying the headers every dockerd answer has. */
final class Responses {
  private static final Logger LOG = LoggerFactory.getLogger(Responses.class);

  private Responses() {}

  /** The answer for a failed request: a typed error's status, otherwise 500; always {@code {"message": ...}}. */
  static HttpResponse error(Throwable t) {
    if (t instanceof JswarmException e) {
      LOG.debug("request refused ({}): {}", e.httpStatus(), e.getMessage()); // the client's doing: no stack trace
      return HttpResponse.error(e.httpStatus(), e.getMessage());
    }
    LOG.warn("request failed with an unexpected error", t);
    String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return HttpResponse.error(500, msg);
  }

  /** A complete response; for HEAD the body is left out but Content-Length still counts it. */
  static FullHttpResponse full(HttpVersion version, HttpResponse r, boolean head, boolean keepAlive,
      HttpServer.Settings settings) {
    byte[] body = r.body == null ? new byte[0] : r.body;
    FullHttpResponse res = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(r.status),
        head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    headers(res.headers(), r.headers, settings);
    HttpUtil.setContentLength(res, body.length);
    HttpUtil.setKeepAlive(res.headers(), version, keepAlive);
    return res;
  }

  /** The head of a chunked (streamed) response. */
  static DefaultHttpResponse streamHead(HttpVersion version, HttpResponse r, boolean keepAlive,
      HttpServer.Settings settings) {
    DefaultHttpResponse res = new DefaultHttpResponse(version, HttpResponseStatus.valueOf(r.status));
    headers(res.headers(), r.headers, settings);
    HttpUtil.setTransferEncodingChunked(res, true);
    HttpUtil.setKeepAlive(res.headers(), version, keepAlive);
    return res;
  }

  private static void headers(HttpHeaders h, Map<String, String> own, HttpServer.Settings settings) {
    h.set("Api-Version", HttpServer.API_VERSION);
    h.set("Docker-Experimental", "false");
    h.set("Ostype", "linux");
    h.set("Server", "jswarm/" + settings.serverVersion());
    own.forEach(h::set);
  }
}
