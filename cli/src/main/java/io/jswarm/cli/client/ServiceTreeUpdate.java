package io.jswarm.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code service update} without data binding, for the flags it covers ({@code --label-add}, {@code --label-rm},
 * {@code --image}, {@code --replicas}, {@code --env-add}, {@code --env-rm}, {@code --force}, with {@code -d}, {@code -q},
 * {@code --dry-run}): the daemon's spec as it sent it, with only what the flags change, as {@code service scale} does. Binding {@code Service} set up an {@code ObjectMapper} and introspected
 * the api types (~900 classes, most of a cold {@code service update}, docs/footprint.md). The rules are
 * {@link ServiceSpecs}' ({@link ServiceSpecs#labels}, {@link ServiceSpecs#env}); what the bound path would send is what is sent
 * here, byte for byte ({@code ServiceTreeUpdateTest}). Any other flag, or a spec without what the bound path would
 * create or with what it would drop (no {@code TaskTemplate.ContainerSpec} for the task's flags, no {@code Image} for
 * {@code --image}, labels or environment entries that are not strings, a {@code Mode} other than one
 * {@code Replicated} for {@code --replicas}), is left to the bound path.
 */
final class ServiceTreeUpdate {
  private ServiceTreeUpdate() {}

  /**
   * The {@code ServiceSpec} members after {@code Labels}, in the order the bound path writes them: a {@code Labels}
   * the spec did not have goes before the first of them.
   */
  static final List<String> AFTER_LABELS =
      List.of("TaskTemplate", "Mode", "UpdateConfig", "RollbackConfig", "Networks", "EndpointSpec");

  /**
   * The {@code ContainerSpec} members after {@code Env}, in the bound path's order: the api type's fields, those
   * Jackson renames with {@code @JsonProperty} ({@code TTY}, {@code DNSConfig}) last.
   */
  static final List<String> AFTER_ENV = List.of("Dir", "User", "Groups", "Privileges", "OpenStdin", "ReadOnly",
      "Mounts", "StopSignal", "StopGracePeriod", "Healthcheck", "Hosts", "Secrets", "Configs", "Isolation", "Init",
      "Sysctls", "CapabilityAdd", "CapabilityDrop", "Ulimits", "UsernsMode", "TTY", "DNSConfig");

  /** The {@code TaskSpec} members after {@code ForceUpdate}, in the bound path's order. */
  static final List<String> AFTER_FORCE_UPDATE = List.of("Runtime", "Networks", "LogDriver");

  /** Whether {@code flags} and {@code rollout} give no flag but the covered ones (every other at its default). */
  static boolean covers(ServiceUpdateFlags flags, RolloutFlags rollout) {
    ServiceUpdateFlags plain = new ServiceUpdateFlags();
    plain.labelAdd = flags.labelAdd;
    plain.labelRm = flags.labelRm;
    plain.image = flags.image;
    plain.replicas = flags.replicas;
    plain.envAdd = flags.envAdd;
    plain.envRm = flags.envRm;
    plain.force = flags.force;
    return sameFlags(flags, plain) && sameFlags(rollout, new RolloutFlags());
  }

  /**
   * Whether the flag objects {@code a} and {@code b} hold the same values, their mixins compared the same way (false
   * when a field cannot be read): what {@link #covers} and {@link ServiceCreateTree#covers} ask.
   */
  static boolean sameFlags(Object a, Object b) {
    try {
      return sameValues(a, b);
    } catch (IllegalAccessException | RuntimeException e) {
      return false;
    }
  }

  /** The fields of {@code a} and {@code b} (and of their mixins, compared the same way) are equal. */
  private static boolean sameValues(Object a, Object b) throws IllegalAccessException {
    for (Class<?> c = a.getClass(); c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        f.setAccessible(true);
        Object x = f.get(a);
        Object y = f.get(b);
        if (x != null && y != null && x.getClass() == y.getClass() && x.getClass().getName().endsWith("Flags")) {
          if (!sameValues(x, y)) { // a mixin (ResourceFlags, RestartFlags, ...)
            return false;
          }
        } else if (!Objects.equals(x, y)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Applies the covered flags to the daemon's {@code spec} in place; false, with {@code spec} untouched, when the bound
   * path has to (see the class comment).
   *
   * @throws UsageException for a flag value the bound path refuses, with its message
   */
  static boolean apply(JsonNode spec, ServiceUpdateFlags f) {
    if (!(spec instanceof ObjectNode s)) {
      return false;
    }
    boolean labels = !f.labelAdd.isEmpty() || !f.labelRm.isEmpty();
    Map<String, String> have = null;
    if (labels && s.has("Labels")) {
      have = strings(s.get("Labels"));
      if (have == null) {
        return false;
      }
    }
    JsonNode task = s.path("TaskTemplate");
    JsonNode container = task.path("ContainerSpec");
    boolean env = !f.envAdd.isEmpty() || !f.envRm.isEmpty();
    if ((f.image != null || f.replicas != null || env || f.force) && !(container instanceof ObjectNode)) {
      return false; // the bound path would make an empty TaskTemplate or ContainerSpec first
    }
    if (f.image != null && !container.has("Image")) {
      return false;
    }
    JsonNode replicated = s.path("Mode").path("Replicated");
    if (f.replicas != null && !(s.path("Mode").size() == 1 && replicated instanceof ObjectNode
        && (replicated.size() == 0 || replicated.size() == 1 && replicated.has("Replicas")))) {
      return false; // no Mode, a job's or a global one: the bound path replaces it or refuses the flag
    }
    List<String> envHave = env && container.has("Env") ? texts(container.get("Env")) : null;
    if (env && container.has("Env") && envHave == null) {
      return false;
    }
    JsonNode force = task.get("ForceUpdate");
    if (f.force && force != null && !force.isIntegralNumber() && !force.isNull()) {
      return false;
    }
    // the checks that refuse a flag's value come before any change, so that a refused update leaves the tree as it was
    Long replicas = ServiceSpecs.nonNegative("--replicas", f.replicas); // the bound path's order of checks
    Map<String, String> after = labels ? ServiceSpecs.labels(have, f) : null;
    if (f.image != null) {
      ((ObjectNode) container).put("Image", f.image);
    }
    if (replicas != null) {
      ((ObjectNode) replicated).put("Replicas", replicas);
    }
    if (env) {
      List<String> entries = ServiceSpecs.env(envHave, f);
      if (entries == null) {
        ((ObjectNode) container).remove("Env");
      } else {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (String e : entries) {
          a.add(e);
        }
        putInOrder((ObjectNode) container, "Env", a, AFTER_ENV);
      }
    }
    if (f.force) {
      long next = force == null || force.isNull() ? 1 : force.longValue() + 1;
      putInOrder((ObjectNode) task, "ForceUpdate", JsonNodeFactory.instance.numberNode(next), AFTER_FORCE_UPDATE);
    }
    if (labels) {
      if (after == null) {
        s.remove("Labels");
      } else {
        ObjectNode l = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, String> e : after.entrySet()) {
          l.put(e.getKey(), e.getValue());
        }
        putInOrder(s, "Labels", l, AFTER_LABELS);
      }
    }
    return true;
  }

  /** The members of {@code labels} when all are strings, else null. */
  private static Map<String, String> strings(JsonNode labels) {
    if (!labels.isObject()) {
      return null;
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> i = labels.fields(); i.hasNext(); ) {
      Map.Entry<String, JsonNode> e = i.next();
      if (!e.getValue().isTextual()) {
        return null;
      }
      m.put(e.getKey(), e.getValue().textValue());
    }
    return m;
  }

  /** The elements of {@code env} when it is an array of strings, else null. */
  private static List<String> texts(JsonNode env) {
    if (!env.isArray()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (JsonNode e : env) {
      if (!e.isTextual()) {
        return null;
      }
      out.add(e.textValue());
    }
    return out;
  }

  /**
   * Sets member {@code name} of {@code o}: in its place when {@code o} has it, else where the bound path writes it,
   * before the first member of {@code after} (the members that follow it in the api type), or last.
   */
  private static void putInOrder(ObjectNode o, String name, JsonNode value, List<String> after) {
    if (o.has(name)) {
      o.set(name, value);
      return;
    }
    List<Map.Entry<String, JsonNode>> members = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> i = o.fields(); i.hasNext(); ) {
      Map.Entry<String, JsonNode> e = i.next();
      members.add(Map.entry(e.getKey(), e.getValue()));
    }
    o.removeAll();
    boolean placed = false;
    for (Map.Entry<String, JsonNode> e : members) {
      if (!placed && after.contains(e.getKey())) {
        o.set(name, value);
        placed = true;
      }
      o.set(e.getKey(), e.getValue());
    }
    if (!placed) {
      o.set(name, value);
    }
  }
}
