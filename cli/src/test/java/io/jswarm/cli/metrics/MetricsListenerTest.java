package io.jswarm.cli.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.transport.metrics.Metrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MetricsListenerTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void servesParsableTextWithCountersHistogramsGaugesAndEscapedLabels() throws Exception {
    Metrics m = new Metrics();
    m.counter("jswarm_test_total", "A test counter.", "route", "/a/{id}", "odd", "quote\" back\\ nl\n").inc(3);
    m.histogram("jswarm_test_seconds", "A test histogram.", Metrics.SECONDS, "route", "/a").observe(0.003);
    m.histogram("jswarm_test_seconds", "A test histogram.", Metrics.SECONDS, "route", "/a").observe(42);
    m.gauge("jswarm_test_gauge", "A test gauge.", () -> 2.5);
    JvmMetrics.register(m);
    try (MetricsListener l = MetricsListener.start("127.0.0.1:0", false, m)) {
      HttpResponse<String> r = get(l, "GET", "/metrics");
      assertEquals(200, r.statusCode());
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
      PrometheusTextParser.Exposition e = PrometheusTextParser.parse(r.body());
      assertEquals("counter", e.types().get("jswarm_test_total"));
      assertEquals("histogram", e.types().get("jswarm_test_seconds"));
      assertEquals(3, e.value("jswarm_test_total", "route", "/a/{id}", "odd", "quote\\\" back\\\\ nl\\n"));
      assertEquals(0, e.value("jswarm_test_seconds_bucket", "route", "/a", "le", "0.0025"));
      assertEquals(1, e.value("jswarm_test_seconds_bucket", "route", "/a", "le", "0.005"));
      assertEquals(2, e.value("jswarm_test_seconds_bucket", "route", "/a", "le", "+Inf"));
      assertEquals(2, e.value("jswarm_test_seconds_count", "route", "/a"));
      assertEquals(2.5, e.value("jswarm_test_gauge"));
      assertTrue(e.value("process_resident_memory_bytes") > 1_000_000, r.body());
      assertTrue(e.value("jvm_threads_current") > 1);
      assertEquals(405, get(l, "POST", "/metrics").statusCode());
      assertEquals(404, get(l, "GET", "/nothing").statusCode());
    }
  }

  @Test
  void aNonLoopbackAddressNeedsTheExplicitFlag() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MetricsListener.parse("0.0.0.0:9323", false));
    assertTrue(e.getMessage().contains("--metrics-allow-remote"), e.getMessage());
    assertEquals(9323, MetricsListener.parse("0.0.0.0:9323", true).getPort());
    assertThrows(IllegalArgumentException.class, () -> MetricsListener.parse("127.0.0.1", false));
    assertThrows(IllegalArgumentException.class, () -> MetricsListener.parse("127.0.0.1:70000", false));
    assertThrows(IllegalArgumentException.class, () -> MetricsListener.parse("example.com:9323", false));
  }

  @Test
  void theParserRefusesBrokenExpositions() {
    assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("a b\n"));
    assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("a 1\na 2\n"));
    assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse("a{x=\"1\"y=\"2\"} 1\n"));
    assertThrows(IllegalArgumentException.class, () -> PrometheusTextParser.parse(
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n"));
  }

  private static HttpResponse<String> get(MetricsListener l, String method, String path) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + l.port() + path))
        .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("x")
            : HttpRequest.BodyPublishers.noBody()).build();
    return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
  }
}
