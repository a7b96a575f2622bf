package io.jswarm.worker.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Healthcheck;
import io.jswarm.api.types.Limit;
import io.jswarm.api.types.ResourceRequirements;
import io.jswarm.worker.image.LocalImage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Docker's rules for the process, environment, health check and limits, without running anything. */
class OciSpecTest {
  private static final LocalImage.RunConfig IMAGE = new LocalImage.RunConfig(List.of("/entry"), List.of("serve"),
      List.of("PATH=/usr/bin", "A=image"), "/app", "nobody", "SIGQUIT",
      new LocalImage.Healthcheck(List.of("CMD", "check"), Duration.ofSeconds(5).toNanos(), 0, 0, 0), null, null);

  @Test
  void argsFollowDockersEntrypointAndCmdRules() {
    ContainerSpec s = new ContainerSpec();
    assertEquals(List.of("/entry", "serve"), OciSpec.args(s, IMAGE));
    s.args = List.of("debug");
    assertEquals(List.of("/entry", "debug"), OciSpec.args(s, IMAGE));
    s.command = List.of("/bin/sh", "-c");
    s.args = null;
    assertEquals(List.of("/bin/sh", "-c"), OciSpec.args(s, IMAGE), "an entrypoint override drops the image's Cmd");
    s.args = List.of("echo hi");
    assertEquals(List.of("/bin/sh", "-c", "echo hi"), OciSpec.args(s, IMAGE));
    ContainerSpec none = new ContainerSpec();
    assertTrue(assertThrows(IllegalArgumentException.class, () -> OciSpec.args(none, null)).getMessage()
        .contains("no command"));
  }

  @Test
  void theSpecsEnvReplacesTheImagesByName() {
    ContainerSpec s = new ContainerSpec();
    s.env = List.of("A=spec", "B=2");
    assertEquals(List.of("PATH=/usr/bin", "HOSTNAME=h1", "A=spec", "B=2"), OciSpec.env(s, IMAGE, "h1"));
  }

  @Test
  void theHealthCheckMergesSpecOverImage() {
    HealthConfig fromImage = HealthConfig.of(null, IMAGE.healthcheck());
    assertEquals(List.of("check"), fromImage.command());
    assertEquals(Duration.ofSeconds(5), fromImage.interval());
    assertEquals(HealthConfig.DEFAULT_TIMEOUT, fromImage.timeout());
    assertEquals(3, fromImage.retries());
    Healthcheck spec = new Healthcheck();
    spec.test = List.of("CMD-SHELL", "wget -q localhost");
    spec.retries = 5L;
    HealthConfig merged = HealthConfig.of(spec, IMAGE.healthcheck());
    assertEquals(List.of("/bin/sh", "-c", "wget -q localhost"), merged.command());
    assertEquals(Duration.ofSeconds(5), merged.interval(), "a zero field inherits the image's");
    assertEquals(5, merged.retries());
    Healthcheck off = new Healthcheck();
    off.test = List.of("NONE");
    assertNull(HealthConfig.of(off, IMAGE.healthcheck()));
    assertNull(HealthConfig.of(null, null));
  }

  @Test
  void limitsBecomeCgroupValues() {
    ResourceRequirements r = new ResourceRequirements();
    r.limits = new Limit();
    r.limits.nanoCPUs = 1_500_000_000L;
    r.limits.memoryBytes = 64L << 20;
    r.limits.pids = 100L;
    r.limits.cpuset = "0-1";
    r.limits.blkioWeight = 300L;
    assertEquals(new Limits(64L << 20, 150_000, 100_000, 100, "0-1", 300), Limits.of(r));
    r.limits.blkioWeight = 5L;
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Limits.of(r)).getMessage().contains("BlkioWeight"));
    r.limits.blkioWeight = null;
    r.limits.cpuset = "all";
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Limits.of(r)).getMessage().contains("Cpuset"));
  }
}
