package io.jswarm.cli.client.payload;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.cli.client.ApiClient;
import io.jswarm.cli.client.DaemonErrorException;
import io.jswarm.cli.client.UsageException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code service create --secret/--config} and {@code service update --secret-add/--secret-rm/--config-add/--config-rm},
 * as the docker CLI parses them: {@code NAME} or {@code source=NAME[,target=FILE][,uid=N][,gid=N][,mode=0444]}
 * ({@code src} for source; the mode in Go's base-0 notation: {@code 0400} octal, {@code 256} decimal). The name is
 * resolved to the secret's or config's id here, as the docker CLI does; the target defaults to the name (secrets:
 * under /run/secrets; configs: at /NAME), uid and gid to 0, the mode to 0444.
 */
public final class PayloadRefs {
  private static final long DEFAULT_MODE = 0444;

  private PayloadRefs() {}

  /** Sets the references of a new service. */
  public static void create(ApiClient api, ContainerSpec c, List<String> secrets, List<String> configs) {
    update(api, c, secrets, List.of(), configs, List.of(), "--secret", "--config");
  }

  /** Removes ({@code -rm}: by name or id) then adds references; a reference to the same target is replaced. */
  public static void update(ApiClient api, ContainerSpec c, List<String> secretAdd, List<String> secretRm,
      List<String> configAdd, List<String> configRm) {
    update(api, c, secretAdd, secretRm, configAdd, configRm, "--secret-add", "--config-add");
  }

  private static void update(ApiClient api, ContainerSpec c, List<String> secretAdd, List<String> secretRm,
      List<String> configAdd, List<String> configRm, String secretFlag, String configFlag) {
    if (!secretAdd.isEmpty() || !secretRm.isEmpty()) {
      List<ContainerSpec.SecretReference> refs = c.secrets == null ? new ArrayList<>() : new ArrayList<>(c.secrets);
      Set<String> rm = new HashSet<>(secretRm);
      refs.removeIf(r -> rm.contains(r.secretName) || rm.contains(r.secretId));
      for (String v : secretAdd) {
        Parsed p = parse(secretFlag, v);
        JsonNode s = lookup(api, "secret", p.source);
        ContainerSpec.SecretReference r = new ContainerSpec.SecretReference();
        r.secretId = s.path("ID").asText();
        r.secretName = s.path("Spec").path("Name").asText();
        r.file = p.file();
        refs.removeIf(o -> o.file != null && r.file.name.equals(o.file.name));
        refs.add(r);
      }
      c.secrets = refs.isEmpty() ? null : refs;
    }
    if (!configAdd.isEmpty() || !configRm.isEmpty()) {
      List<ContainerSpec.ConfigReference> refs = c.configs == null ? new ArrayList<>() : new ArrayList<>(c.configs);
      Set<String> rm = new HashSet<>(configRm);
      refs.removeIf(r -> rm.contains(r.configName) || rm.contains(r.configId));
      for (String v : configAdd) {
        Parsed p = parse(configFlag, v);
        JsonNode s = lookup(api, "config", p.source);
        ContainerSpec.ConfigReference r = new ContainerSpec.ConfigReference();
        r.configId = s.path("ID").asText();
        r.configName = s.path("Spec").path("Name").asText();
        r.file = p.file();
        refs.removeIf(o -> o.file != null && r.file.name.equals(o.file.name));
        refs.add(r);
      }
      c.configs = refs.isEmpty() ? null : refs;
    }
  }

  record Parsed(String source, String target, String uid, String gid, long mode) {
    ContainerSpec.FileTarget file() {
      ContainerSpec.FileTarget f = new ContainerSpec.FileTarget();
      f.name = target;
      f.uid = uid;
      f.gid = gid;
      f.mode = mode;
      return f;
    }
  }

  static Parsed parse(String flag, String value) {
    String source = null;
    String target = null;
    String uid = "0";
    String gid = "0";
    long mode = DEFAULT_MODE;
    if (!value.contains("=")) {
      source = value;
    } else {
      for (String part : value.split(",")) {
        int eq = part.indexOf('=');
        if (eq <= 0) {
          throw new UsageException("invalid field '" + part + "' in " + flag + " \"" + value + "\": want key=value");
        }
        String k = part.substring(0, eq).trim().toLowerCase(java.util.Locale.ROOT);
        String v = part.substring(eq + 1).trim();
        switch (k) {
          case "source", "src" -> source = v;
          case "target" -> target = v;
          case "uid" -> uid = number(flag, "uid", v);
          case "gid" -> gid = number(flag, "gid", v);
          case "mode" -> mode = mode(flag, v);
          default -> throw new UsageException("invalid field key '" + k + "' in " + flag + " \"" + value
              + "\"; allowed: source (src), target, uid, gid, mode");
        }
      }
    }
    if (source == null || source.isEmpty()) {
      throw new UsageException("invalid " + flag + " \"" + value + "\": source is required (source=NAME or NAME)");
    }
    return new Parsed(source, target == null || target.isEmpty() ? source : target, uid, gid, mode);
  }

  private static String number(String flag, String key, String v) {
    if (!v.matches("[0-9]{1,10}")) {
      throw new UsageException("invalid " + key + " \"" + v + "\" in " + flag + ": give a numeric id such as 1000");
    }
    return v;
  }

  /** Go's {@code strconv.ParseUint(v, 0, 32)}: 0x.. hex, 0o../0.. octal, else decimal. */
  private static long mode(String flag, String v) {
    try {
      long m;
      if (v.startsWith("0x") || v.startsWith("0X")) {
        m = Long.parseLong(v.substring(2), 16);
      } else if (v.startsWith("0o") || v.startsWith("0O")) {
        m = Long.parseLong(v.substring(2), 8);
      } else if (v.length() > 1 && v.startsWith("0")) {
        m = Long.parseLong(v.substring(1), 8);
      } else {
        m = Long.parseLong(v);
      }
      if (m < 0 || m > 0777) {
        throw new NumberFormatException();
      }
      return m;
    } catch (NumberFormatException e) {
      throw new UsageException("invalid mode \"" + v + "\" in " + flag + ": give permission bits in octal, e.g. 0400");
    }
  }

  private static JsonNode lookup(ApiClient api, String noun, String ref) {
    try {
      return api.getTree("/" + noun + "s/" + URLEncoder.encode(ref, StandardCharsets.UTF_8).replace("+", "%20"));
    } catch (DaemonErrorException e) {
      if (e.status() == 404) {
        throw new UsageException(noun + " not found: " + ref + " (create it with jswarm " + noun + " create " + ref
            + " FILE)");
      }
      throw e;
    }
  }
}
