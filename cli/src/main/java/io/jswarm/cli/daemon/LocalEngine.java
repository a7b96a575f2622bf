package io.jswarm.cli.daemon;

import io.jswarm.api.types.Node;
import io.jswarm.manager.controlapi.EngineInfo;
import io.jswarm.worker.agent.Executor;
import io.jswarm.worker.container.LocalContainers;
import io.jswarm.worker.engine.NetworkContainers;
import io.jswarm.worker.image.ImageStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node's engine tells the control API about itself, read at each request (the worker role comes and
 * goes): {@code /info}'s containers, images, labels, root dir, runtime and kernel warnings, and the containers a
 * network has on this node ({@code docker network inspect}).
 */
final class LocalEngine {
  private static final Logger LOG = LoggerFactory.getLogger(LocalEngine.class);

  private final DaemonOptions opts;
  private final Supplier<WorkerRole> worker;
  private final Supplier<ImageStore> images;

  LocalEngine(DaemonOptions opts, Supplier<WorkerRole> worker, Supplier<ImageStore> images) {
    this.opts = opts;
    this.worker = worker;
    this.images = images;
  }

  /** This node's task containers, or null without a container executor. */
  LocalContainers containers() {
    WorkerRole w = worker.get();
    return w == null ? null : w.containers(); // the executor itself is wrapped (SpecTemplates)
  }

  EngineInfo info() {
    WorkerRole w = worker.get();
    Executor.ContainerCount containers = w == null ? new Executor.ContainerCount(0, 0)
        : w.executor().containerCount();
    int imageCount = 0;
    ImageStore store = images.get();
    if (store != null) {
      try {
        imageCount = io.jswarm.worker.image.ImageViews.count(store);
      } catch (IOException e) {
        LOG.debug("counting images for /info: {}", e.toString());
      }
    }
    List<String> labels = new ArrayList<>();
    opts.engineLabels().forEach((k, v) -> labels.add(k + "=" + v));
    List<String> warnings = new ArrayList<>();
    if (w != null && w.executor().missingFeatures().containsKey(Node.FEATURE_BLKIO_WEIGHT)) {
      warnings.add("WARNING: No blkio weight support"); // docker info's words
    }
    return new EngineInfo(containers.running(), containers.stopped(), imageCount, labels,
        opts.dataRoot().toString(), opts.runtime(), warnings, opts.securityOptions());
  }

  Map<String, Object> networkContainers(String networkId) {
    return NetworkContainers.of(containers(), networkId);
  }
}
