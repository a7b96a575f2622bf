package io.jswarm.api.types;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What each task of a service runs (Docker {@code TaskSpec}): a service's {@code TaskTemplate} and a task's
 * {@code Spec}. jswarm runs containers, so {@code ContainerSpec} is the runtime; {@code PluginSpec} and
 * {@code NetworkAttachmentSpec} are modelled so that Docker's JSON round-trips. {@code ForceUpdate} is a
 * counter whose change alone triggers a rolling update.
 */
public class TaskSpec {
  public PluginSpec pluginSpec;
  public ContainerSpec containerSpec;
  public NetworkAttachmentSpec networkAttachmentSpec;
  public ResourceRequirements resources;
  public RestartPolicy restartPolicy;
  public Placement placement;
  public Long forceUpdate;
  public String runtime;
  public List<NetworkAttachmentConfig> networks;
  public Driver logDriver;

  /** A managed plugin as the task's runtime (swagger {@code TaskSpec.PluginSpec}); jswarm does not run plugins. */
  public static class PluginSpec {
    public String name;
    public String remote;
    public Boolean disabled;
    public List<PluginPrivilege> pluginPrivilege;
  }

  /** A permission a plugin asks for (Docker {@code PluginPrivilege}). */
  public static class PluginPrivilege {
    public String name;
    public String description;
    public List<String> value;
  }

  /** Marks a task that only attaches a plain container to a swarm network (Docker {@code NetworkAttachmentSpec}). */
  public static class NetworkAttachmentSpec {
    @JsonProperty("ContainerID")
    public String containerId;
  }
}
