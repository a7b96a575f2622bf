package io.jswarm.api.types;

/**
 * The issuer of the swarm's leaf certificates and the trusted root (Docker {@code TLSInfo}). The subject and
 * public key are base64 strings of the raw DER bytes; the trust root is PEM.
 */
public class TLSInfo {
  public String trustRoot;
  public String certIssuerSubject;
  public String certIssuerPublicKey;
}
