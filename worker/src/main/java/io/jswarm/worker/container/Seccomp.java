package io.jswarm.worker.container;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.SeccompProfile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The seccomp filter of a container: jswarm's default profile ({@value #DEFAULT_RESOURCE}, an allow-list equal to
 * Docker's default), none ({@code Privileges.Seccomp.Mode} unconfined) or the service's custom profile, compiled
 * into the OCI runtime config's {@code linux.seccomp} for the container's capabilities and this node's
 * architecture and kernel, as dockerd does: a rule is kept when its {@code includes} hold (every cap granted, the
 * node's architecture listed, the kernel at least {@code minKernel}) and no {@code excludes} entry does.
 */
final class Seccomp {
  static final String DEFAULT_RESOURCE = "/io/jswarm/worker/container/seccomp-default.json";
  private static final SeccompProfile DEFAULT = loadDefault();

  private Seccomp() {}

  /** The node's architecture as profiles name it (Go's names: amd64, arm64, ...). */
  static String nodeArch() {
    String a = System.getProperty("os.arch", "amd64").toLowerCase(Locale.ROOT);
    return switch (a) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      case "x86", "i386", "i686" -> "386";
      default -> a;
    };
  }

  /** The running kernel's release ({@code 6.1.0-18-amd64}). */
  static String kernelRelease() {
    return System.getProperty("os.version", "0");
  }

  /**
   * The {@code linux.seccomp} object for a container of {@code spec} holding {@code caps}, or null for none
   * (mode unconfined).
   *
   * @throws IllegalArgumentException naming {@code ContainerSpec.Privileges.Seccomp} when the spec's profile is
   *     not valid (the manager checks it too; a task stored before that check fails here with the same words)
   */
  static Map<String, Object> forContainer(ContainerSpec spec, Set<String> caps) {
    ContainerSpec.SeccompOpts s = spec.privileges == null ? null : spec.privileges.seccomp;
    String mode = s == null || s.mode == null || s.mode.isEmpty() ? ContainerSpec.SeccompOpts.DEFAULT : s.mode;
    switch (mode) {
      case ContainerSpec.SeccompOpts.UNCONFINED:
        return null;
      case ContainerSpec.SeccompOpts.DEFAULT:
        return compile(DEFAULT, caps, nodeArch(), kernelRelease());
      case ContainerSpec.SeccompOpts.CUSTOM:
        try {
          return compile(SeccompProfile.parse(SeccompProfile.text(s.profile)), caps, nodeArch(), kernelRelease());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("ContainerSpec.Privileges.Seccomp.Profile: " + e.getMessage(), e);
        }
      default:
        throw new IllegalArgumentException("ContainerSpec.Privileges.Seccomp.Mode: \"" + mode
            + "\" is not allowed; use one of default, unconfined, custom");
    }
  }

  /** The default profile as parsed. */
  static SeccompProfile defaultProfile() {
    return DEFAULT;
  }

  /** Compiles {@code p} for a container holding {@code caps} on architecture {@code arch} and kernel {@code kernel}. */
  static Map<String, Object> compile(SeccompProfile p, Set<String> caps, String arch, String kernel) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("defaultAction", p.defaultAction());
    if (p.defaultErrnoRet() != null) {
      out.put("defaultErrnoRet", p.defaultErrnoRet());
    }
    List<String> arches = new ArrayList<>(p.architectures());
    String native_ = scmpArch(arch);
    for (SeccompProfile.ArchMap m : p.archMap()) {
      if (m.architecture().equals(native_)) {
        arches.add(m.architecture());
        arches.addAll(m.subArchitectures());
      }
    }
    if (!arches.isEmpty()) {
      out.put("architectures", arches);
    }
    List<Map<String, Object>> syscalls = new ArrayList<>();
    for (SeccompProfile.Rule r : p.syscalls()) {
      if (!applies(r, caps, arch, kernel)) {
        continue;
      }
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("names", r.names());
      s.put("action", r.action());
      if (r.errnoRet() != null) {
        s.put("errnoRet", r.errnoRet());
      }
      if (!r.args().isEmpty()) {
        List<Map<String, Object>> args = new ArrayList<>();
        for (SeccompProfile.Arg a : r.args()) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("index", a.index());
          m.put("value", unsigned(a.value()));
          if (a.valueTwo() != 0) {
            m.put("valueTwo", unsigned(a.valueTwo()));
          }
          m.put("op", a.op());
          args.add(m);
        }
        s.put("args", args);
      }
      syscalls.add(s);
    }
    out.put("syscalls", syscalls);
    return out;
  }

  private static boolean applies(SeccompProfile.Rule r, Set<String> caps, String arch, String kernel) {
    SeccompProfile.Filter in = r.includes();
    if (!caps.containsAll(in.caps())) {
      return false;
    }
    if (!in.arches().isEmpty() && !in.arches().contains(arch)) {
      return false;
    }
    if (in.minKernel() != null && compareKernel(kernel, in.minKernel()) < 0) {
      return false;
    }
    SeccompProfile.Filter ex = r.excludes();
    if (ex.caps().stream().anyMatch(caps::contains)) {
      return false;
    }
    return !ex.arches().contains(arch);
  }

  /** Compares kernel versions by their numeric major.minor.patch ({@code 6.1.0-18-amd64} vs {@code 4.8}). */
  static int compareKernel(String release, String min) {
    int[] a = version(release);
    int[] b = version(min);
    for (int i = 0; i < 3; i++) {
      if (a[i] != b[i]) {
        return Integer.compare(a[i], b[i]);
      }
    }
    return 0;
  }

  private static int[] version(String v) {
    int[] out = new int[3];
    String numeric = v.replaceAll("^([0-9.]*).*$", "$1");
    int k = 0;
    for (String part : numeric.split("\\.")) {
      if (k < 3 && !part.isEmpty()) {
        out[k++] = Integer.parseInt(part);
      }
    }
    return out;
  }

  private static String scmpArch(String goArch) {
    return switch (goArch) {
      case "amd64" -> "SCMP_ARCH_X86_64";
      case "386" -> "SCMP_ARCH_X86";
      case "arm64" -> "SCMP_ARCH_AARCH64";
      case "arm" -> "SCMP_ARCH_ARM";
      case "ppc64le" -> "SCMP_ARCH_PPC64LE";
      case "s390x" -> "SCMP_ARCH_S390X";
      case "riscv64" -> "SCMP_ARCH_RISCV64";
      default -> "SCMP_ARCH_" + goArch.toUpperCase(Locale.ROOT);
    };
  }

  private static Object unsigned(long v) {
    return v >= 0 ? (Object) v : new BigInteger(Long.toUnsignedString(v));
  }

  private static SeccompProfile loadDefault() {
    try (InputStream in = Seccomp.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULT_RESOURCE + " is missing from the jswarm jar; rebuild it");
      }
      return SeccompProfile.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
