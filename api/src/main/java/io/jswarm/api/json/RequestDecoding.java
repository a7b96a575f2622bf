package io.jswarm.api.json;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.jswarm.api.errors.InvalidArgumentException;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;

/**
 * Turns what a client sent into an object or into one 400 that names the field: the Jackson failure's path
 * ({@code Mode.Replicated.Replicas}, {@code Ports[2].PublishedPort}) plus the JSON kind the field takes. Nothing of
 * Java (class names, stack traces) reaches the message.
 */
final class RequestDecoding {
  /** How much of a bad value is quoted back. */
  private static final int QUOTE = 60;

  private RequestDecoding() {}

  static <T> T decode(ObjectMapper mapper, byte[] b, Class<T> type, String what) {
    String expected = "a JSON " + kind(type);
    if (b == null || b.length == 0) {
      throw new InvalidArgumentException(what + ": expected " + expected + ", got nothing");
    }
    T value;
    try {
      value = mapper.readValue(b, type);
    } catch (StreamConstraintsException e) {
      throw new InvalidArgumentException(what + ": refused: " + e.getOriginalMessage());
    } catch (JsonParseException e) {
      throw new InvalidArgumentException(what + ": malformed JSON: " + e.getOriginalMessage()
          + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
    } catch (JsonMappingException e) {
      throw new InvalidArgumentException(what + ": " + describe(e, expected));
    } catch (JsonProcessingException e) {
      throw new InvalidArgumentException(what + ": malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidArgumentException(what + ": unreadable: " + e.getMessage());
    }
    if (value == null) {
      throw new InvalidArgumentException(what + ": expected " + expected + ", got null");
    }
    return value;
  }

  private static String describe(JsonMappingException e, String expectedAtTop) {
    String field = path(e);
    String expected = expectedAtTop;
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      String k = kind(m.getTargetType());
      expected = (k.matches("^[aeiou].*") ? "an " : "a ") + k;
    }
    String got = "";
    if (e instanceof com.fasterxml.jackson.databind.exc.InvalidNullException) {
      return (field.isEmpty() ? "" : field + ": ") + "null is not allowed here; leave the element out";
    }
    if (e instanceof InvalidFormatException f) {
      got = ", got " + quote(String.valueOf(f.getValue()));
    } else if (e.getOriginalMessage() != null && e.getOriginalMessage().contains("out of range")) {
      got = ", got a number out of its range";
    } else if (e.getOriginalMessage() != null && e.getOriginalMessage().contains("from Array value")) {
      got = ", got an array";
    } else if (e.getOriginalMessage() != null && e.getOriginalMessage().contains("from Object value")) {
      got = ", got an object";
    }
    if (field.isEmpty()) {
      return "expected " + expected + got;
    }
    return field + ": expected " + expected + got;
  }

  /** {@code Spec.Mode.Replicated.Replicas}, {@code Ports[2]}: the JSON path Jackson was at. */
  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  private static String kind(Class<?> t) {
    if (t == String.class || t == char.class || t == Character.class) {
      return "string";
    }
    if (t == Boolean.class || t == boolean.class) {
      return "boolean (true or false)";
    }
    if (t == Long.class || t == long.class) {
      return "integer (64-bit)";
    }
    if (t == Integer.class || t == int.class || t == Short.class || t == short.class || t == Byte.class
        || t == byte.class) {
      return "integer (32-bit)";
    }
    if (t == Double.class || t == double.class || t == Float.class || t == float.class) {
      return "number";
    }
    if (t.isArray() || Collection.class.isAssignableFrom(t)) {
      return "array";
    }
    if (t.isEnum()) {
      StringBuilder sb = new StringBuilder("string, one of");
      for (Object c : t.getEnumConstants()) {
        sb.append(' ').append(c);
      }
      return sb.toString();
    }
    if (Map.class.isAssignableFrom(t)) {
      return "object";
    }
    return "object (" + t.getSimpleName() + ")";
  }

  private static String quote(String v) {
    String s = v.length() > QUOTE ? v.substring(0, QUOTE) + "..." : v;
    return "\"" + s + "\"";
  }
}
