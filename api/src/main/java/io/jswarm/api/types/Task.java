package io.jswarm.api.types;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * One scheduled unit of a service (Docker Engine API {@code Task}): a copy of the service's task template,
 * its slot (replicated) or node (global), the state the manager wants ({@code DesiredState}) and the state
 * the worker observed ({@code Status.State}), its network attachments, and for jobs the job iteration.
 *
 * <p>{@code AssignedGenericResources} is the documented name; dockerd itself writes {@code GenericResources},
 * which is accepted on input.
 */
public class Task extends StoreObject implements Cloneable {
  /**
   * The {@code X-Registry-Auth} given with {@code --with-registry-auth} (base64 JSON credentials) for pulling the
   * image (copied from its service when the task is made). Kept in the Raft store (encrypted at rest like secrets) and sent to the node that runs the task;
   * never in an API answer ({@link io.jswarm.api.json.Json.Internal}) and never logged.
   */
  @com.fasterxml.jackson.annotation.JsonView(io.jswarm.api.json.Json.Internal.class)
  @JsonProperty("JswarmRegistryAuth")
  public String registryAuth;

  public String name;
  public Map<String, String> labels;
  public TaskSpec spec;
  @JsonProperty("ServiceID")
  public String serviceId;
  public Long slot;
  @JsonProperty("NodeID")
  public String nodeId;
  @JsonAlias("GenericResources")
  public List<GenericResource> assignedGenericResources;
  public TaskStatus status;
  public TaskState desiredState;
  public List<NetworkAttachment> networksAttachments;
  /** The service's endpoint when the task was made (swarmkit copies it): the worker publishes its host-mode ports. */
  public Endpoint endpoint;
  public Version jobIteration;
  /**
   * jswarm extension: set by {@code POST /services/{id}/rebalance} on a task the rebalance moves. The updater then
   * replaces it like an outdated task, start-first, with the service's update config; the scheduler puts the
   * replacement where the service's strategy wants it.
   */
  public Boolean rebalance;

  @Override
  public String uniqueName() {
    return null;
  }

  /**
   * A copy of this task's own fields that shares every nested object (status, spec, endpoint...) with it: for a
   * reader of stored rows that changes top-level fields only ({@code DesiredState}) without touching the row, at
   * a fraction of a JSON copy's cost. Every field is copied, also ones added later ({@link Object#clone}).
   */
  public Task shallowCopy() {
    try {
      return (Task) super.clone();
    } catch (CloneNotSupportedException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * A {@link #shallowCopy} whose {@code Status} is its own shallow copy too: for a writer that moves a stored task's
   * top-level fields and status fields ({@code State}, {@code Message}, {@code Err}, {@code Timestamp}) and then
   * hands it to the store ({@code TableWriter.replace}), without the two JSON trees of a deep copy. Everything else
   * (spec, container status, attachments...) stays shared with the stored row: replace it, never change it.
   */
  public Task withOwnStatus() {
    Task t = shallowCopy();
    if (status != null) {
      t.status = status.shallowCopy();
    }
    return t;
  }

  /**
   * An empty patch of this task for the store's {@code TableWriter.patch}: a task with this one's id and version and
   * every other field null; the caller sets the fields that change (a whole new {@code Status}, never this task's own).
   */
  public Task emptyPatch() {
    Task p = new Task();
    p.id = id;
    p.version = version;
    return p;
  }

  /**
   * True while the manager wants this task to run: desired state at most RUNNING, or COMPLETE (a job's task, which
   * runs until it exits). The scheduler places and the allocator attaches only such tasks.
   */
  public boolean desiredToRun() {
    return desiredState != null
        && (desiredState.number() <= TaskState.RUNNING.number() || desiredState == TaskState.COMPLETE);
  }

  /** The service's name, from the task's name ({@code web.3} or {@code web.<node id>}); null without one. */
  public String serviceName() {
    if (name == null) {
      return null;
    }
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  /** The name Docker gives the task's container: {@code <service>.<slot or node>.<task id>}. */
  public String containerName() {
    return (name == null ? "task" : name) + "." + id;
  }

  /**
   * The labels Docker puts on a task's container: the container spec's labels, then {@code com.docker.swarm.node.id},
   * {@code .service.id}, {@code .service.name}, {@code .task} (empty), {@code .task.id} and {@code .task.name}.
   */
  public Map<String, String> containerLabels() {
    Map<String, String> l = new java.util.LinkedHashMap<>();
    if (spec != null && spec.containerSpec != null && spec.containerSpec.labels != null) {
      l.putAll(spec.containerSpec.labels);
    }
    l.put("com.docker.swarm.node.id", nodeId == null ? "" : nodeId);
    l.put("com.docker.swarm.service.id", serviceId == null ? "" : serviceId);
    l.put("com.docker.swarm.service.name", serviceName() == null ? "" : serviceName());
    l.put("com.docker.swarm.task", "");
    l.put("com.docker.swarm.task.id", id == null ? "" : id);
    l.put("com.docker.swarm.task.name", containerName());
    return l;
  }

  /** What the worker last reported (Docker {@code TaskStatus}); {@code Timestamp} is RFC 3339. */
  public static class TaskStatus implements Cloneable {
    public String timestamp;
    public TaskState state;
    public String message;
    public String err;
    public ContainerStatus containerStatus;
    public PortStatus portStatus;

    /** A copy of these fields sharing the nested container and port status (every field, also later ones). */
    public TaskStatus shallowCopy() {
      try {
        return (TaskStatus) super.clone();
      } catch (CloneNotSupportedException e) {
        throw new AssertionError(e);
      }
    }
  }

  /** The task's container (Docker {@code ContainerStatus}). */
  public static class ContainerStatus {
    @JsonProperty("ContainerID")
    public String containerId;
    @JsonProperty("PID")
    public Long pid;
    public Long exitCode;
    /**
     * jswarm extension: the container's health when it has a health check: {@code starting}, {@code healthy}
     * or {@code unhealthy} (Docker's {@code State.Health.Status}); absent without a health check.
     */
    public String health;
  }

  /** Ports published in host mode on the task's node (Docker {@code PortStatus}). */
  public static class PortStatus {
    public List<PortConfig> ports;
  }
}
