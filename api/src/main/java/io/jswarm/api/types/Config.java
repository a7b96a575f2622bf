package io.jswarm.api.types;

import java.util.Map;

/** A config (Docker Engine API {@code Config}): like a secret but not encrypted and returned with its data. */
public class Config extends StoreObject {
  public Spec spec;

  @Override
  public String uniqueName() {
    return spec == null ? null : spec.name;
  }

  /** Docker {@code ConfigSpec}; {@code Data} is the base64 payload ({@link Base64Data}). */
  public static class Spec {
    public String name;
    public Map<String, String> labels;
    public String data;
    public Driver templating;
  }
}
