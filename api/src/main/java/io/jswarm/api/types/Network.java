package io.jswarm.api.types;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * A swarm network (Docker {@code swarm.Network}, the shape inside a task's {@code NetworksAttachments}; not
 * the engine's {@code GET /networks} shape). {@code DriverState} and the top-level {@code IPAMOptions} are
 * what the allocator chose (e.g. overlay with {@code com.docker.network.driver.overlay.vxlanid_list}); the
 * spec holds what the user asked for.
 */
public class Network extends StoreObject {
  public Spec spec;
  public Driver driverState;
  @JsonProperty("IPAMOptions")
  public IPAMOptions ipamOptions;

  @Override
  public String uniqueName() {
    return spec == null ? null : spec.name;
  }

  /** User settings of a network (Docker {@code NetworkSpec}); an ingress network cannot be attachable. */
  public static class Spec {
    public String name;
    public Map<String, String> labels;
    public Driver driverConfiguration;
    @JsonProperty("IPv6Enabled")
    public Boolean ipv6Enabled;
    public Boolean internal;
    public Boolean attachable;
    public Boolean ingress;
    @JsonProperty("IPAMOptions")
    public IPAMOptions ipamOptions;
    public ConfigReference configFrom;
    public String scope;
  }

  /** The config-only network this one takes its configuration from (Docker {@code network.ConfigReference}). */
  public static class ConfigReference {
    public String network;
  }
}
