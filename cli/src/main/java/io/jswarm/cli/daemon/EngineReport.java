package io.jswarm.cli.daemon;

import io.jswarm.api.types.Node;
import io.jswarm.manager.controlapi.EngineInfo;
import io.jswarm.worker.agent.Executor;
import io.jswarm.worker.image.ImageStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What this node's engine reports in {@code /info} ({@link EngineInfo}), from the daemon's parts as they are now. */
final class EngineReport {
  private static final Logger LOG = LoggerFactory.getLogger(EngineReport.class);

  private EngineReport() {}

  /**
   * @param worker the worker role, or null before the node is in a swarm
   * @param images the image store, or null when none is open
   */
  static EngineInfo of(DaemonOptions opts, WorkerRole worker, ImageStore images) {
    Executor.ContainerCount containers = worker == null ? new Executor.ContainerCount(0, 0)
        : worker.executor().containerCount();
    int imageCount = 0;
    if (images != null) {
      try {
        imageCount = images.list().size();
      } catch (IOException e) {
        LOG.debug("counting images for /info: {}", e.toString());
      }
    }
    List<String> labels = new ArrayList<>();
    opts.engineLabels().forEach((k, v) -> labels.add(k + "=" + v));
    List<String> warnings = new ArrayList<>();
    if (worker != null && worker.executor().missingFeatures().containsKey(Node.FEATURE_BLKIO_WEIGHT)) {
      warnings.add("WARNING: No blkio weight support"); // docker info's words
    }
    return new EngineInfo(containers.running(), containers.stopped(), imageCount, labels,
        opts.dataRoot().toString(), opts.runtime(), warnings, opts.securityOptions());
  }
}
