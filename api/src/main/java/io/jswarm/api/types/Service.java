package io.jswarm.api.types;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;

/**
 * A service (Docker Engine API {@code Service}): the current and previous spec, the allocated endpoint, the
 * state of a rolling update, task counts (only filled when listing with {@code status=true}) and, for job
 * modes, the job's iteration.
 */
public class Service extends StoreObject {
  /**
   * The {@code X-Registry-Auth} given with {@code --with-registry-auth} (base64 JSON credentials) for pulling the
   * image of the service's tasks. Kept in the Raft store (encrypted at rest like secrets) and sent to the node that runs the task;
   * never in an API answer ({@link io.jswarm.api.json.Json.Internal}) and never logged.
   */
  @com.fasterxml.jackson.annotation.JsonView(io.jswarm.api.json.Json.Internal.class)
  @JsonProperty("JswarmRegistryAuth")
  public String registryAuth;

  public ServiceSpec spec;
  public ServiceSpec previousSpec;
  public Endpoint endpoint;
  public UpdateStatus updateStatus;
  public ServiceStatus serviceStatus;
  public JobStatus jobStatus;

  @Override
  public String uniqueName() {
    return spec == null ? null : spec.name;
  }

  /**
   * What a user asks of a service (Docker {@code ServiceSpec}): the body of {@code POST /services/create} and
   * {@code /services/{id}/update}. {@code Networks} here is Docker's deprecated place for attachments;
   * {@code TaskTemplate.Networks} is the current one.
   */
  public static class ServiceSpec {
    public String name;
    public Map<String, String> labels;
    public TaskSpec taskTemplate;
    public ServiceMode mode;
    public UpdateConfig updateConfig;
    public UpdateConfig rollbackConfig;
    public List<NetworkAttachmentConfig> networks;
    public EndpointSpec endpointSpec;
  }

  /**
   * Progress of an update or rollback (Docker {@code UpdateStatus}). State: updating|paused|completed|
   * rollback_started|rollback_paused|rollback_completed.
   */
  public static class UpdateStatus {
    public String state;
    public String startedAt;
    public String completedAt;
    public String message;
    /**
     * jswarm extension: the number of canary tasks this update starts before it pauses for
     * {@code POST /services/{id}/promote}; absent for a normal update or once promoted.
     */
    public Long canary;
  }

  /** Task counts of a service (Docker {@code ServiceStatus}). */
  public static class ServiceStatus {
    public Long runningTasks;
    public Long desiredTasks;
    public Long completedTasks;
  }

  /** A job-mode service's execution (Docker {@code JobStatus}); each spec update starts a new iteration. */
  public static class JobStatus {
    public Version jobIteration;
    public String lastExecution;
  }
}
