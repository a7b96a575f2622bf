package io.jswarm.manager.ca;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.jswarm.api.errors.JswarmException;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.PeerIdentity;
import io.jswarm.transport.pki.TlsContexts;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Test-only stand-in for the cluster port: serves a {@link Router} over HTTPS with the JDK's HttpsServer, asking
 * for (not requiring) client certificates and putting the verified peer's identity into {@link HttpRequest#peer}.
 * Complete responses only (no streams).
 */
final class HttpsRouterServer implements AutoCloseable {
  private final HttpsServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  /** Requests that reached a handler (a refused TLS handshake never does). */
  final AtomicInteger served = new AtomicInteger();

  HttpsRouterServer(Router router, NodeCredentials creds) throws IOException {
    SSLContext ctx = TlsContexts.server(creds);
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ctx) {
      @Override
      public void configure(HttpsParameters p) {
        SSLParameters sp = ctx.getDefaultSSLParameters();
        sp.setWantClientAuth(true);
        p.setSSLParameters(sp);
      }
    });
    server.createContext("/", ex -> serve(router, ex));
    server.setExecutor(executor);
    server.start();
  }

  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private void serve(Router router, HttpExchange ex) throws IOException {
    try (ex) {
      HttpResponse resp;
      try {
        PeerIdentity peer = TlsContexts.peerIdentity(((HttpsExchange) ex).getSSLSession());
        Map<String, String> headers = new LinkedHashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
        String path = Router.stripVersion(ex.getRequestURI().getPath());
        HttpRequest req = new HttpRequest(ex.getRequestMethod(), path, query(ex.getRequestURI().getRawQuery()),
            headers, ex.getRequestBody().readAllBytes(), Map.of(), peer);
        Router.Match m = router.match(req.method(), path);
        served.incrementAndGet();
        resp = m.handler().handle(req.withPathParams(m.params()));
      } catch (JswarmException e) {
        resp = HttpResponse.error(e.httpStatus(), e.getMessage());
      } catch (Exception e) {
        resp = HttpResponse.error(500, String.valueOf(e.getMessage()));
      }
      resp.headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      ex.sendResponseHeaders(resp.status, resp.body.length == 0 ? -1 : resp.body.length);
      if (resp.body.length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(resp.body);
        }
      }
    }
  }

  private static Map<String, List<String>> query(String raw) {
    Map<String, List<String>> q = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
      q.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
    }
    return q;
  }

  @Override
  public void close() throws InterruptedException {
    server.stop(0);
    executor.shutdownNow();
    executor.awaitTermination(5, TimeUnit.SECONDS);
  }
}
