package io.jswarm.manager.controlapi;

import io.jswarm.api.types.Limit;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Service.ServiceSpec;
import io.jswarm.consensus.store.ReadTx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code Warnings} of a service create or update: settings of the spec that some nodes report they cannot
 * honour ({@code Description.Engine.MissingFeatures}). Such nodes still run the service's tasks, without the
 * setting, as Docker's daemon does; the warning names them so that the user can constrain the service away.
 */
final class FeatureWarnings {
  private FeatureWarnings() {}

  /** The warnings for {@code spec} on the nodes of {@code tx}; null (Docker's "no warnings") when there are none. */
  static List<String> of(ReadTx tx, ServiceSpec spec) {
    Limit limits = spec.taskTemplate == null || spec.taskTemplate.resources == null ? null
        : spec.taskTemplate.resources.limits;
    if (limits == null || limits.blkioWeight == null || limits.blkioWeight == 0) {
      return null;
    }
    Map<String, String> missing = new TreeMap<>(); // node name -> why
    for (Node n : tx.nodes().all()) {
      Map<String, String> features = n.description == null || n.description.engine == null ? null
          : n.description.engine.missingFeatures;
      String why = features == null ? null : features.get(Node.FEATURE_BLKIO_WEIGHT);
      if (why != null) {
        missing.put(n.description.hostname != null ? n.description.hostname : n.id, why);
      }
    }
    if (missing.isEmpty()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    missing.forEach((node, why) -> out.add("Resources.Limits.BlkioWeight: node " + node + " cannot honour it ("
        + why + "); its tasks run without a block I/O weight"));
    return out;
  }
}
