package io.jswarm.api.types;

import java.util.List;

/**
 * How clients reach a service (Docker {@code EndpointSpec}). Mode: vip (default: one virtual IP load-balanced
 * over the tasks) or dnsrr (DNS round robin over task IPs; ingress-published ports are not allowed then).
 */
public class EndpointSpec {
  public String mode;
  public List<PortConfig> ports;
}
