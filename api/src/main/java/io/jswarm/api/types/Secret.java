package io.jswarm.api.types;

/**
 * A secret (Docker Engine API {@code Secret}). {@code Data} is the base64 payload ({@link Base64Data}); it is
 * accepted on create and never returned by the API (see {@link #withoutData}). A secret with a {@code Driver}
 * would be fetched from an external store instead; jswarm supports no secret driver.
 */
public class Secret extends StoreObject {
  public Spec spec;

  @Override
  public String uniqueName() {
    return spec == null ? null : spec.name;
  }

  /** Docker {@code SecretSpec}. */
  public static class Spec extends PayloadSpec {
    public Driver driver;
  }

  /** This secret as the API shows it: {@code Spec.Data} left out (a copy when it had data). */
  public Secret withoutData() {
    if (spec == null || spec.data == null) {
      return this;
    }
    Secret c = new Secret();
    c.id = id;
    c.version = version;
    c.createdAt = createdAt;
    c.updatedAt = updatedAt;
    c.spec = new Spec();
    c.spec.name = spec.name;
    c.spec.labels = spec.labels;
    c.spec.templating = spec.templating;
    c.spec.driver = spec.driver;
    return c;
  }

  /** Never the payload: a secret printed by mistake in a log line shows its id and name only. */
  @Override
  public String toString() {
    return "Secret{" + id + " " + (spec == null ? null : spec.name) + "}";
  }
}
