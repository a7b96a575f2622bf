package io.jswarm.transport.http;

import io.jswarm.api.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What a handler answers: a status, headers and either a complete body or a stream. For a stream the server
 * sends the status and headers, then calls {@code streamer} with the open {@link StreamSink} (on a server
 * thread, which it must not block: hand the sink to your own thread or event loop).
 */
public final class HttpResponse {
  public final int status;
  public final Map<String, String> headers = new LinkedHashMap<>();
  public final byte[] body;
  public final Consumer<StreamSink> streamer;
  /** For a hijacked connection ({@link #hijack}): takes it over after the 101 answer; else null. */
  public final Consumer<HijackedStream> hijacker;

  private HttpResponse(int status, String contentType, byte[] body, Consumer<StreamSink> streamer) {
    this(status, contentType, body, streamer, null);
  }

  private HttpResponse(int status, String contentType, byte[] body, Consumer<StreamSink> streamer,
      Consumer<HijackedStream> hijacker) {
    this.status = status;
    this.body = body;
    this.streamer = streamer;
    this.hijacker = hijacker;
    if (contentType != null) {
      headers.put("Content-Type", contentType);
    }
  }

  /**
   * {@code value} serialized with the Docker JSON conventions of {@link Json}, without its internal fields (a
   * service's registry credentials: {@link Json#toApiBytes}).
   */
  public static HttpResponse json(int status, Object value) {
    return new HttpResponse(status, "application/json", Json.toApiBytes(value), null);
  }

  public static HttpResponse ok(Object value) {
    return json(200, value);
  }

  public static HttpResponse text(int status, String text) {
    return new HttpResponse(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), null);
  }

  public static HttpResponse bytes(int status, String contentType, byte[] body) {
    return new HttpResponse(status, contentType, body, null);
  }

  /** No body: 204 No Content, or 200 with an empty body where dockerd answers that way. */
  public static HttpResponse empty(int status) {
    return new HttpResponse(status, null, new byte[0], null);
  }

  /** {@code {"message": message}}, the Docker error shape. */
  public static HttpResponse error(int status, String message) {
    return json(status, Map.of("message", message));
  }

  public static HttpResponse stream(int status, String contentType, Consumer<StreamSink> streamer) {
    return new HttpResponse(status, contentType, null, streamer);
  }

  /**
   * Docker's hijacked stream: the server answers {@code 101 UPGRADED} ({@code Connection: Upgrade},
   * {@code Upgrade: tcp}), stops speaking HTTP on the connection and hands it to {@code hijacker} (on a handler
   * thread, which it may keep). The connection carries nothing else afterwards.
   */
  public static HttpResponse hijack(String contentType, Consumer<HijackedStream> hijacker) {
    return new HttpResponse(101, contentType, null, null, hijacker);
  }

  public boolean isHijack() {
    return hijacker != null;
  }

  public HttpResponse header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  public boolean isStream() {
    return streamer != null;
  }
}
