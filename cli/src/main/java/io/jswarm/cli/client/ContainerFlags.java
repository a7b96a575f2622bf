package io.jswarm.cli.client;

import io.jswarm.api.validation.ByteSize;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Limit;
import io.jswarm.api.types.Mount;
import io.jswarm.api.types.ResourceRequirements;
import io.jswarm.api.types.TaskSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The container flags of {@code service create} into the task template: cpuset, health check,
 * mounts, stop signal and grace period, entrypoint, working directory, user and hostname. Invalid values are
 * refused with a message naming the flag.
 */
final class ContainerFlags {
  private static final Set<String> SIGNALS = Set.of("HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
      "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
      "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS");

  private ContainerFlags() {}

  static void apply(ServiceCreateFlags f, TaskSpec task) {
    ContainerSpec c = task.containerSpec;
    if (f.cpuset != null) {
      if (!f.cpuset.matches(Limit.CPU_LIST)) {
        throw new UsageException("invalid --cpuset \"" + f.cpuset + "\": want a CPU list like 0-3 or 0,2");
      }
      if (task.resources == null) {
        task.resources = new ResourceRequirements();
      }
      if (task.resources.limits == null) {
        task.resources.limits = new Limit();
      }
      task.resources.limits.cpuset = f.cpuset;
    }
    c.healthcheck = f.health.merge(null);
    c.privileges = f.security.merge(null);
    c.usernsMode = f.security.usernsMode(null);
    if (!f.mounts.isEmpty()) {
      c.mounts = new ArrayList<>();
      for (String m : f.mounts) {
        c.mounts.add(mount(m));
      }
    }
    if (f.stopSignal != null) {
      c.stopSignal = signal(f.stopSignal);
    }
    c.stopGracePeriod = f.stopGracePeriod;
    if (f.entrypoint != null) {
      List<String> words = words(f.entrypoint);
      if (words.isEmpty()) {
        throw new UsageException("invalid --entrypoint \"\": want a command, e.g. --entrypoint \"/bin/sh -c\"");
      }
      c.command = words;
    }
    c.dir = nonBlank("--workdir", f.workdir);
    if (c.dir != null && !c.dir.startsWith("/")) {
      throw new UsageException("invalid --workdir \"" + c.dir + "\": must be an absolute path");
    }
    c.user = nonBlank("--user", f.user);
    if (c.user != null && !c.user.matches("[^:\\s]+(:[^:\\s]+)?")) {
      throw new UsageException("invalid --user \"" + c.user + "\": want <name|uid>[:<group|gid>]");
    }
    c.hostname = nonBlank("--hostname", f.hostname);
    if (c.hostname != null && !c.hostname.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,62})")) {
      throw new UsageException("invalid --hostname \"" + c.hostname
          + "\": letters, digits, '.' and '-', at most 63 characters, starting with a letter or digit");
    }
  }

  /** {@code type=bind,source=/a,target=/b,readonly} (Docker's --mount syntax). */
  static Mount mount(String value) {
    Map<String, String> kv = new LinkedHashMap<>();
    for (String field : value.split(",")) {
      if (field.isBlank()) {
        continue;
      }
      int eq = field.indexOf('=');
      String k = (eq < 0 ? field : field.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
      String v = eq < 0 ? null : field.substring(eq + 1).trim();
      if (kv.put(k, v) != null) {
        throw new UsageException("invalid --mount \"" + value + "\": " + k + " given twice");
      }
    }
    Mount m = new Mount();
    m.type = "volume";
    for (Map.Entry<String, String> e : kv.entrySet()) {
      String k = e.getKey();
      String v = e.getValue();
      if (v == null && !k.equals("readonly") && !k.equals("ro") && !k.equals("bind-nonrecursive")) {
        throw new UsageException("invalid --mount \"" + value + "\": " + k + " needs a value (" + k + "=...)");
      }
      switch (k) {
        case "type" -> {
          if (!List.of("bind", "volume", "tmpfs").contains(v)) {
            throw new UsageException("invalid --mount type \"" + v + "\": allowed: bind, volume, tmpfs");
          }
          m.type = v;
        }
        case "source", "src" -> m.source = v;
        case "target", "destination", "dst" -> m.target = v;
        case "readonly", "ro" -> m.readOnly = bool(value, k, v);
        case "volume-label" -> {
          if (m.volumeOptions == null) {
            m.volumeOptions = new Mount.VolumeOptions();
            m.volumeOptions.labels = new LinkedHashMap<>();
          }
          int eq = v.indexOf('=');
          m.volumeOptions.labels.put(eq < 0 ? v : v.substring(0, eq), eq < 0 ? "" : v.substring(eq + 1));
        }
        case "volume-nocopy" -> {
          if (m.volumeOptions == null) {
            m.volumeOptions = new Mount.VolumeOptions();
          }
          m.volumeOptions.noCopy = bool(value, k, v);
        }
        case "bind-propagation" -> {
          if (!List.of("private", "rprivate", "shared", "rshared", "slave", "rslave").contains(v)) {
            throw new UsageException("invalid --mount bind-propagation \"" + v
                + "\": allowed: private, rprivate, shared, rshared, slave, rslave");
          }
          bindOptions(m).propagation = v;
        }
        case "bind-nonrecursive" -> bindOptions(m).nonRecursive = bool(value, k, v);
        case "tmpfs-size" -> {
          try {
            tmpfsOptions(m).sizeBytes = ByteSize.parse(v);
          } catch (IllegalArgumentException ex) {
            throw new UsageException("invalid --mount tmpfs-size \"" + v + "\": " + ex.getMessage());
          }
        }
        case "tmpfs-mode" -> {
          try {
            tmpfsOptions(m).mode = Long.parseLong(v, 8);
          } catch (NumberFormatException ex) {
            throw new UsageException("invalid --mount tmpfs-mode \"" + v + "\": want octal bits like 1777");
          }
        }
        default -> throw new UsageException("invalid --mount \"" + value + "\": unknown field \"" + k
            + "\"; allowed: type, source, target, readonly, volume-label, volume-nocopy, bind-propagation, "
            + "bind-nonrecursive, tmpfs-size, tmpfs-mode");
      }
    }
    if (m.target == null || m.target.isEmpty()) {
      throw new UsageException("invalid --mount \"" + value + "\": target is required (target=/path)");
    }
    if (!m.target.startsWith("/")) {
      throw new UsageException("invalid --mount \"" + value + "\": target must be an absolute path");
    }
    switch (m.type) {
      case "bind" -> {
        if (m.source == null || !m.source.startsWith("/")) {
          throw new UsageException("invalid --mount \"" + value + "\": a bind mount needs source=/absolute/path");
        }
      }
      case "volume" -> {
        if (m.source == null || m.source.isEmpty()) {
          throw new UsageException("invalid --mount \"" + value + "\": a volume mount needs source=VOLUME_NAME");
        }
      }
      case "tmpfs" -> {
        if (m.source != null) {
          throw new UsageException("invalid --mount \"" + value + "\": a tmpfs mount takes no source");
        }
      }
      default -> { }
    }
    if ((m.bindOptions != null && !m.type.equals("bind")) || (m.volumeOptions != null && !m.type.equals("volume"))
        || (m.tmpfsOptions != null && !m.type.equals("tmpfs"))) {
      throw new UsageException("invalid --mount \"" + value + "\": options of another mount type than " + m.type);
    }
    return m;
  }

  private static Mount.BindOptions bindOptions(Mount m) {
    if (m.bindOptions == null) {
      m.bindOptions = new Mount.BindOptions();
    }
    return m.bindOptions;
  }

  private static Mount.TmpfsOptions tmpfsOptions(Mount m) {
    if (m.tmpfsOptions == null) {
      m.tmpfsOptions = new Mount.TmpfsOptions();
    }
    return m.tmpfsOptions;
  }

  private static Boolean bool(String value, String key, String v) {
    if (v == null || v.equals("1") || v.equalsIgnoreCase("true")) {
      return true;
    }
    if (v.equals("0") || v.equalsIgnoreCase("false")) {
      return false;
    }
    throw new UsageException("invalid --mount \"" + value + "\": " + key + " must be true or false");
  }

  /** A signal name (SIGTERM, TERM) or number (1-64), as given when valid. */
  static String signal(String s) {
    String u = s.toUpperCase(Locale.ROOT);
    String name = u.startsWith("SIG") ? u.substring(3) : u;
    if (SIGNALS.contains(name) || name.matches("RTMIN(\\+[0-9]+)?|RTMAX(-[0-9]+)?")) {
      return "SIG" + name;
    }
    if (s.matches("[0-9]+") && Integer.parseInt(s) >= 1 && Integer.parseInt(s) <= 64) {
      return s;
    }
    throw new UsageException("invalid --stop-signal \"" + s + "\": want a signal name like SIGTERM or SIGINT, "
        + "or a number from 1 to 64");
  }

  private static String nonBlank(String flag, String v) {
    if (v == null) {
      return null;
    }
    if (v.isBlank()) {
      throw new UsageException("invalid " + flag + " \"\": cannot be empty");
    }
    return v;
  }

  /** Splits like a shell: whitespace separates words, quotes group them, backslash escapes. */
  static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (quote != 0) {
        if (ch == quote) {
          quote = 0;
        } else if (ch == '\\' && quote == '"' && i + 1 < s.length()) {
          cur.append(s.charAt(++i));
        } else {
          cur.append(ch);
        }
      } else if (ch == '\'' || ch == '"') {
        quote = ch;
        inWord = true;
      } else if (ch == '\\' && i + 1 < s.length()) {
        cur.append(s.charAt(++i));
        inWord = true;
      } else if (Character.isWhitespace(ch)) {
        if (inWord) {
          out.add(cur.toString());
          cur.setLength(0);
          inWord = false;
        }
      } else {
        cur.append(ch);
        inWord = true;
      }
    }
    if (quote != 0) {
      throw new UsageException("invalid --entrypoint \"" + s + "\": unterminated quote");
    }
    if (inWord) {
      out.add(cur.toString());
    }
    return out;
  }
}
