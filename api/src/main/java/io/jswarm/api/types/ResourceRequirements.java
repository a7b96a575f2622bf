package io.jswarm.api.types;

/**
 * A task's resource limits and reservations (Docker {@code ResourceRequirements}, the {@code Resources} of a
 * {@code TaskSpec}). The scheduler places by reservations; the worker enforces limits with cgroups.
 */
public class ResourceRequirements {
  public Limit limits;
  public Resources reservations;
}
