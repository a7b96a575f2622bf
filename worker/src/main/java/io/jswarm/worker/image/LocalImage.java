package io.jswarm.worker.image;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An image in the node's store: its id (the config digest, {@code sha256:...}), the reference it was asked by,
 * its run configuration, and its layers unpacked as directories, the lowest (base) layer first. The layer
 * directories are shared and read-only: containers stack them with overlayfs.
 */
public record LocalImage(String id, String reference, RunConfig config, List<Path> layers) {

  /** The OCI image config's {@code config} section, what a container runs by default. */
  public record RunConfig(
      List<String> entrypoint,
      List<String> cmd,
      List<String> env,
      String workingDir,
      String user,
      String stopSignal,
      Healthcheck healthcheck,
      Map<String, Object> exposedPorts,
      Map<String, String> labels) {}

  /** HEALTHCHECK from the image; durations in nanoseconds, 0 = default. {@code test} as Docker stores it. */
  public record Healthcheck(List<String> test, long interval, long timeout, long startPeriod, int retries) {}
}
