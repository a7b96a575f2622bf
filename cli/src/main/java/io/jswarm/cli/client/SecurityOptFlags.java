package io.jswarm.cli.client;

import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.SeccompProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The {@code --security-opt} flag of {@code service create} and {@code service update} (a picocli mixin), as
 * {@code docker run} spells it: {@code seccomp=unconfined}, {@code seccomp=default}, {@code seccomp=FILE} (a
 * profile in Docker's JSON format, sent as {@code Privileges.Seccomp} mode custom), and
 * {@code no-new-privileges[=true|false]}. jswarm turns no_new_privs on by default, so
 * {@code no-new-privileges=false} is the opt-out.
 */
public final class SecurityOptFlags {
  @Option(names = "--security-opt", description = "Security options: seccomp=unconfined|default|FILE, "
      + "no-new-privileges=true|false (default: jswarm's seccomp profile and no-new-privileges).")
  public List<String> options = new ArrayList<>();

  @Option(names = "--userns", paramLabel = "host|\"\"", description = "host: no user namespace for the tasks on a "
      + "node whose daemon has --userns-remap; \"\" (update) back to the daemon's (jswarm extension).")
  public String userns;

  /**
   * {@code ContainerSpec.UsernsMode} after {@code --userns}: {@code current} when not given, {@code host}, or null
   * for {@code ""}.
   *
   * @throws UsageException for any other value
   */
  public String usernsMode(String current) {
    if (userns == null) {
      return current;
    }
    if (userns.isEmpty()) {
      return null;
    }
    if (!userns.equals(ContainerSpec.USERNS_HOST)) {
      throw new UsageException("invalid --userns \"" + userns + "\": host, or \"\" for the daemon's user namespace");
    }
    return userns;
  }

  /**
   * The privileges after these flags: {@code current} itself when none is given, else {@code current} (null for
   * a new service) with the given options replaced.
   *
   * @throws UsageException naming the option when a value or a profile file is not usable
   */
  public ContainerSpec.Privileges merge(ContainerSpec.Privileges current) {
    if (options.isEmpty()) {
      return current;
    }
    ContainerSpec.Privileges p = current == null ? new ContainerSpec.Privileges() : current;
    for (String o : options) {
      int eq = o.indexOf('=');
      String key = (eq < 0 ? o : o.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
      String value = eq < 0 ? null : o.substring(eq + 1).trim();
      switch (key) {
        case "seccomp" -> p.seccomp = seccomp(value);
        case "no-new-privileges" -> p.noNewPrivileges = bool(o, value);
        default -> throw new UsageException("invalid --security-opt \"" + o + "\": allowed: seccomp=unconfined|"
            + "default|FILE, no-new-privileges=true|false");
      }
    }
    return p;
  }

  private static ContainerSpec.SeccompOpts seccomp(String value) {
    if (value == null || value.isEmpty()) {
      throw new UsageException("invalid --security-opt seccomp: give unconfined, default or a profile file");
    }
    ContainerSpec.SeccompOpts s = new ContainerSpec.SeccompOpts();
    if (value.equals(ContainerSpec.SeccompOpts.UNCONFINED) || value.equals(ContainerSpec.SeccompOpts.DEFAULT)) {
      s.mode = value;
      return s;
    }
    String text;
    try {
      text = Files.readString(Path.of(value), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      throw new UsageException("invalid --security-opt seccomp=" + value + ": cannot read the profile file ("
          + e.getMessage() + "); give unconfined, default or a readable JSON profile");
    }
    try {
      SeccompProfile.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException("invalid --security-opt seccomp=" + value + ": " + e.getMessage());
    }
    s.mode = ContainerSpec.SeccompOpts.CUSTOM;
    s.profile = Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    return s;
  }

  private static Boolean bool(String option, String v) {
    if (v == null || v.equalsIgnoreCase("true") || v.equals("1")) {
      return true;
    }
    if (v.equalsIgnoreCase("false") || v.equals("0")) {
      return false;
    }
    throw new UsageException("invalid --security-opt \"" + option + "\": no-new-privileges is true or false");
  }
}
