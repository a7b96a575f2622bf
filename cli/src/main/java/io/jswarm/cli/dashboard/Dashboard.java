package io.jswarm.cli.dashboard;

import io.jswarm.api.errors.JswarmException;
import io.jswarm.api.json.Json;
import io.jswarm.cli.metrics.MetricsListener;
import io.jswarm.consensus.store.MemoryStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The web dashboard, served read-only on the {@code --metrics-addr} listener of any manager: {@code /} (one HTML
 * page with its CSS and JS, shipped in the jar, no build chain) and {@code /api/state} ({@link ClusterState}),
 * which the page polls every second, so the view follows the cluster without a reload. A worker answers 503 on
 * {@code /api/state} (it has no store); the page says so. Nothing here changes the cluster (see
 * docs/dashboard.md for why it has no actions and so no login).
 */
public final class Dashboard {
  private static final Map<String, String> FILES = Map.of("/", "index.html", "/dashboard.css", "dashboard.css",
      "/dashboard.js", "dashboard.js");
  private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
      "css", "text/css; charset=utf-8", "js", "text/javascript; charset=utf-8");

  private Dashboard() {}

  /** Serves the page and its state endpoint on {@code listener}, reading the store {@code store} gives now. */
  public static void serve(MetricsListener listener, Supplier<MemoryStore> store) {
    listener.page("/", ex -> {
      String path = ex.getRequestURI().getPath();
      String file = FILES.get(path);
      if (file == null) {
        return MetricsListener.text(404, "not found: " + path + "\n");
      }
      return new MetricsListener.Response(200, TYPES.get(file.substring(file.lastIndexOf('.') + 1)), resource(file));
    });
    listener.page("/api/state", ex -> {
      try {
        return new MetricsListener.Response(200, "application/json", Json.toBytes(ClusterState.of(store.get())));
      } catch (JswarmException e) {
        return new MetricsListener.Response(503, "application/json",
            Json.toBytes(Map.of("message", String.valueOf(e.getMessage()))));
      }
    });
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = Dashboard.class.getResourceAsStream(name)) {
      if (in == null) {
        return ("missing resource " + name).getBytes(StandardCharsets.UTF_8);
      }
      return in.readAllBytes();
    }
  }
}
