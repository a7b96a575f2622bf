package io.jswarm.api.types;

import java.util.Map;

/**
 * What Docker's {@code SecretSpec} and {@code ConfigSpec} share: a name, labels, the base64 payload
 * ({@link Base64Data}) and an optional templating driver (jswarm supports none).
 */
public abstract class PayloadSpec {
  public String name;
  public Map<String, String> labels;
  public String data;
  public Driver templating;
}
