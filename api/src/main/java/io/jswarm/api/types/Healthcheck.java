package io.jswarm.api.types;

import java.util.List;

/**
 * A container health check (Docker {@code container.HealthConfig}, the {@code Healthcheck} of a
 * ContainerSpec). Test: {@code []} inherit from the image, {@code ["NONE"]} disable, {@code ["CMD", args...]}
 * or {@code ["CMD-SHELL", command]}. Durations are nanoseconds, 0 meaning inherit, otherwise at least 1 ms.
 */
public class Healthcheck {
  public List<String> test;
  public Long interval;
  public Long timeout;
  public Long retries;
  public Long startPeriod;
}
