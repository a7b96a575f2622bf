package io.jswarm.api.types;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A seccomp profile in Docker's JSON format, the format of {@code docker run --security-opt seccomp=FILE} and of
 * jswarm's own default profile: {@code defaultAction} (and {@code defaultErrnoRet}), the architectures
 * ({@code architectures}, or {@code archMap} entries of a native architecture and its sub-architectures), and
 * {@code syscalls} rules: {@code names}, {@code action} ({@code errnoRet}), up to six {@code args} conditions
 * ({@code index} 0-5, {@code value}, {@code valueTwo}, {@code op}), and {@code includes} / {@code excludes}
 * ({@code caps}, {@code arches}, {@code minKernel}) that make a rule depend on the container's capabilities,
 * the node's architecture and kernel. {@link #parse} checks all of it and names the broken field.
 *
 * <p>The container executor compiles a profile into the OCI runtime config's {@code linux.seccomp} for one
 * container (its capabilities) on one node (its architecture and kernel).
 */
public record SeccompProfile(String defaultAction, Integer defaultErrnoRet, List<String> architectures,
    List<ArchMap> archMap, List<Rule> syscalls) {
  /** The actions a profile may use. SCMP_ACT_NOTIFY is not among them: it needs a listener jswarm does not run. */
  public static final Set<String> ACTIONS = Set.of("SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
      "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG");
  public static final Set<String> OPERATORS = Set.of("SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
      "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");
  /** The largest profile text taken (Docker's default profile is about 20 KiB). */
  public static final int MAX_BYTES = 1 << 20;
  private static final Pattern SYSCALL = Pattern.compile("[a-z0-9_]{1,64}");
  private static final Pattern ARCH = Pattern.compile("SCMP_ARCH_[A-Z0-9_]{1,32}");
  private static final Pattern KERNEL = Pattern.compile("[0-9]{1,4}(\\.[0-9]{1,4}){0,2}");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One {@code archMap} entry: on {@code architecture}, its sub-architectures are filtered too. */
  public record ArchMap(String architecture, List<String> subArchitectures) {}

  /** One rule of {@code syscalls}. */
  public record Rule(List<String> names, String action, Integer errnoRet, List<Arg> args, Filter includes,
      Filter excludes) {}

  /** One argument condition; {@code value} and {@code valueTwo} are unsigned 64-bit (kept in a long's bits). */
  public record Arg(int index, long value, long valueTwo, String op) {}

  /**
   * When a rule applies: {@code includes} needs every cap, one of the arches and a kernel at least
   * {@code minKernel}; {@code excludes} drops the rule on any cap or arch listed.
   */
  public record Filter(List<String> caps, List<String> arches, String minKernel) {
    static final Filter NONE = new Filter(List.of(), List.of(), null);
  }

  /**
   * The profile text of a {@code Privileges.Seccomp.Profile} field: Docker's Go client sends the profile's bytes
   * base64-encoded; the JSON text itself is taken too.
   *
   * @throws IllegalArgumentException when it is neither
   */
  public static String text(String field) {
    String t = field == null ? "" : field.strip();
    if (t.isEmpty()) {
      throw new IllegalArgumentException("is empty; give the profile's JSON (base64-encoded, or as text)");
    }
    if (t.startsWith("{") || t.startsWith("[")) {
      return t;
    }
    try {
      return new String(Base64Data.decode(t), StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("is neither JSON nor base64 of JSON; give the profile's JSON");
    }
  }

  /**
   * Parses and checks a profile.
   *
   * @throws IllegalArgumentException naming the broken field ({@code syscalls[3].args[0].op: ...})
   */
  public static SeccompProfile parse(String text) {
    if (text.length() > MAX_BYTES) {
      throw new IllegalArgumentException("is " + text.length() + " bytes; a profile may have at most " + MAX_BYTES);
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("must be a JSON object with defaultAction and syscalls");
    }
    String defaultAction = action(root, "defaultAction", true);
    Integer defaultErrno = errno(root, "defaultErrnoRet");
    List<String> arches = strings(root, "architectures", ARCH, "an architecture like SCMP_ARCH_X86_64");
    List<ArchMap> archMap = new ArrayList<>();
    JsonNode am = root.get("archMap");
    if (am != null && !am.isNull()) {
      requireArray(am, "archMap");
      for (int i = 0; i < am.size(); i++) {
        JsonNode e = am.get(i);
        String at = "archMap[" + i + "]";
        requireObject(e, at);
        List<String> main = strings(e, "architecture", ARCH, "an architecture like SCMP_ARCH_X86_64", at);
        if (main.size() != 1) {
          throw new IllegalArgumentException(at + ".architecture: must be one architecture like SCMP_ARCH_X86_64");
        }
        archMap.add(new ArchMap(main.get(0), strings(e, "subArchitectures", ARCH,
            "an architecture like SCMP_ARCH_X86", at)));
      }
    }
    List<Rule> rules = new ArrayList<>();
    JsonNode sc = root.get("syscalls");
    if (sc != null && !sc.isNull()) {
      requireArray(sc, "syscalls");
      for (int i = 0; i < sc.size(); i++) {
        rules.add(rule(sc.get(i), "syscalls[" + i + "]"));
      }
    }
    return new SeccompProfile(defaultAction, defaultErrno, arches, List.copyOf(archMap), List.copyOf(rules));
  }

  private static Rule rule(JsonNode r, String at) {
    requireObject(r, at);
    List<String> names = new ArrayList<>(strings(r, "names", SYSCALL, "a syscall name like openat", at));
    JsonNode single = r.get("name"); // the older one-name form
    if (single != null && !single.isNull()) {
      names.addAll(strings(r, "name", SYSCALL, "a syscall name like openat", at));
    }
    if (names.isEmpty()) {
      throw new IllegalArgumentException(at + ".names: must list at least one syscall");
    }
    String action = action(r, "action", true, at);
    Integer errno = errno(r, "errnoRet", at);
    List<Arg> args = new ArrayList<>();
    JsonNode a = r.get("args");
    if (a != null && !a.isNull()) {
      requireArray(a, at + ".args");
      if (a.size() > 6) {
        throw new IllegalArgumentException(at + ".args: a syscall has at most 6 arguments, " + a.size() + " given");
      }
      for (int k = 0; k < a.size(); k++) {
        args.add(arg(a.get(k), at + ".args[" + k + "]"));
      }
    }
    return new Rule(List.copyOf(names), action, errno, List.copyOf(args), filter(r, "includes", at),
        filter(r, "excludes", at));
  }

  private static Arg arg(JsonNode a, String at) {
    requireObject(a, at);
    JsonNode index = a.get("index");
    if (index == null || !index.canConvertToInt() || !index.isIntegralNumber() || index.asInt() < 0
        || index.asInt() > 5) {
      throw new IllegalArgumentException(at + ".index: must be an argument number from 0 to 5");
    }
    String op = a.path("op").isTextual() ? a.path("op").asText() : null;
    if (op == null || !OPERATORS.contains(op)) {
      throw new IllegalArgumentException(at + ".op: \"" + a.path("op").asText() + "\" is not allowed; use one of "
          + String.join(", ", OPERATORS.stream().sorted().toList()));
    }
    return new Arg(index.asInt(), unsigned(a, "value", at), unsigned(a, "valueTwo", at), op);
  }

  private static long unsigned(JsonNode a, String field, String at) {
    JsonNode v = a.get(field);
    if (v == null || v.isNull()) {
      return 0;
    }
    if (!v.isIntegralNumber() || v.bigIntegerValue().signum() < 0 || v.bigIntegerValue().bitLength() > 64) {
      throw new IllegalArgumentException(at + "." + field + ": must be an unsigned 64-bit integer, got " + v);
    }
    return v.bigIntegerValue().longValue();
  }

  private static Filter filter(JsonNode r, String field, String at) {
    JsonNode f = r.get(field);
    if (f == null || f.isNull()) {
      return Filter.NONE;
    }
    String path = at + "." + field;
    requireObject(f, path);
    List<String> caps = strings(f, "caps", Pattern.compile("CAP_[A-Z_]{1,32}"), "a capability like CAP_SYS_ADMIN",
        path);
    List<String> arches = strings(f, "arches", Pattern.compile("[a-z0-9]{1,16}"), "an architecture like amd64", path);
    String minKernel = null;
    JsonNode k = f.get("minKernel");
    if (k != null && !k.isNull()) {
      if (!k.isTextual() || !KERNEL.matcher(k.asText()).matches()) {
        throw new IllegalArgumentException(path + ".minKernel: must be a kernel version like \"4.8\", got " + k);
      }
      minKernel = k.asText();
    }
    return new Filter(caps, arches, minKernel);
  }

  private static String action(JsonNode n, String field, boolean required, String... at) {
    String path = path(field, at);
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new IllegalArgumentException(path + ": must be set; allowed: " + allowedActions());
      }
      return null;
    }
    if (!v.isTextual() || !ACTIONS.contains(v.asText())) {
      throw new IllegalArgumentException(path + ": " + v + " is not allowed; use one of " + allowedActions());
    }
    return v.asText();
  }

  private static String allowedActions() {
    return String.join(", ", ACTIONS.stream().sorted().toList());
  }

  private static Integer errno(JsonNode n, String field, String... at) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0 || v.asInt() > 4095) {
      throw new IllegalArgumentException(path(field, at) + ": must be an errno number from 0 to 4095, got " + v);
    }
    return v.asInt();
  }

  /** A list of strings (a lone string is taken as a list of one), each matching {@code pattern}. */
  private static List<String> strings(JsonNode n, String field, Pattern pattern, String what, String... at) {
    String path = path(field, at);
    JsonNode v = n.get(field);
    List<String> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (v.isTextual()) {
      v = JSON.createArrayNode().add(v);
    }
    requireArray(v, path);
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      if (!e.isTextual() || !pattern.matcher(e.asText()).matches()) {
        throw new IllegalArgumentException(path + "[" + i + "]: " + e + " is not " + what);
      }
      out.add(e.asText());
    }
    return List.copyOf(out);
  }

  private static String path(String field, String... at) {
    return at.length == 0 ? field : at[0] + "." + field;
  }

  private static void requireArray(JsonNode n, String path) {
    if (!n.isArray()) {
      throw new IllegalArgumentException(path + ": must be a JSON array");
    }
  }

  private static void requireObject(JsonNode n, String path) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException(path + ": must be a JSON object");
    }
  }
}
