package io.jswarm.worker.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.types.ContainerSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The default profile compiled for a container: Docker's rules on capabilities, architecture and kernel. */
class SeccompTest {
  private static final Set<String> DEFAULT_CAPS = Set.copyOf(OciSpec.DEFAULT_CAPS);

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> rulesFor(Map<String, Object> compiled, String syscall) {
    return ((List<Map<String, Object>>) compiled.get("syscalls")).stream()
        .filter(r -> ((List<String>) r.get("names")).contains(syscall)).toList();
  }

  private static Map<String, Object> compile(Set<String> caps, String arch, String kernel) {
    return Seccomp.compile(Seccomp.defaultProfile(), caps, arch, kernel);
  }

  @Test
  void theDefaultProfileIsAnAllowListThatRefusesTheDangerousCalls() {
    Map<String, Object> c = compile(DEFAULT_CAPS, "amd64", "6.1.0-18-amd64");
    assertEquals("SCMP_ACT_ERRNO", c.get("defaultAction"));
    assertEquals(1, c.get("defaultErrnoRet"), "EPERM");
    assertEquals(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), c.get("architectures"));
    for (String refused : List.of("unshare", "setns", "keyctl", "add_key", "request_key", "bpf", "userfaultfd",
        "io_uring_setup", "io_uring_enter", "io_uring_register", "mount", "umount2", "pivot_root", "kexec_load",
        "init_module", "reboot", "swapon", "perf_event_open", "open_by_handle_at", "clock_settime", "acct",
        "ptrace_not_a_call", "fsopen", "move_mount", "lookup_dcookie", "chroot_not_a_call", "vhangup")) {
      assertEquals(List.of(), rulesFor(c, refused), refused + " must not be allowed by default");
    }
    for (String allowed : List.of("read", "openat", "execve", "socket", "futex", "arch_prctl", "ptrace",
        "chroot", "io_submit", "seccomp")) {
      assertFalse(rulesFor(c, allowed).isEmpty(), allowed + " is allowed");
    }
    assertTrue(rulesFor(c, "chroot").isEmpty() == false, "CAP_SYS_CHROOT is a default capability");
  }

  @Test
  void cloneIsAllowedOnlyWithoutNamespaceFlagsAndClone3FallsBackToClone() {
    Map<String, Object> c = compile(DEFAULT_CAPS, "amd64", "6.1");
    List<Map<String, Object>> clone = rulesFor(c, "clone");
    assertEquals(1, clone.size());
    assertEquals(List.of(Map.of("index", 0, "value", 0x7E020000L, "op", "SCMP_CMP_MASKED_EQ")), clone.get(0).get("args"));
    List<Map<String, Object>> clone3 = rulesFor(c, "clone3");
    assertEquals(List.of(Map.of("names", List.of("clone3"), "action", "SCMP_ACT_ERRNO", "errnoRet", 38)), clone3);
    assertEquals(5, rulesFor(c, "personality").size());
    assertEquals(List.of(Map.of("index", 0, "value", 40L, "op", "SCMP_CMP_NE")), rulesFor(c, "socket").get(0).get("args"));
  }

  @Test
  void capabilitiesArchitecturesAndKernelsSelectRules() {
    Set<String> admin = new HashSet<>(DEFAULT_CAPS);
    admin.add("CAP_SYS_ADMIN");
    Map<String, Object> c = compile(admin, "amd64", "6.1");
    assertFalse(rulesFor(c, "unshare").isEmpty(), "--cap-add SYS_ADMIN allows unshare, as in Docker");
    assertEquals(List.of(Map.of("names", rulesFor(c, "unshare").get(0).get("names"), "action", "SCMP_ACT_ALLOW")),
        rulesFor(c, "unshare"));
    assertTrue(rulesFor(c, "clone").stream().noneMatch(r -> r.containsKey("args")), "clone unrestricted");
    assertTrue(rulesFor(c, "clone3").stream().noneMatch(r -> "SCMP_ACT_ERRNO".equals(r.get("action"))));

    Set<String> noChroot = new HashSet<>(DEFAULT_CAPS);
    noChroot.remove("CAP_SYS_CHROOT");
    assertTrue(rulesFor(compile(noChroot, "amd64", "6.1"), "chroot").isEmpty(), "--cap-drop SYS_CHROOT");

    Map<String, Object> arm = compile(DEFAULT_CAPS, "arm64", "6.1");
    assertEquals(List.of("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"), arm.get("architectures"));
    assertTrue(rulesFor(arm, "arch_prctl").isEmpty());
    assertFalse(rulesFor(arm, "set_tls").isEmpty());

    assertTrue(rulesFor(compile(DEFAULT_CAPS, "amd64", "4.4.0-generic"), "ptrace").isEmpty(), "ptrace needs 4.8");
    assertFalse(rulesFor(compile(DEFAULT_CAPS, "amd64", "4.8"), "ptrace").isEmpty());
  }

  @Test
  void theSpecChoosesTheFilter() {
    ContainerSpec spec = new ContainerSpec();
    assertEquals("SCMP_ACT_ERRNO", Seccomp.forContainer(spec, DEFAULT_CAPS).get("defaultAction"));
    spec.privileges = new ContainerSpec.Privileges();
    spec.privileges.seccomp = new ContainerSpec.SeccompOpts();
    spec.privileges.seccomp.mode = "unconfined";
    assertNull(Seccomp.forContainer(spec, DEFAULT_CAPS));
    spec.privileges.seccomp.mode = "custom";
    spec.privileges.seccomp.profile = "{\"defaultAction\":\"SCMP_ACT_LOG\",\"architectures\":[\"SCMP_ARCH_X86_64\"]}";
    assertEquals(Map.of("defaultAction", "SCMP_ACT_LOG", "architectures", List.of("SCMP_ARCH_X86_64"),
        "syscalls", List.of()), Seccomp.forContainer(spec, DEFAULT_CAPS));
    spec.privileges.seccomp.profile = "{\"defaultAction\":7}";
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Seccomp.forContainer(spec, DEFAULT_CAPS))
        .getMessage().startsWith("ContainerSpec.Privileges.Seccomp.Profile: defaultAction"));
  }
}
