package io.jswarm.consensus.store;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.StoreObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * The store's snapshot form, {@code {"appliedIndex": N, "tables": {"nodes": [...], ...}}} with rows sorted by id: the
 * same state always gives the same bytes, which is what {@link MemoryStore#contentHash} relies on.
 */
final class SnapshotCodec {
  private SnapshotCodec() {}

  /** Writes {@code tables}, with {@code index} as {@code appliedIndex} unless it is negative (a content hash). */
  static void write(Map<TableSpec<?>, Table<?>> tables, long index, OutputStream out) throws IOException {
    ObjectMapper m = Json.mapper().copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    try (JsonGenerator g = m.getFactory().createGenerator(out)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      g.writeStartObject();
      if (index >= 0) {
        g.writeNumberField("appliedIndex", index);
      }
      g.writeObjectFieldStart("tables");
      for (Map.Entry<TableSpec<?>, Table<?>> e : tables.entrySet()) {
        g.writeArrayFieldStart(e.getKey().name());
        for (StoreObject row : e.getValue().all()) {
          m.writeValue(g, row);
        }
        g.writeEndArray();
      }
      g.writeEndObject();
      g.writeEndObject();
    }
  }

  /** Reads a snapshot's rows into {@code into} (empty tables); returns its applied index. */
  static long read(InputStream in, Map<TableSpec<?>, Table<?>> into) throws IOException {
    long index = -1;
    ObjectMapper m = Json.mapper();
    try (JsonParser p = m.getFactory().createParser(in)) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (field.equals("appliedIndex")) {
          index = p.getLongValue();
        } else if (field.equals("tables")) {
          readTables(p, into);
        } else {
          p.skipChildren();
        }
      }
    }
    if (index < 0) {
      throw new IOException("snapshot has no appliedIndex");
    }
    return index;
  }

  private static void readTables(JsonParser p, Map<TableSpec<?>, Table<?>> into) throws IOException {
    expect(p.currentToken(), JsonToken.START_OBJECT);
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      TableSpec<?> spec = Tables.byName(p.currentName());
      expect(p.nextToken(), JsonToken.START_ARRAY);
      while (p.nextToken() == JsonToken.START_OBJECT) {
        into.put(spec, withRow(into.get(spec), p.readValueAs(spec.type())));
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends StoreObject> Table<T> withRow(Table<T> table, StoreObject row) {
    return table.with((T) row);
  }

  private static void expect(JsonToken got, JsonToken want) throws IOException {
    if (got != want) {
      throw new IOException("malformed snapshot: expected " + want + " but found " + got);
    }
  }
}
