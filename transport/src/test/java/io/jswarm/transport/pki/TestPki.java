package io.jswarm.transport.pki;

import java.time.Clock;
import java.time.Duration;

/** Roots and node credentials for tests. */
public final class TestPki {
  private TestPki() {}

  public static NodeCredentials node(RootCA ca, String nodeId, String role) {
    return node(ca, nodeId, role, Duration.ofHours(1), Clock.systemUTC());
  }

  public static NodeCredentials node(RootCA ca, String nodeId, String role, Duration validity, Clock clock) {
    NodeCredentials pending = NodeCredentials.generateKey();
    return pending.withCertificate(ca.issue(pending.csrPem(), nodeId, role, "cluster1", validity, clock), ca.certPem());
  }
}
