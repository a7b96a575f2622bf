package io.jswarm.transport.pki;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents one node certificate, always: as a server, and as a client whatever issuers the server names (so a
 * certificate from a foreign CA is presented and refused by the server, not silently withheld).
 */
final class NodeKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "node";
  private final PrivateKey key;
  private final X509Certificate[] chain;

  NodeKeyManager(NodeCredentials creds) {
    this.key = creds.privateKey();
    this.chain = creds.chain().toArray(new X509Certificate[0]);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return matches(keyType) ? ALIAS : null;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return matches(keyType) ? ALIAS : null;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return matches(keyType) ? ALIAS : null;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return matches(keyType) ? ALIAS : null;
  }

  private boolean matches(String... keyTypes) {
    if (keyTypes == null) {
      return true;
    }
    for (String t : keyTypes) {
      if (t == null || t.equals("EC") || t.startsWith("EC_") || t.equals("ECDSA") || t.startsWith("ECDHE_ECDSA")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? chain.clone() : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? key : null;
  }
}
