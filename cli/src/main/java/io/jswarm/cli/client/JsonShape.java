package io.jswarm.cli.client;

import java.util.HashMap;
import java.util.Map;

/**
 * The part of a JSON document a verb reads, for {@link JsonReader}: object members named here are kept (a path's last
 * step with everything below it), every other member is checked as JSON and skipped without making a node. An array
 * takes the shape of its elements, a scalar is kept as it is. {@code service ps} reads ten of a task's ~40 values:
 * most of {@code GET /tasks}' 54 KB for 100 tasks is never turned into strings and maps (docs/footprint.md).
 */
final class JsonShape {
  /** Everything below. */
  static final JsonShape WHOLE = new JsonShape();

  /** An object's {@code ID} only (a reference resolved by the daemon). */
  static final JsonShape ID = of("ID");

  private final Map<String, JsonShape> members = new HashMap<>();

  private JsonShape() {}

  /**
   * The shape that keeps these dotted paths ({@code "Spec.ContainerSpec.Image"}); a path that is the prefix of another
   * keeps its whole value.
   */
  static JsonShape of(String... paths) {
    JsonShape root = new JsonShape();
    for (String path : paths) {
      JsonShape at = root;
      int from = 0;
      while (at != WHOLE) {
        int dot = path.indexOf('.', from);
        String step = dot < 0 ? path.substring(from) : path.substring(from, dot);
        JsonShape next = at.members.get(step);
        if (dot < 0) {
          at.members.put(step, WHOLE);
          break;
        }
        if (next == null) {
          next = new JsonShape();
          at.members.put(step, next);
        }
        at = next;
        from = dot + 1;
      }
    }
    return root;
  }

  /** The shape of member {@code name}, or null when it is skipped. */
  JsonShape member(String name) {
    return this == WHOLE ? WHOLE : members.get(name);
  }
}
