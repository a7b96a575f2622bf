package io.jswarm.api.types;

/** A config (Docker Engine API {@code Config}): like a secret but not confidential; the API returns its data. */
public class Config extends StoreObject {
  public Spec spec;

  @Override
  public String uniqueName() {
    return spec == null ? null : spec.name;
  }

  /** Docker {@code ConfigSpec}; {@code Data} is the base64 payload ({@link Base64Data}). */
  public static class Spec extends PayloadSpec {}
}
