package io.jswarm.api.types;

import java.util.Map;

/**
 * A secret (Docker Engine API {@code Secret}). {@code Data} is the base64 payload ({@link Base64Data}); it is
 * accepted on create and never returned by the API. A secret with a {@code Driver} is fetched from an
 * external store instead.
 */
public class Secret extends StoreObject {
  public Spec spec;

  @Override
  public String uniqueName() {
    return spec == null ? null : spec.name;
  }

  /** Docker {@code SecretSpec}. */
  public static class Spec {
    public String name;
    public Map<String, String> labels;
    public String data;
    public Driver driver;
    public Driver templating;
  }
}
