package io.jswarm.api.cluster;

/** Answer to {@code POST /renew}: the new certificate chain (PEM), same node id, role as the store has it now. */
public class RenewResponse {
  public String certificate;
}
