package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CLI's own JSON reader gives the tree Jackson's gives, node types included, and leaves to Jackson (null) what it
 * does not read, so that {@link JsonTrees#parse} answers and fails as before.
 */
class JsonReaderTest {
  private static final ObjectMapper JACKSON = new ObjectMapper();

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void readsWhatJacksonReadsIntoTheSameTree() throws Exception {
    for (String json : List.of("{}", "[]", " [ ] ", "{\"a\":1}", "[1,-1,0,-0,2147483647,2147483648,-2147483648,"
        + "-2147483649,9223372036854775807,9223372036854775808,-9223372036854775808,-9223372036854775809,"
        + "123456789012345678901234567890,1.5,-0.0,1e3,1E-3,2.5e+10,1e400]",
        "{\"ID\":\"abc\",\"Spec\":{\"Name\":\"web\",\"Labels\":{},\"Mode\":{\"Replicated\":{\"Replicas\":3}}},"
            + "\"Ports\":[{\"Protocol\":\"tcp\",\"TargetPort\":80}],\"ok\":true,\"no\":false,\"gone\":null}",
        "{\"a\":1,\"b\":2,\"a\":3}", "\"text\"", "42", "true", "null",
        "[\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\u20AC \\ud83d\\ude00\"]",
        "[\"utf-8 é € 😀 ü\", \"mixed é \\n\"]", "{\"\":\"\"}", "\n\t{\r\n \"k\" :\t[ 1 , 2 ] }\n",
        "[\"\u007f\"]", "[" + "[".repeat(900) + "]".repeat(900) + "]")) {
      JsonNode ours = JsonReader.read(utf8(json));
      assertNotNull(ours, json);
      JsonNode theirs = JACKSON.readTree(json);
      assertEquals(theirs, ours, json);
      assertEquals(types(theirs), types(ours), json);
    }
    assertEquals(com.fasterxml.jackson.databind.node.MissingNode.getInstance(), JsonReader.read(utf8("")));
    assertEquals(com.fasterxml.jackson.databind.node.MissingNode.getInstance(), JsonReader.read(utf8("  \n")));
  }

  /** The node types of a tree, depth first (equals alone does not tell an int node from a long one). */
  private static String types(JsonNode n) {
    StringBuilder b = new StringBuilder(n.getClass().getSimpleName());
    n.forEach(c -> b.append(' ').append(types(c)));
    return b.toString();
  }

  @Test
  void leavesToJacksonWhatItDoesNotRead() {
    for (String json : List.of("{", "[1,]", "{\"a\" 1}", "{a:1}", "['a']", "[01]", "[-]", "[1.]", "[.5]", "[1e]",
        "[tru]", "[truex]", "[nul]", "[\"\\x\"]", "[\"\\u12\"]", "[\"tab\there\"]", "[NaN]", "[1] x", "1 2",
        "// c\n[]", "[" + "[".repeat(1000) + "]".repeat(1000) + "]", "[1" + "0".repeat(1000) + "]", "{\"a\":1,}")) {
      assertNull(JsonReader.read(utf8(json)), json);
    }
    assertNull(JsonReader.read(new byte[] {'[', '"', (byte) 0xc3, '"', ']'}), "malformed UTF-8");
  }

  @Test
  void jsonTreesFailsAsJacksonDoes() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> JsonTrees.parse(utf8("{\"a\":}")));
    assertEquals(true, e.getMessage().startsWith("the daemon sent malformed JSON: Unexpected character ('}'"),
        e.getMessage());
    assertEquals(jsonNodeOf("[1]"), JsonTrees.parse(utf8("[1] trailing")), "Jackson's tree for what follows a value");
  }

  /** The whole tree without the members {@code shape} skips: {@link JsonReader#read(byte[], JsonShape)}'s contract. */
  private static JsonNode project(JsonNode n, JsonShape shape) {
    if (shape == JsonShape.WHOLE) {
      return n;
    }
    if (n.isArray()) {
      com.fasterxml.jackson.databind.node.ArrayNode a = JACKSON.createArrayNode();
      n.forEach(e -> a.add(project(e, shape)));
      return a;
    }
    if (!n.isObject()) {
      return n;
    }
    com.fasterxml.jackson.databind.node.ObjectNode o = JACKSON.createObjectNode();
    n.fields().forEachRemaining(e -> {
      JsonShape member = shape.member(e.getKey());
      if (member != null) {
        o.set(e.getKey(), project(e.getValue(), member));
      }
    });
    return o;
  }

  @Test
  void aShapeKeepsTheMembersItNamesAndChecksTheRest() throws Exception {
    JsonShape shape = JsonShape.of("ID", "Spec.ContainerSpec.Image", "Status.State", "Status.PortStatus", "Status.Err",
        "Status.State");
    String task = "{\"Version\":{\"Index\":17},\"ID\":\"t1\",\"Spec\":{\"ContainerSpec\":{\"Image\":\"busybox\","
        + "\"Args\":[\"sleep\",\"1e3\",-1.5e-3,true,false,null,{}]},\"Resources\":{}},\"Status\":{\"State\":\"running\","
        + "\"Message\":\"esc \\\" \\n \\u00e9 é\",\"PortStatus\":{\"Ports\":[{\"PublishedPort\":80}]},\"Err\":null},"
        + "\"Slot\":123456789012345678901234567890,\"ID\":\"t2\"}";
    for (String json : List.of("[" + task + "," + task.replace("t2", "t3") + "]", task, "[]", "{}", "\"s\"", "7",
        "[{\"Spec\":\"not an object\",\"Status\":[{\"State\":1,\"x\":2}]}]")) {
      JsonNode ours = JsonReader.read(utf8(json), shape);
      assertNotNull(ours, json);
      JsonNode theirs = project(JACKSON.readTree(json), shape);
      assertEquals(theirs, ours, json);
      assertEquals(types(theirs), types(ours), json);
    }
    assertEquals("{\"ID\":\"t2\",\"Spec\":{\"ContainerSpec\":{\"Image\":\"busybox\"}},\"Status\":{\"State\":\"running\","
        + "\"PortStatus\":{\"Ports\":[{\"PublishedPort\":80}]},\"Err\":null}}",
        JsonReader.read(utf8(task), shape).toString());
    // what is skipped is checked as the whole read checks it: anything it would leave to Jackson, this leaves too
    for (String skipped : List.of("[1,]", "{\"a\" 1}", "['a']", "[01]", "[-]", "[1.]", "[1e]", "[tru]", "[nul]",
        "[\"\\x\"]", "[\"\\u12\"]", "[\"\\u12g4\"]", "[\"tab\there\"]", "[NaN]", "{\"a\":1,}", "[1" + "0".repeat(1000) + "]",
        "[" + "[".repeat(999) + "]".repeat(999) + "]")) {
      String json = "[{\"ID\":\"t\",\"Skipped\":" + skipped + "}]";
      assertNull(JsonReader.read(utf8(json)), json);
      assertNull(JsonReader.read(utf8(json), shape), json);
    }
    byte[] badUtf8 = utf8("[{\"Skipped\":\"xx\"}]");
    badUtf8[13] = (byte) 0xc3;
    assertNull(JsonReader.read(badUtf8, shape), "malformed UTF-8 in a skipped string");
    assertEquals(JACKSON.readTree("[{\"ID\":\"t\"}]"),
        JsonTrees.parse(utf8("[{\"ID\":\"t\",\"Skipped\":\"é \\u00e9 \\n\"}]"), shape));
    // left to Jackson: the whole tree comes back
    assertEquals(JACKSON.readTree("[{\"ID\":\"t\",\"x\":1}]"), JsonTrees.parse(utf8("[{\"ID\":\"t\",\"x\":1}] x"), shape));
  }

  @Test
  void writesFiltersAsJacksonWritesThem() throws Exception {
    java.util.Map<String, List<String>> filters = new java.util.LinkedHashMap<>();
    filters.put("name", List.of("web", "q\"uote \\ back/slash", "ctl \n\r\t\b\f \u0001 \u001f \u007f é € 😀"));
    filters.put("label", List.of());
    filters.put("k\"ey", List.of("v"));
    assertEquals(JACKSON.writeValueAsString(filters), JsonTrees.write(filters));
    assertEquals("{}", JsonTrees.write(java.util.Map.of()));
  }

  private static JsonNode jsonNodeOf(String json) {
    try {
      return JACKSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
