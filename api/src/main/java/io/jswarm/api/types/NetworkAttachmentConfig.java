package io.jswarm.api.types;

import java.util.List;
import java.util.Map;

/**
 * A service's request to join a network (Docker {@code NetworkAttachmentConfig}): {@code Target} is the
 * network's name or ID, {@code Aliases} extra DNS names of the service on that network.
 */
public class NetworkAttachmentConfig {
  public String target;
  public List<String> aliases;
  public Map<String, String> driverOpts;
}
