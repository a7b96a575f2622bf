package io.jswarm.manager.controlapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.json.Json;
import io.jswarm.transport.http.HttpRequest;
import java.util.Base64;

/**
 * The {@code X-Registry-Auth} header of {@code service create|update --with-registry-auth}: base64(url) JSON
 * credentials for the image's registry. Checked for shape only (never quoted in a message: it is a secret); an
 * empty one ({@code {}}) is none.
 */
final class RegistryAuthHeader {
  /** Larger headers are refused: credentials are a few hundred bytes, identity tokens a few KiB. */
  static final int MAX_BYTES = 16 << 10;

  private RegistryAuthHeader() {}

  /** The header as given, or null when absent or empty. */
  static String of(HttpRequest req) {
    String h = req.headers().get("x-registry-auth");
    if (h == null || h.isBlank()) {
      return null;
    }
    h = h.trim();
    if (h.length() > MAX_BYTES) {
      throw new InvalidArgumentException("X-Registry-Auth: at most " + MAX_BYTES + " bytes");
    }
    JsonNode n;
    try {
      String url = h.replace('+', '-').replace('/', '_').replace("=", "");
      n = Json.mapper().readTree(Base64.getUrlDecoder().decode(url));
    } catch (Exception e) {
      throw new InvalidArgumentException("X-Registry-Auth: expected base64-encoded JSON credentials "
          + "({\"username\",\"password\",\"serveraddress\"} or {\"identitytoken\"})");
    }
    if (n == null || !n.isObject()) {
      throw new InvalidArgumentException("X-Registry-Auth: expected base64-encoded JSON credentials (an object)");
    }
    return n.isEmpty() ? null : h;
  }
}
