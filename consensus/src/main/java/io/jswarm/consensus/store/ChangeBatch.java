package io.jswarm.consensus.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.StoreObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The wire form of one store transaction: the payload of one Raft log entry. JSON, so a log can be read by a
 * person: {@code {"changes":[{"op":"update","table":"services","id":"...","expected":12,"object":{...}}]}}.
 */
public final class ChangeBatch {
  private ChangeBatch() {}

  public static byte[] encode(List<Change> changes) {
    ObjectMapper m = Json.mapper();
    ObjectNode root = m.createObjectNode();
    ArrayNode arr = root.putArray("changes");
    for (Change c : changes) {
      ObjectNode n = arr.addObject();
      n.put("op", c.op().name().toLowerCase(Locale.ROOT));
      n.put("table", c.table().name());
      n.put("id", c.id());
      n.put("expected", c.expectedVersion());
      if (c.object() != null) {
        n.set("object", m.valueToTree(c.object()));
      }
    }
    return Json.toBytes(root);
  }

  /**
   * Decodes a batch.
   *
   * @throws IllegalArgumentException when the bytes are not a batch; a committed entry that fails here means
   *     the log is damaged or was written by an incompatible version
   */
  public static List<Change> decode(byte[] bytes) {
    ObjectMapper m = Json.mapper();
    try {
      JsonNode root = m.readTree(bytes);
      JsonNode arr = root == null ? null : root.get("changes");
      if (arr == null || !arr.isArray()) {
        throw new IllegalArgumentException("not a change batch: no \"changes\" array");
      }
      List<Change> out = new ArrayList<>(arr.size());
      for (JsonNode n : arr) {
        Change.Op op = Change.Op.valueOf(n.path("op").asText().toUpperCase(Locale.ROOT));
        TableSpec<? extends StoreObject> table = Tables.byName(n.path("table").asText());
        StoreObject obj = n.hasNonNull("object") ? m.treeToValue(n.get("object"), table.type()) : null;
        if (op != Change.Op.DELETE && obj == null) {
          throw new IllegalArgumentException("change " + op + " on " + table + " has no object");
        }
        out.add(new Change(op, table, n.path("id").asText(), n.path("expected").asLong(), obj));
      }
      return out;
    } catch (IOException e) {
      throw new IllegalArgumentException("not a change batch: " + e.getMessage(), e);
    }
  }
}
