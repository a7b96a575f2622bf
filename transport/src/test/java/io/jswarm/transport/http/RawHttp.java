package io.jswarm.transport.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A minimal HTTP/1.1 client over any byte stream, so tests can see exactly what goes over the wire. */
final class RawHttp {
  private final InputStream in;
  private final OutputStream out;

  RawHttp(InputStream in, OutputStream out) {
    this.in = in;
    this.out = out;
  }

  record Head(int status, Map<String, String> headers) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  record Response(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  void send(String request) throws IOException {
    out.write(request.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  void get(String path) throws IOException {
    send("GET " + path + " HTTP/1.1\r\nHost: docker\r\n\r\n");
  }

  Head head() throws IOException {
    String status = line();
    if (status == null) {
      throw new IOException("connection closed before a response");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (String l = line(); l != null && !l.isEmpty(); l = line()) {
      int c = l.indexOf(':');
      headers.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
    }
    return new Head(Integer.parseInt(status.split(" ")[1]), headers);
  }

  /** A whole response with a Content-Length body (a HEAD answer when {@code head}). */
  Response response(boolean head) throws IOException {
    Head h = head();
    int len = head || h.header("content-length") == null ? 0 : Integer.parseInt(h.header("content-length"));
    return new Response(h.status(), h.headers(), new String(in.readNBytes(len), StandardCharsets.UTF_8));
  }

  Response response() throws IOException {
    return response(false);
  }

  /** The next chunk of a chunked body, "" for the last one. */
  String chunk() throws IOException {
    int size = Integer.parseInt(line().trim(), 16);
    String data = new String(in.readNBytes(size), StandardCharsets.UTF_8);
    line();
    return data;
  }

  /** -1 when the server closed the connection. */
  int read() throws IOException {
    return in.read();
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    return c == -1 && b.size() == 0 ? null : b.toString(StandardCharsets.UTF_8);
  }
}
