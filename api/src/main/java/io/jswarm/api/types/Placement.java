package io.jswarm.api.types;

import java.util.List;

/**
 * Where a service's tasks may run (Docker {@code Placement}): constraints that must all hold (syntax in
 * {@link PlacementConstraint}), spread preferences in order of precedence, a per-node replica cap (0 means
 * none), and the platforms the image supports.
 */
public class Placement {
  public List<String> constraints;
  public List<Preference> preferences;
  public Long maxReplicas;
  public List<Platform> platforms;

  /** One placement preference (Docker {@code PlacementPreference}). */
  public static class Preference {
    public Spread spread;
  }

  /** Spread tasks evenly over the values of a label such as {@code node.labels.zone} (Docker {@code SpreadOver}). */
  public static class Spread {
    public String spreadDescriptor;
  }
}
