package io.jswarm.worker.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.errors.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Credentials for one registry, as Docker clients send them in {@code X-Registry-Auth} (base64url of
 * {@code {"username","password","serveraddress","identitytoken","registrytoken"}}). All fields may be null.
 */
public record RegistryAuth(String username, String password, String identityToken, String registryToken) {
  public static final RegistryAuth NONE = new RegistryAuth(null, null, null, null);

  public boolean hasBasic() {
    return username != null && !username.isEmpty() && password != null;
  }

  /**
   * Decodes an {@code X-Registry-Auth} header; null or empty gives {@link #NONE}.
   *
   * @throws InvalidArgumentException when it is not base64 JSON
   */
  public static RegistryAuth fromHeader(String header) {
    if (header == null || header.isBlank() || header.equals("e30=") || header.equals("e30")) {
      return NONE;
    }
    try {
      String h = header.trim().replace('+', '-').replace('/', '_');
      byte[] json = Base64.getUrlDecoder().decode(h.endsWith("=") ? h : pad(h));
      JsonNode n = Manifest.JSON.readTree(json);
      return new RegistryAuth(text(n, "username"), text(n, "password"), text(n, "identitytoken"),
          text(n, "registrytoken"));
    } catch (Exception e) {
      throw new InvalidArgumentException("X-Registry-Auth: expected base64-encoded JSON credentials: " + e.getMessage());
    }
  }

  /** The header value for these credentials. */
  public String toHeader() {
    var n = Manifest.JSON.createObjectNode();
    if (username != null) {
      n.put("username", username);
    }
    if (password != null) {
      n.put("password", password);
    }
    if (identityToken != null) {
      n.put("identitytoken", identityToken);
    }
    if (registryToken != null) {
      n.put("registrytoken", registryToken);
    }
    return Base64.getUrlEncoder().encodeToString(n.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static String pad(String s) {
    return s + "===".substring(0, (4 - s.length() % 4) % 4);
  }

  private static String text(JsonNode n, String field) {
    for (var it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (f.equalsIgnoreCase(field) && !n.get(f).isNull()) {
        return n.get(f).asText();
      }
    }
    return null;
  }
}
