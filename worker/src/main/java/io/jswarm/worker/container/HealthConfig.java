package io.jswarm.worker.container;

import io.jswarm.api.types.Healthcheck;
import io.jswarm.worker.image.LocalImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's effective health check with Docker's rules: the spec's {@code Healthcheck} overrides the image's
 * HEALTHCHECK field by field (an empty test or a 0 duration inherits), {@code ["NONE"]} disables it; defaults
 * are interval 30 s, timeout 30 s, 3 retries, no start period.
 *
 * @param command the argv run inside the container ({@code CMD-SHELL x} becomes {@code /bin/sh -c x})
 */
record HealthConfig(List<String> command, Duration interval, Duration timeout, int retries, Duration startPeriod) {
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  static final int DEFAULT_RETRIES = 3;

  /** The effective check, or null when there is none. */
  static HealthConfig of(Healthcheck spec, LocalImage.Healthcheck image) {
    List<String> test = spec != null && spec.test != null && !spec.test.isEmpty() ? spec.test
        : image != null && image.test() != null && !image.test().isEmpty() ? image.test() : null;
    if (test == null || test.get(0).equals("NONE")) {
      return null;
    }
    List<String> cmd;
    switch (test.get(0)) {
      case "CMD" -> cmd = new ArrayList<>(test.subList(1, test.size()));
      case "CMD-SHELL" -> cmd = List.of("/bin/sh", "-c", String.join(" ", test.subList(1, test.size())));
      default -> throw new IllegalArgumentException("Healthcheck.Test: \"" + test.get(0)
          + "\" is not a test kind; allowed: NONE, CMD, CMD-SHELL");
    }
    if (cmd.isEmpty()) {
      throw new IllegalArgumentException("Healthcheck.Test: " + test.get(0) + " needs a command");
    }
    long interval = pick(spec == null ? null : spec.interval, image == null ? 0 : image.interval());
    long timeout = pick(spec == null ? null : spec.timeout, image == null ? 0 : image.timeout());
    long start = pick(spec == null ? null : spec.startPeriod, image == null ? 0 : image.startPeriod());
    long retries = pick(spec == null ? null : spec.retries, image == null ? 0 : image.retries());
    return new HealthConfig(List.copyOf(cmd),
        interval > 0 ? Duration.ofNanos(interval) : DEFAULT_INTERVAL,
        timeout > 0 ? Duration.ofNanos(timeout) : DEFAULT_TIMEOUT,
        retries > 0 ? (int) retries : DEFAULT_RETRIES,
        Duration.ofNanos(Math.max(0, start)));
  }

  private static long pick(Long spec, long image) {
    return spec != null && spec > 0 ? spec : image;
  }
}
