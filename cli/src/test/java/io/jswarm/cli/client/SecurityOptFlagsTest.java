package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Service.ServiceSpec;
import io.jswarm.api.types.TaskSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SecurityOptFlagsTest {
  private static ServiceSpec create(String... args) {
    ServiceCreateFlags f = new ServiceCreateFlags();
    new CommandLine(f).setStopAtPositional(true).parseArgs(args);
    return ServiceSpecs.create(f, Map.<String, String>of()::get);
  }

  @Test
  void noFlagLeavesTheDefaults() {
    assertNull(create("busybox").taskTemplate.containerSpec.privileges);
  }

  @Test
  void unconfinedAndNoNewPrivilegesFalse() {
    ContainerSpec.Privileges p = create("--security-opt", "seccomp=unconfined", "--security-opt",
        "no-new-privileges=false", "busybox").taskTemplate.containerSpec.privileges;
    assertEquals("unconfined", p.seccomp.mode);
    assertNull(p.seccomp.profile);
    assertFalse(p.noNewPrivileges);
    assertTrue(create("--security-opt", "no-new-privileges", "busybox").taskTemplate.containerSpec.privileges
        .noNewPrivileges);
  }

  @Test
  void aProfileFileIsSentAsACustomProfile(@TempDir Path dir) throws Exception {
    String profile = "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}";
    Path f = Files.writeString(dir.resolve("p.json"), profile);
    ContainerSpec.SeccompOpts s = create("--security-opt", "seccomp=" + f, "busybox").taskTemplate.containerSpec
        .privileges.seccomp;
    assertEquals("custom", s.mode);
    assertEquals(profile, new String(Base64.getDecoder().decode(s.profile), StandardCharsets.UTF_8));
    Path broken = Files.writeString(dir.resolve("b.json"), "{\"defaultAction\":\"nope\"}");
    assertTrue(assertThrows(UsageException.class, () -> create("--security-opt", "seccomp=" + broken, "busybox"))
        .getMessage().contains("defaultAction: \"nope\" is not allowed"));
    assertTrue(assertThrows(UsageException.class, () -> create("--security-opt", "seccomp=" + dir.resolve("none"),
        "busybox")).getMessage().contains("cannot read the profile file"));
    assertTrue(assertThrows(UsageException.class, () -> create("--security-opt", "apparmor=x", "busybox"))
        .getMessage().contains("allowed: seccomp=unconfined|default|FILE, no-new-privileges=true|false"));
  }

  @Test
  void updateReplacesOnlyTheOptionsGiven() {
    TaskSpec t = create("--security-opt", "seccomp=unconfined", "busybox").taskTemplate;
    ServiceUpdateFlags u = new ServiceUpdateFlags();
    new CommandLine(u).parseArgs("--security-opt", "no-new-privileges=false");
    ContainerUpdates.apply(t, u);
    assertEquals("unconfined", t.containerSpec.privileges.seccomp.mode);
    assertFalse(t.containerSpec.privileges.noNewPrivileges);
    u = new ServiceUpdateFlags();
    new CommandLine(u).parseArgs("--security-opt", "seccomp=default");
    ContainerUpdates.apply(t, u);
    assertEquals("default", t.containerSpec.privileges.seccomp.mode);
  }
}
