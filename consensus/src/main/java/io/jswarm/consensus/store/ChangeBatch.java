package io.jswarm.consensus.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.StoreObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The wire form of one store transaction: the payload of one Raft log entry, or one of the batches of a group entry
 * ({@code consensus/.../raft/LogEntryFormat}). JSON, so a log can be read by a
 * person: {@code {"changes":[{"op":"update","table":"services","id":"...","expected":12,"object":{...}}]}}.
 */
public final class ChangeBatch {
  private ChangeBatch() {}

  /**
   * Encodes a batch, each row written straight into the batch's bytes (no tree of the row in between: this runs for
   * every write, on the proposing manager's thread).
   */
  public static byte[] encode(List<Change> changes) {
    ObjectMapper m = Json.mapper();
    ByteArrayBuilder out = new ByteArrayBuilder(256);
    try (JsonGenerator g = m.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeArrayFieldStart("changes");
      for (Change c : changes) {
        g.writeStartObject();
        g.writeStringField("op", c.op().name().toLowerCase(Locale.ROOT));
        g.writeStringField("table", c.table().name());
        g.writeStringField("id", c.id());
        g.writeNumberField("expected", c.expectedVersion());
        if (c.object() != null) {
          g.writeFieldName("object");
          m.writeValue(g, c.object());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode a change batch: " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes a batch in one pass over its bytes: each row is read into its type as the parser meets it (no tree of the
   * batch in between: this runs for every committed entry on every manager, on the Raft apply thread).
   *
   * @throws IllegalArgumentException when the bytes are not a batch; a committed entry that fails here means
   *     the log is damaged or was written by an incompatible version
   */
  public static List<Change> decode(byte[] bytes) {
    ObjectMapper m = Json.ownMapper(); // encode wrote every name: read them exactly (no lower-casing per field)
    try (JsonParser p = m.getFactory().createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("not a change batch: not a JSON object");
      }
      List<Change> out = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (!field.equals("changes")) {
          p.skipChildren();
          continue;
        }
        if (value != JsonToken.START_ARRAY) {
          throw new IllegalArgumentException("not a change batch: \"changes\" is not an array");
        }
        out = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
          out.add(readChange(m, p));
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
          throw new IllegalArgumentException("not a change batch: a change is not a JSON object");
        }
      }
      if (out == null) {
        throw new IllegalArgumentException("not a change batch: no \"changes\" array");
      }
      return out;
    } catch (IOException e) {
      throw new IllegalArgumentException("not a change batch: " + e.getMessage(), e);
    }
  }

  /** One change, the parser on its START_OBJECT; the table comes before the object (as {@link #encode} writes). */
  private static Change readChange(ObjectMapper m, JsonParser p) throws IOException {
    String op = "";
    String table = null;
    String id = "";
    long expected = 0;
    StoreObject obj = null;
    JsonNode early = null; // an object met before its table (not written by encode): read once the table is known
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "op" -> op = p.getValueAsString("");
        case "table" -> table = p.getValueAsString("");
        case "id" -> id = p.getValueAsString("");
        case "expected" -> expected = p.getValueAsLong(0);
        case "object" -> {
          if (value == JsonToken.VALUE_NULL) {
            obj = null;
          } else if (table != null) {
            obj = m.readValue(p, Tables.byName(table).type());
          } else {
            early = m.readTree(p);
          }
        }
        default -> p.skipChildren();
      }
    }
    Change.Op kind = Change.Op.valueOf(op.toUpperCase(Locale.ROOT));
    TableSpec<? extends StoreObject> spec = Tables.byName(table == null ? "" : table);
    if (early != null && !early.isNull()) {
      obj = m.treeToValue(early, spec.type());
    }
    if (kind != Change.Op.DELETE && obj == null) {
      throw new IllegalArgumentException("change " + kind + " on " + spec + " has no object");
    }
    return new Change(kind, spec, id, expected, obj);
  }
}
