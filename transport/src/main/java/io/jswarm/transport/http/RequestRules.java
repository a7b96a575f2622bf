package io.jswarm.transport.http;

import io.jswarm.api.errors.ForbiddenException;
import io.jswarm.api.errors.InvalidArgumentException;
import java.util.Locale;
import java.util.Map;

/**
 * What every request must be before its handler runs, on every listener (API socket, TCP API, cluster port).
 *
 * <ul>
 *   <li><b>Not from a web browser</b> (403): a request carrying {@code Origin} or a {@code Sec-Fetch-*} header
 *       comes from a web page (browsers add them; the docker and jswarm clients never do), and a page the user
 *       happens to visit must not drive the API on {@code localhost:2375}: no CORS preflight, no "simple" form
 *       POST, no DNS-rebinding GET.
 *   <li><b>JSON bodies are declared as JSON</b> (400): a POST whose body is not empty must say
 *       {@code Content-Type: application/json} (parameters such as {@code charset} allowed), as the docker client
 *       sends; routes registered with {@link Router#postRaw} (image load and import: tarballs) take any type. A
 *       POST without a body needs no type (the docker client sends none for {@code image tag}, {@code swarm leave}).
 * </ul>
 */
final class RequestRules {
  private RequestRules() {}

  static void check(String method, Map<String, String> headers, byte[] body, boolean rawBody) {
    String origin = headers.get("origin");
    if (origin != null || headers.containsKey("sec-fetch-mode") || headers.containsKey("sec-fetch-site")) {
      throw new ForbiddenException("requests from web browsers are refused (the request carries "
          + (origin != null ? "Origin: " + shorten(origin) : "Sec-Fetch headers")
          + "); use the jswarm or docker client, which send no Origin");
    }
    if (rawBody || body == null || body.length == 0 || !(method.equals("POST") || method.equals("PUT"))) {
      return;
    }
    String type = headers.get("content-type");
    String mediaType = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json")) {
      throw new InvalidArgumentException("Content-Type: " + (type == null ? "missing" : "\"" + shorten(type) + "\"")
          + "; a request body must be sent as application/json");
    }
  }

  private static String shorten(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }
}
