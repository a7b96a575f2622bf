package io.jswarm.cli.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.jswarm.api.json.Json;
import java.util.List;

/**
 * JSON the way the docker CLI prints it: {@code --format json} is one compact object per line; {@code inspect} is an
 * array indented by four spaces with {@code "Key": value} pairs (Go's {@code json.Indent}).
 */
public final class JsonOutput {
  /** Jackson's writers, set up the first time one is needed (not by {@code inspect} of a daemon's answer). */
  static final class Writers {
    static final ObjectWriter COMPACT = Json.mapper().writer();
    static final ObjectWriter INDENTED = Json.mapper().writer(new DefaultPrettyPrinter(
        Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
            .withObjectEmptySeparator("")
            .withArrayEmptySeparator(""))
        .withObjectIndenter(new DefaultIndenter("    ", "\n"))
        .withArrayIndenter(new DefaultIndenter("    ", "\n")));
  }

  private JsonOutput() {}

  /** One compact JSON object per line. */
  public static String lines(List<?> objects) {
    StringBuilder out = new StringBuilder();
    for (Object o : objects) {
      out.append(write(Writers.COMPACT, o)).append('\n');
    }
    return out.toString();
  }

  /** An indented JSON array, as {@code docker ... inspect} prints; ends with a newline. */
  public static String inspect(List<?> objects) {
    String trees = indented(objects);
    return (trees != null ? trees : write(Writers.INDENTED, objects)) + "\n";
  }

  /**
   * {@code objects} as {@link Writers#INDENTED} writes them, when they are JSON trees of objects, arrays, strings,
   * integers, booleans and nulls (a daemon's answer); else null. By hand: setting up an {@code ObjectMapper} and its
   * serializers was ~60 ms of a cold {@code inspect} (docs/footprint.md); {@code JsonOutputTest} compares the bytes.
   */
  static String indented(List<?> objects) {
    StringBuilder b = new StringBuilder(2048).append('[');
    for (int i = 0; i < objects.size(); i++) {
      if (!(objects.get(i) instanceof JsonNode)) {
        return null;
      }
      b.append(i == 0 ? "" : ",");
      indent(b, 1);
      if (!value(b, (JsonNode) objects.get(i), 1)) {
        return null;
      }
    }
    if (!objects.isEmpty()) {
      indent(b, 0);
    }
    return b.append(']').toString();
  }

  /**
   * {@code tree} as one compact line, as {@link Writers#COMPACT} writes it: by hand for a daemon's answer (as
   * {@link #indented}), through Jackson for a tree with floats. For request bodies made from the daemon's answers.
   */
  static byte[] compact(JsonNode tree) {
    StringBuilder b = new StringBuilder(1024);
    String s = value(b, tree, -1) ? b.toString() : write(Writers.COMPACT, tree);
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * Writes {@code n} at nesting {@code level} (-1: compact, no line breaks nor spaces); false at a node Jackson would
   * write otherwise (floats, POJOs ...).
   */
  private static boolean value(StringBuilder b, JsonNode n, int level) {
    if (n.isObject()) {
      b.append('{');
      int count = 0;
      for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); count++) {
        java.util.Map.Entry<String, JsonNode> e = it.next();
        b.append(count == 0 ? "" : ",");
        indent(b, level < 0 ? level : level + 1);
        JsonTrees.quote(b, e.getKey()).append(level < 0 ? ":" : ": ");
        if (!value(b, e.getValue(), level < 0 ? level : level + 1)) {
          return false;
        }
      }
      if (count > 0) {
        indent(b, level);
      }
      b.append('}');
    } else if (n.isArray()) {
      b.append('[');
      for (int i = 0; i < n.size(); i++) {
        b.append(i == 0 ? "" : ",");
        indent(b, level < 0 ? level : level + 1);
        if (!value(b, n.get(i), level < 0 ? level : level + 1)) {
          return false;
        }
      }
      if (n.size() > 0) {
        indent(b, level);
      }
      b.append(']');
    } else if (n.isTextual()) {
      JsonTrees.quote(b, n.textValue());
    } else if (n.isInt() || n.isLong()) {
      b.append(n.longValue());
    } else if (n.isBoolean()) {
      b.append(n.booleanValue());
    } else if (n.isNull()) {
      b.append("null");
    } else {
      return false;
    }
    return true;
  }

  private static void indent(StringBuilder b, int level) {
    if (level < 0) {
      return;
    }
    b.append('\n');
    for (int i = 0; i < level; i++) {
      b.append("    ");
    }
  }

  static String write(ObjectWriter w, Object o) {
    try {
      return w.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }
}
