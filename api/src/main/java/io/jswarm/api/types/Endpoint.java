package io.jswarm.api.types;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A service's allocated endpoint (Docker {@code Endpoint}): the spec it was allocated for, the ports with
 * their published numbers filled in, and one virtual IP per attached network.
 */
public class Endpoint {
  public EndpointSpec spec;
  public List<PortConfig> ports;
  public List<VirtualIP> virtualIPs;

  /** A service's address on one network (Docker {@code EndpointVirtualIP}), {@code Addr} in CIDR form. */
  public static class VirtualIP {
    @JsonProperty("NetworkID")
    public String networkId;
    public String addr;
  }
}
