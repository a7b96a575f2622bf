package io.jswarm.api.types;

import java.util.Map;

/**
 * A driver name with its options (Docker {@code Driver}). Used for network drivers, IPAM drivers, log
 * drivers, volume drivers, secret drivers and templating drivers.
 */
public class Driver {
  public String name;
  public Map<String, String> options;
}
