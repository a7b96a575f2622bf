package io.jswarm.api.types;

/**
 * A user-defined resource (Docker {@code GenericResource}): exactly one of a named resource (one item with a
 * string value, e.g. {@code GPU=UUID1}) or a discrete resource (a count, e.g. {@code SSD=3}).
 */
public class GenericResource {
  public NamedResourceSpec namedResourceSpec;
  public DiscreteResourceSpec discreteResourceSpec;

  /** One named item of a kind (Docker {@code NamedGenericResource}). */
  public static class NamedResourceSpec {
    public String kind;
    public String value;
  }

  /** A quantity of a kind (Docker {@code DiscreteGenericResource}). */
  public static class DiscreteResourceSpec {
    public String kind;
    public Long value;
  }
}
