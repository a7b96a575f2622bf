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
import java.util.function.BiFunction;
import java.util.function.Function;

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
      c.secrets = edit(api, "secret", secretFlag, c.secrets, secretAdd, secretRm, r -> r.secretName, r -> r.secretId,
          r -> r.file, (found, p) -> {
            ContainerSpec.SecretReference r = new ContainerSpec.SecretReference();
            r.secretId = found.path("ID").asText();
            r.secretName = found.path("Spec").path("Name").asText();
            r.file = p.file();
            return r;
          });
    }
    if (!configAdd.isEmpty() || !configRm.isEmpty()) {
      c.configs = edit(api, "config", configFlag, c.configs, configAdd, configRm, r -> r.configName, r -> r.configId,
          r -> r.file, (found, p) -> {
            ContainerSpec.ConfigReference r = new ContainerSpec.ConfigReference();
            r.configId = found.path("ID").asText();
            r.configName = found.path("Spec").path("Name").asText();
            r.file = p.file();
            return r;
          });
    }
  }

  /**
   * The references after removing those named in {@code rm} (by name or id) and adding {@code add} (each replacing a
   * reference to the same file); null when none is left.
   */
  private static <R> List<R> edit(ApiClient api, String noun, String flag, List<R> current, List<String> add,
      List<String> rm, Function<R, String> name, Function<R, String> id, Function<R, ContainerSpec.FileTarget> file,
      BiFunction<JsonNode, Parsed, R> make) {
    List<R> refs = current == null ? new ArrayList<>() : new ArrayList<>(current);
    Set<String> gone = new HashSet<>(rm);
    refs.removeIf(r -> gone.contains(name.apply(r)) || gone.contains(id.apply(r)));
    for (String v : add) {
      Parsed p = parse(flag, v);
      R r = make.apply(lookup(api, noun, p.source()), p);
      refs.removeIf(o -> file.apply(o) != null && p.target().equals(file.apply(o).name));
      refs.add(r);
    }
    return refs.isEmpty() ? null : refs;
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
