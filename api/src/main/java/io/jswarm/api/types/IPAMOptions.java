package io.jswarm.api.types;

import java.util.List;

/** Address management of a network (Docker {@code IPAMOptions}): the IPAM driver and one config per subnet. */
public class IPAMOptions {
  public Driver driver;
  public List<IPAMConfig> configs;

  /** A subnet in CIDR form, an optional allocation range inside it and the gateway (Docker {@code IPAMConfig}). */
  public static class IPAMConfig {
    public String subnet;
    public String range;
    public String gateway;
  }
}
