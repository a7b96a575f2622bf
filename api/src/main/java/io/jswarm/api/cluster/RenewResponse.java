package io.jswarm.api.cluster;

/**
 * Answer to {@code POST /renew}: the new certificate chain (PEM), same node id, role as the store has it now, and
 * the roots the node must trust from now on (PEM; two during a root rotation).
 */
public class RenewResponse {
  public String certificate;
  @com.fasterxml.jackson.annotation.JsonProperty("CACertificate")
  public String caCertificate;
}
