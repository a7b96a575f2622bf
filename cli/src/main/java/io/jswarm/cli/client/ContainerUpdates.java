package io.jswarm.cli.client;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.TaskSpec;
import java.util.ArrayList;

/**
 * The container flags of {@code service update} that merge into the task template: args, health, security options
 * (the resource limits are {@link ResourceFlags}).
 */
final class ContainerUpdates {
  private ContainerUpdates() {}

  static void apply(TaskSpec task, ServiceUpdateFlags f) {
    ContainerSpec c = task.containerSpec;
    if (f.args != null) {
      c.args = f.args.isBlank() ? null : new ArrayList<>(ContainerFlags.words(f.args));
    }
    c.healthcheck = f.health.merge(c.healthcheck);
    c.privileges = f.security.merge(c.privileges);
    c.usernsMode = f.security.usernsMode(c.usernsMode);
  }
}
