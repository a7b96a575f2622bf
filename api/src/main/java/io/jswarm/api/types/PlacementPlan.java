package io.jswarm.api.types;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * jswarm extension: the answer of a dry run ({@code POST /services/create?dryRun=true},
 * {@code /services/{id}/update?dryRun=true}): where the scheduler would put the service's tasks on the cluster
 * as it is now, and why the ones it cannot place fit nowhere. Nothing is written.
 */
public class PlacementPlan {
  /** Always true: marks the answer as a plan, not a change. */
  public Boolean dryRun;
  /** The service's name (for a create without a name: the name it would be given is not chosen yet, so empty). */
  public String serviceName;
  /** Tasks the service asks for after the change (replicas, or one per eligible node for a global service). */
  public Long desiredTasks;
  /** True when the change replaces the running tasks (a new task template); false when it only adds or removes. */
  public Boolean replacesTasks;
  /** Every node that would run tasks of the service, in node id order. */
  public List<NodeTasks> nodes;
  /** The tasks no node would take, with the scheduler's explanation. */
  public List<Unplaced> unplaced;

  /** Tasks of the service on one node after the change. */
  public static class NodeTasks {
    @JsonProperty("NodeID")
    public String nodeId;
    public String hostname;
    /** Tasks of the service there after the change (kept plus new). */
    public Long tasks;
    /** Of {@link #tasks}, those the change would start. */
    public Long newTasks;
  }

  /** One task that fits no node. */
  public static class Unplaced {
    /** The replica slot (replicated services). */
    public Long slot;
    /** The node the task belongs to (global services). */
    @JsonProperty("NodeID")
    public String nodeId;
    /** Why, as {@code service ps} would show it: {@code no suitable node (scheduling constraints ...)}. */
    public String err;
  }
}
