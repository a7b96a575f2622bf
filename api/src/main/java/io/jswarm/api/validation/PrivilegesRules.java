package io.jswarm.api.validation;

import static io.jswarm.api.validation.Checks.isEmpty;
import static io.jswarm.api.validation.Checks.oneOf;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.SeccompProfile;

/**
 * The rules of {@code ContainerSpec.Privileges}: {@code Seccomp.Mode} default|unconfined|custom (empty =
 * default), a {@code Profile} exactly with mode custom, and that profile a valid seccomp profile.
 */
final class PrivilegesRules {
  private PrivilegesRules() {}

  static void check(Problems p, String path, ContainerSpec.Privileges priv) {
    if (priv == null || priv.seccomp == null) {
      return;
    }
    ContainerSpec.SeccompOpts s = priv.seccomp;
    String at = path + ".Seccomp";
    oneOf(p, at + ".Mode", s.mode, true, ContainerSpec.SeccompOpts.DEFAULT, ContainerSpec.SeccompOpts.UNCONFINED,
        ContainerSpec.SeccompOpts.CUSTOM);
    boolean custom = ContainerSpec.SeccompOpts.CUSTOM.equals(s.mode);
    if (!custom) {
      if (!isEmpty(s.profile)) {
        p.add(at + ".Profile", "is only taken with Mode \"custom\"; set Mode to custom or remove the profile");
      }
      return;
    }
    if (isEmpty(s.profile)) {
      p.add(at + ".Profile", "must be set with Mode \"custom\"; give a seccomp profile in Docker's JSON format");
      return;
    }
    try {
      SeccompProfile.parse(SeccompProfile.text(s.profile));
    } catch (IllegalArgumentException e) {
      p.add(at + ".Profile", e.getMessage());
    }
  }
}
