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

  private static JsonNode jsonNodeOf(String json) {
    try {
      return JACKSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
