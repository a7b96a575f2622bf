package io.jswarm.api.types;

/**
 * One published port of a service (Docker {@code PortConfig}, swagger {@code EndpointPortConfig}).
 * Protocol: tcp (default)|udp|sctp. PublishMode: ingress (default, routing mesh on every node)|host (only on
 * the node running the task). {@code PublishedPort} 0 or absent lets the manager pick one.
 */
public class PortConfig {
  public String name;
  public String protocol;
  public Long targetPort;
  public Long publishedPort;
  public String publishMode;
}
