package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Mount;
import io.jswarm.api.types.Service.ServiceSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ContainerFlagsTest {
  private static ServiceSpec create(String... args) {
    ServiceCreateFlags f = new ServiceCreateFlags();
    new CommandLine(f).setStopAtPositional(true).parseArgs(args);
    return ServiceSpecs.create(f, Map.<String, String>of()::get);
  }

  private static String error(String... args) {
    return assertThrows(UsageException.class, () -> create(args)).getMessage();
  }

  @Test
  void containerFlagsFillTheTaskTemplate() {
    ServiceSpec s = create("--limit-pids", "100", "--cpuset", "0-1", "--blkio-weight", "300", "--health-cmd", "wget -qO- localhost",
        "--health-interval", "5s", "--health-retries", "2", "--health-start-period", "1s",
        "--mount", "type=bind,source=/srv,target=/data,readonly", "--mount", "type=tmpfs,target=/tmp,tmpfs-size=64m",
        "--mount", "source=vol1,target=/v", "--stop-signal", "int", "--stop-grace-period", "3s",
        "--entrypoint", "/bin/sh -c", "-w", "/srv", "-u", "nobody:nogroup", "--hostname", "web-1",
        "busybox", "echo hi");
    ContainerSpec c = s.taskTemplate.containerSpec;
    assertEquals(100L, s.taskTemplate.resources.limits.pids);
    assertEquals("0-1", s.taskTemplate.resources.limits.cpuset);
    assertEquals(300L, s.taskTemplate.resources.limits.blkioWeight);
    assertEquals(List.of("CMD-SHELL", "wget -qO- localhost"), c.healthcheck.test);
    assertEquals(5_000_000_000L, c.healthcheck.interval);
    assertEquals(2L, c.healthcheck.retries);
    assertEquals(1_000_000_000L, c.healthcheck.startPeriod);
    assertNull(c.healthcheck.timeout);
    assertEquals(3, c.mounts.size());
    Mount bind = c.mounts.get(0);
    assertEquals(List.of("bind", "/srv", "/data", true), List.of(bind.type, bind.source, bind.target, bind.readOnly));
    assertEquals(64L * 1024 * 1024, c.mounts.get(1).tmpfsOptions.sizeBytes);
    assertEquals("volume", c.mounts.get(2).type);
    assertEquals("SIGINT", c.stopSignal);
    assertEquals(3_000_000_000L, c.stopGracePeriod);
    assertEquals(List.of("/bin/sh", "-c"), c.command);
    assertEquals(List.of("echo hi"), c.args);
    assertEquals("/srv", c.dir);
    assertEquals("nobody:nogroup", c.user);
    assertEquals("web-1", c.hostname);
  }

  @Test
  void noHealthcheckDisablesTheImagesCheck() {
    assertEquals(List.of("NONE"), create("--no-healthcheck", "busybox").taskTemplate.containerSpec.healthcheck.test);
    assertNull(create("busybox").taskTemplate.containerSpec.healthcheck);
  }

  @Test
  void invalidValuesNameTheFlag() {
    assertTrue(error("--limit-pids", "-1", "busybox").contains("--limit-pids"));
    assertTrue(error("--cpuset", "a-b", "busybox").contains("--cpuset"));
    assertTrue(error("--blkio-weight", "5", "busybox").contains("--blkio-weight 5: give 10-1000"));
    assertTrue(error("--no-healthcheck", "--health-cmd", "true", "busybox").contains("--no-healthcheck"));
    assertTrue(error("--health-interval", "1us", "busybox").contains("--health-interval"));
    assertTrue(error("--mount", "type=nfs,target=/x", "busybox").contains("allowed: bind, volume, tmpfs"));
    assertTrue(error("--mount", "type=bind,target=/x", "busybox").contains("source=/absolute/path"));
    assertTrue(error("--mount", "source=v", "busybox").contains("target is required"));
    assertTrue(error("--mount", "type=tmpfs,target=/x,colour=red", "busybox").contains("unknown field \"colour\""));
    assertTrue(error("--stop-signal", "SIGFOO", "busybox").contains("--stop-signal"));
    assertTrue(error("--entrypoint", "'sh", "busybox").contains("--entrypoint"));
    assertTrue(error("-w", "relative", "busybox").contains("--workdir"));
    assertTrue(error("--hostname", "bad_name!", "busybox").contains("--hostname"));
  }
}
