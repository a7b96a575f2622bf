package io.jswarm.manager.orchestrator;

import com.codahale.metrics.Counter;
import io.jswarm.transport.metrics.Metrics;

/** What the orchestrators count ({@code jswarm_orchestrator_*}), on the daemon's registry. */
public final class OrchestratorMetrics {
  final Counter created;
  final Counter removed;
  final Counter restarts;

  public OrchestratorMetrics(Metrics m) {
    created = m.counter("jswarm_orchestrator_tasks_created_total",
        "Tasks the orchestrators created (new slots, replacements, updates, restarts).");
    removed = m.counter("jswarm_orchestrator_tasks_removed_total",
        "Tasks deleted from the store (history trimmed, services and nodes removed).");
    restarts = m.counter("jswarm_orchestrator_restarts_total",
        "Tasks that stopped while they should run and that the restart policy replaces.");
  }
}
