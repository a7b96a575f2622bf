package io.jswarm.transport.http;

import io.jswarm.api.errors.NotFoundException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Maps method + path to a {@link Handler}. Patterns are literal segments and {@code {name}} segments
 * ({@code /services/{id}/update}); a trailing {@code {name...}} segment takes the rest of the path (for
 * registry paths such as {@code /v2/{name...}}). The first route added that matches wins. The Docker API
 * version prefix ({@code /v1.41}) is removed before routing by {@link #stripVersion}.
 */
public final class Router {
  private static final Pattern VERSION_PREFIX = Pattern.compile("^/v\\d+\\.\\d+(?=/)");

  private record Route(String method, String pattern, String[] segments, Handler handler, boolean rawBody) {}

  /** A route as added: its method and pattern ({@code POST /services/{id}/update}). */
  public record RouteInfo(String method, String pattern) {}

  /**
   * A matched route: the handler, the values of its {@code {name}} segments, and whether it takes a body of any
   * type ({@link #postRaw}) rather than JSON.
   */
  public record Match(Handler handler, Map<String, String> params, boolean rawBody, String pattern) {}

  /** Told of every request served through a router: its route pattern (null: no route matched) and answer. */
  @FunctionalInterface
  public interface Observer {
    void served(String method, String pattern, int status, long nanos);
  }

  private volatile Observer observer = (m, p, s, n) -> {};

  private final List<Route> routes;
  /** Applied to every GET handler added through this router (identity on a plain router). */
  private final java.util.function.UnaryOperator<Handler> getWrapper;

  public Router() {
    this(new ArrayList<>(), h -> h);
  }

  private Router(List<Route> routes, java.util.function.UnaryOperator<Handler> getWrapper) {
    this.routes = routes;
    this.getWrapper = getWrapper;
  }

  /** A view of this router: routes added through it land here, each GET handler wrapped by {@code wrap}. */
  public Router wrappingGets(java.util.function.UnaryOperator<Handler> wrap) {
    return new Router(routes, h -> wrap.apply(getWrapper.apply(h)));
  }

  public Router add(String method, String pattern, Handler handler) {
    return add(method, pattern, handler, false);
  }

  private Router add(String method, String pattern, Handler handler, boolean rawBody) {
    if (!pattern.startsWith("/")) {
      throw new IllegalArgumentException("route pattern must start with /: " + pattern);
    }
    routes.add(new Route(method, pattern, split(pattern), method.equals("GET") ? getWrapper.apply(handler) : handler,
        rawBody));
    return this;
  }

  /**
   * A POST route whose body is not JSON (an image tarball): any {@code Content-Type} is taken. Every other route
   * with a body needs {@code application/json} (see {@link RequestRules}).
   */
  public Router postRaw(String pattern, Handler h) {
    return add("POST", pattern, h, true);
  }

  public Router get(String pattern, Handler h) {
    return add("GET", pattern, h);
  }

  public Router post(String pattern, Handler h) {
    return add("POST", pattern, h);
  }

  public Router delete(String pattern, Handler h) {
    return add("DELETE", pattern, h);
  }

  /** Tells {@code o} of every request this router serves (API metrics); replaces the previous observer. */
  public void observe(Observer o) {
    observer = o;
  }

  Observer observer() {
    return observer;
  }

  /** Every route added, in order (the API fuzz test drives each of them). */
  public List<RouteInfo> routes() {
    return routes.stream().map(r -> new RouteInfo(r.method, r.pattern)).toList();
  }

  /** {@code /v1.41/services} -> {@code /services}; paths without a prefix are returned as they are. */
  public static String stripVersion(String path) {
    return VERSION_PREFIX.matcher(path).replaceFirst("");
  }

  /**
   * The route for {@code method} and {@code path} (already stripped of its version prefix). HEAD is served by
   * GET routes.
   *
   * @throws NotFoundException when no route has this path (404), or it has but not with this method (405 is
   *     reported as a 404 with a message naming the allowed method, as dockerd does)
   */
  public Match match(String method, String path) {
    String[] parts = split(path);
    String allowed = null;
    for (Route r : routes) {
      Map<String, String> params = matchSegments(r.segments, parts);
      if (params == null) {
        continue;
      }
      if (r.method.equals(method) || (method.equals("HEAD") && r.method.equals("GET"))) {
        return new Match(r.handler, params, r.rawBody, r.pattern);
      }
      allowed = r.method;
    }
    if (allowed != null) {
      throw new NotFoundException("page not found: " + method + " " + path + " (this path takes " + allowed + ")");
    }
    throw new NotFoundException("page not found: " + path);
  }

  private static Map<String, String> matchSegments(String[] pattern, String[] parts) {
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < pattern.length; i++) {
      String p = pattern[i];
      if (p.startsWith("{") && p.endsWith("...}")) {
        if (i >= parts.length) {
          return null;
        }
        params.put(p.substring(1, p.length() - 4), String.join("/", List.of(parts).subList(i, parts.length)));
        return params;
      }
      if (i >= parts.length) {
        return null;
      }
      if (p.startsWith("{") && p.endsWith("}")) {
        if (parts[i].isEmpty()) {
          return null;
        }
        params.put(p.substring(1, p.length() - 1), parts[i]);
      } else if (!p.equals(parts[i])) {
        return null;
      }
    }
    return pattern.length == parts.length ? params : null;
  }

  private static String[] split(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p.isEmpty() ? new String[0] : p.split("/", -1);
  }
}
