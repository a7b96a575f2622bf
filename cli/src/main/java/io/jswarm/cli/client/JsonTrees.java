package io.jswarm.cli.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
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
    JsonNode plain = JsonReader.read(json);
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

  /** {@code {"key":["value",...]}} for a filters query, written without an {@code ObjectMapper}. */
  static String write(Map<String, List<String>> lists) {
    StringWriter s = new StringWriter();
    try (JsonGenerator g = Jackson.FACTORY.createGenerator(s)) {
      g.writeStartObject();
      for (Map.Entry<String, List<String>> e : lists.entrySet()) {
        g.writeArrayFieldStart(e.getKey());
        for (String v : e.getValue()) {
          g.writeString(v);
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return s.toString();
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
