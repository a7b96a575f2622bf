package io.jswarm.api.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Body of {@code POST /renew}: a PEM certificate signing request; the node is the one its client certificate names. */
public class RenewRequest {
  @JsonProperty("CSR")
  public String csr;
}
