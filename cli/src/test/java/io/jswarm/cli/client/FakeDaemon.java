package io.jswarm.cli.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny stand-in for the daemon's API on 127.0.0.1 (JDK HTTP server): canned JSON answers per method and path (the
 * path without the {@code /v1.41} prefix, query included, decoded), and a record of every request. In the path (not the
 * uri), the client's clock in a task list's query ({@code now=<ms>}, {@code GET /tasks?view=rows}) reads {@code now=NOW}.
 */
final class FakeDaemon implements AutoCloseable {
  /** One request as the fake saw it; {@code uri} is the full request URI, {@code path} without the version prefix. */
  record Request(String method, String uri, String path, String body) {}

  private record Answer(int status, String body) {}

  private final HttpServer server;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  final List<Request> requests = new CopyOnWriteArrayList<>();

  FakeDaemon() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String address() {
    return "tcp://127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * Answers {@code method path} (path with its decoded query, no version prefix) with {@code status} and JSON. The rows
   * of a task list ({@code GET /tasks?view=rows...}) also answer the same query's {@code view=table} with the table the
   * daemon lays out of them ({@code TaskRows.table}; ControlApiTest checks the daemon's table is that).
   */
  FakeDaemon on(String method, String path, int status, String json) {
    String body = json.replace('\'', '"');
    answers.put(method + " " + path, new Answer(status, body));
    if (method.equals("GET") && path.startsWith("/tasks?view=rows&")) {
      String table = status != 200 ? body : io.jswarm.api.listing.TaskRows.table(java.util.Arrays.asList(
          io.jswarm.api.json.Json.fromBytes(body.getBytes(StandardCharsets.UTF_8),
              io.jswarm.api.listing.TaskRow[].class)));
      answers.put(method + " /tasks?view=table&" + path.substring("/tasks?view=rows&".length()),
          new Answer(status, table));
    }
    return this;
  }

  FakeDaemon on(String method, String path, String json) {
    return on(method, path, 200, json);
  }

  /** The recorded requests for {@code method path}. */
  List<Request> requests(String method, String path) {
    return requests.stream().filter(r -> r.method.equals(method) && r.path.equals(path)).toList();
  }

  private void handle(HttpExchange ex) throws IOException {
    String uri = ex.getRequestURI().toString();
    String decoded = URLDecoder.decode(uri, StandardCharsets.UTF_8).replaceFirst("([?&]now=)[0-9]+", "$1NOW");
    String path = decoded.startsWith(ApiClient.API_PREFIX) ? decoded.substring(ApiClient.API_PREFIX.length()) : "NO-PREFIX " + decoded;
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    requests.add(new Request(ex.getRequestMethod(), uri, path, body));
    Answer a = answers.getOrDefault(ex.getRequestMethod() + " " + path,
        new Answer(404, "{\"message\":\"page not found: " + ex.getRequestMethod() + " " + path + "\"}"));
    byte[] bytes = a.body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(a.status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
