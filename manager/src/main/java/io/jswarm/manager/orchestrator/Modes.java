package io.jswarm.manager.orchestrator;

import io.jswarm.api.types.Service;
import io.jswarm.api.types.ServiceMode;

/** What a service's mode asks of the orchestrators. A spec without a mode is one replica, as in Docker. */
final class Modes {
  private Modes() {}

  static boolean isReplicated(Service s) {
    if (s == null || s.spec == null) {
      return false;
    }
    ServiceMode m = s.spec.mode;
    return m == null || m.replicated != null || (m.global == null && !m.isJob());
  }

  static boolean isGlobal(Service s) {
    return s != null && s.spec != null && s.spec.mode != null && s.spec.mode.global != null;
  }

  /** Replicas of a replicated service; an unset count is one, as Docker defaults it. */
  static long replicas(Service s) {
    ServiceMode m = s.spec.mode;
    if (m == null || m.replicated == null || m.replicated.replicas == null) {
      return 1;
    }
    return Math.max(0, m.replicated.replicas);
  }
}
