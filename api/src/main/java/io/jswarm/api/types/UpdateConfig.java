package io.jswarm.api.types;

/**
 * How a service's tasks are replaced on update or rollback (Docker {@code UpdateConfig}, used for both
 * {@code UpdateConfig} and {@code RollbackConfig}). {@code Delay} and {@code Monitor} are nanoseconds.
 * FailureAction: pause|continue|rollback (rollback only for updates); Order: stop-first|start-first;
 * MaxFailureRatio in 0..1. Parallelism 0 means all at once.
 */
public class UpdateConfig {
  public Long parallelism;
  public Long delay;
  public String failureAction;
  public Long monitor;
  public Double maxFailureRatio;
  public String order;
}
