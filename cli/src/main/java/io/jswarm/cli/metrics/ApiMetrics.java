package io.jswarm.cli.metrics;

import io.jswarm.transport.http.Router;
import io.jswarm.transport.metrics.Metrics;

/**
 * Counts the API's requests by method, route pattern ({@code /services/{id}}, so ids never become labels) and
 * status, and times them by route. A request no route matched is {@code route="unmatched"}.
 */
public final class ApiMetrics implements Router.Observer {
  private final Metrics metrics;

  public ApiMetrics(Metrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void served(String method, String pattern, int status, long nanos) {
    String route = pattern == null ? "unmatched" : pattern;
    String m = pattern == null ? "other" : method; // an unmatched request's method is anything a client sent
    metrics.counter("jswarm_api_requests_total", "API requests by method, route and status.",
        "method", m, "route", route, "status", Integer.toString(status)).inc();
    metrics.histogram("jswarm_api_request_seconds", "Time to answer an API request (to its first byte for streams).",
        Metrics.SECONDS, "method", m, "route", route).observeNanos(nanos);
  }
}
