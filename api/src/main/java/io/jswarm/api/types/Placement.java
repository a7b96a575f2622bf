package io.jswarm.api.types;

import java.util.List;

/**
 * Where a service's tasks may run (Docker {@code Placement}): constraints that must all hold (syntax in
 * {@link PlacementConstraint}), spread preferences in order of precedence, a per-node replica cap (0 means
 * none), the platforms the image supports, and (a jswarm extension) the placement strategy.
 */
public class Placement {
  /** {@link #strategy} value: each task goes to the least loaded node that fits (Docker's only behaviour). */
  public static final String SPREAD = "spread";
  /** {@link #strategy} value: each task goes to the node with the highest reserved-resource use that still fits. */
  public static final String BINPACK = "binpack";

  public List<String> constraints;
  public List<Preference> preferences;
  public Long maxReplicas;
  public List<Platform> platforms;
  /**
   * jswarm extension: {@link #SPREAD} (absent means spread, as Docker) or {@link #BINPACK}. Spread preferences
   * still split tasks over label values first; the strategy chooses the node within each value.
   */
  public String strategy;
  /**
   * jswarm extension: when true, the leader rebalances the service (as {@code POST /services/{id}/rebalance}, with
   * its update config) each time a node joins or becomes ready and active. Replicated services only; absent
   * means false. Not part of what makes a task current: turning it on or off replaces no task.
   */
  public Boolean rebalanceOnJoin;

  /** True when {@code p} asks for {@link #rebalanceOnJoin}. */
  public static boolean rebalanceOnJoin(Placement p) {
    return p != null && Boolean.TRUE.equals(p.rebalanceOnJoin);
  }

  /** True when {@code p} asks for {@link #BINPACK}. */
  public static boolean binpack(Placement p) {
    return p != null && BINPACK.equals(p.strategy);
  }

  /** One placement preference (Docker {@code PlacementPreference}). */
  public static class Preference {
    public Spread spread;
  }

  /** Spread tasks evenly over the values of a label such as {@code node.labels.zone} (Docker {@code SpreadOver}). */
  public static class Spread {
    public String spreadDescriptor;
  }
}
