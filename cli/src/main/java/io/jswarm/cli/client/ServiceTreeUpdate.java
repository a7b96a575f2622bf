package io.jswarm.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
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
 * {@code --image}, with {@code -d}, {@code -q}, {@code --dry-run}): the daemon's spec as it sent it, with only what the
 * flags change, as {@code service scale} does. Binding {@code Service} set up an {@code ObjectMapper} and introspected
 * the api types (~900 classes, most of a cold {@code service update}, docs/footprint.md). The rules are
 * {@link ServiceSpecs}' ({@link ServiceSpecs#labels}); what the bound path would send is what is sent here, byte for
 * byte ({@code ServiceTreeUpdateTest}). Any other flag, or a spec without what the bound path would create (no
 * {@code TaskTemplate.ContainerSpec.Image} for {@code --image}, labels that are not strings), is left to the bound
 * path.
 */
final class ServiceTreeUpdate {
  private ServiceTreeUpdate() {}

  /**
   * The {@code ServiceSpec} members after {@code Labels}, in the order the bound path writes them: a {@code Labels}
   * the spec did not have goes before the first of them.
   */
  private static final List<String> AFTER_LABELS =
      List.of("TaskTemplate", "Mode", "UpdateConfig", "RollbackConfig", "Networks", "EndpointSpec");

  /** Whether {@code flags} and {@code rollout} give no flag but the covered ones (every other at its default). */
  static boolean covers(ServiceUpdateFlags flags, RolloutFlags rollout) {
    ServiceUpdateFlags plain = new ServiceUpdateFlags();
    plain.labelAdd = flags.labelAdd;
    plain.labelRm = flags.labelRm;
    plain.image = flags.image;
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
    JsonNode container = s.path("TaskTemplate").path("ContainerSpec");
    if (f.image != null && !(container instanceof ObjectNode && container.has("Image"))) {
      return false;
    }
    Map<String, String> after = labels ? ServiceSpecs.labels(have, f) : null; // refuses a bad --label-add first
    if (f.image != null) {
      ((ObjectNode) container).put("Image", f.image);
    }
    if (labels) {
      if (after == null) {
        s.remove("Labels");
      } else {
        ObjectNode l = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, String> e : after.entrySet()) {
          l.put(e.getKey(), e.getValue());
        }
        if (s.has("Labels")) {
          s.set("Labels", l);
        } else {
          insertLabels(s, l);
        }
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

  /** Puts a new {@code Labels} member where the bound path writes it: before the first member that follows it. */
  private static void insertLabels(ObjectNode spec, ObjectNode labels) {
    List<Map.Entry<String, JsonNode>> members = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> i = spec.fields(); i.hasNext(); ) {
      Map.Entry<String, JsonNode> e = i.next();
      members.add(Map.entry(e.getKey(), e.getValue()));
    }
    spec.removeAll();
    boolean placed = false;
    for (Map.Entry<String, JsonNode> e : members) {
      if (!placed && AFTER_LABELS.contains(e.getKey())) {
        spec.set("Labels", labels);
        placed = true;
      }
      spec.set(e.getKey(), e.getValue());
    }
    if (!placed) {
      spec.set("Labels", labels);
    }
  }
}
