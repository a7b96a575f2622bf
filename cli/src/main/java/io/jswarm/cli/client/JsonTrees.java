package io.jswarm.cli.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The daemon's answers as JSON trees, read by {@link JsonReader} (or, for what it leaves, Jackson's streaming parser):
 * no {@code ObjectMapper}, whose set-up and bean introspection are most of a cold client's time (docs/footprint.md).
 * The trees are the ones {@code ObjectMapper.readTree} builds (int, long or big integer nodes, double nodes, last
 * duplicate key wins).
 */
public final class JsonTrees {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Jackson's factory, made the first time it is needed (not by a listing's well-formed answer: {@link JsonReader}). */
  private static final class Jackson {
    static final JsonFactory FACTORY = new JsonFactory();
  }

  private JsonTrees() {}

  /**
   * Parses one JSON document (an empty body is a missing node).
   *
   * @throws IllegalStateException naming what is wrong, for malformed JSON
   */
  public static JsonNode parse(byte[] json) {
    return parse(json, JsonShape.WHOLE);
  }

  /**
   * Like {@link #parse(byte[])}, with at least the members {@code shape} names (docs/footprint.md): {@link JsonReader}
   * makes nodes for those only; JSON it leaves to Jackson comes back whole.
   */
  static JsonNode parse(byte[] json, JsonShape shape) {
    JsonNode plain = JsonReader.read(json, shape);
    if (plain != null) {
      return plain;
    }
    try (JsonParser p = Jackson.FACTORY.createParser(json)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
      }
      return value(p, first);
    } catch (IOException e) {
      throw new IllegalStateException("the daemon sent malformed JSON: " + e.getMessage(), e);
    }
  }

  private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT: {
        ObjectNode o = NODES.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          o.set(name, value(p, p.nextToken()));
        }
        return o;
      }
      case START_ARRAY: {
        ArrayNode a = NODES.arrayNode();
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
          a.add(value(p, e));
        }
        return a;
      }
      case VALUE_STRING:
        return NODES.textNode(p.getText());
      case VALUE_NUMBER_INT:
        switch (p.getNumberType()) {
          case INT:
            return NODES.numberNode(p.getIntValue());
          case LONG:
            return NODES.numberNode(p.getLongValue());
          default:
            return NODES.numberNode(p.getBigIntegerValue());
        }
      case VALUE_NUMBER_FLOAT:
        return NODES.numberNode(p.getDoubleValue());
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      default:
        throw new IOException("unexpected " + t);
    }
  }

  /**
   * {@code {"key":["value",...]}} for a filters query, written as Jackson's generator writes it but by hand: setting up
   * Jackson's factory (its buffer pools and name tables, through VarHandles) was ~60 classes of every {@code service
   * ps} (docs/footprint.md).
   */
  static String write(Map<String, List<String>> lists) {
    StringBuilder b = new StringBuilder(64).append('{');
    for (Map.Entry<String, List<String>> e : lists.entrySet()) {
      if (b.length() > 1) {
        b.append(',');
      }
      quote(b, e.getKey()).append(":[");
      boolean first = true;
      for (String v : e.getValue()) {
        if (!first) {
          b.append(',');
        }
        quote(b, v);
        first = false;
      }
      b.append(']');
    }
    return b.append('}').toString();
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** {@code s} as a JSON string with Jackson's escapes: quote and backslash, the short control escapes, else a six-character one. */
  static StringBuilder quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c >= 0x20) {
        b.append(c);
      } else if (c == '\n') {
        b.append("\\n");
      } else if (c == '\r') {
        b.append("\\r");
      } else if (c == '\t') {
        b.append("\\t");
      } else if (c == '\b') {
        b.append("\\b");
      } else if (c == '\f') {
        b.append("\\f");
      } else {
        b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    return b.append('"');
  }

  /** The text at {@code path} under {@code n} ({@code text(task, "Spec", "ContainerSpec", "Image")}), or "". */
  public static String text(JsonNode n, String... path) {
    JsonNode at = at(n, path);
    return at.isValueNode() && !at.isNull() ? at.asText() : "";
  }

  /** The number at {@code path} under {@code n}, or 0. */
  public static long number(JsonNode n, String... path) {
    return at(n, path).asLong(0);
  }

  /** Whether {@code path} under {@code n} holds something other than null. */
  public static boolean present(JsonNode n, String... path) {
    JsonNode at = at(n, path);
    return !at.isMissingNode() && !at.isNull();
  }

  /** The node at {@code path} (a missing node when any step is absent). */
  public static JsonNode at(JsonNode n, String... path) {
    JsonNode at = n;
    for (String step : path) {
      at = at.path(step);
    }
    return at;
  }
}
