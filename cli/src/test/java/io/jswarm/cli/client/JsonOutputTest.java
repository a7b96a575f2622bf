package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code inspect}'s indented JSON written by hand ({@link JsonOutput#indented}) has the bytes of Jackson's pretty
 * printer, and a tree with a node it does not write (a float) is left to Jackson.
 */
class JsonOutputTest {
  @Test
  void inspectOfDaemonTreesHasJacksonsBytes() {
    List<String> docs = List.of("{}", "[]", "{\"a\":1}", "{\"ID\":\"abc\",\"Version\":{\"Index\":11},"
        + "\"Spec\":{\"Name\":\"web\",\"Labels\":{},\"Mode\":{\"Replicated\":{\"Replicas\":3}},\"Args\":[],"
        + "\"Env\":[\"A=1\",\"B=2\"]},\"Ports\":[{\"Protocol\":\"tcp\",\"TargetPort\":80}],\"ok\":true,\"no\":false,"
        + "\"gone\":null,\"big\":9223372036854775807,\"neg\":-2147483649,\"nested\":[[],[{}],[[1,2],{\"x\":[]}]]}",
        "[\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0001 \\u001f \\u007f \\u00e9 \\u20AC \\ud83d\\ude00 \\u2028\"]",
        "{\"k\\\"ey\\n\":\"utf-8 é € 😀\",\"\":\"\"}", "\"text\"", "42", "true", "null");
    List<List<JsonNode>> lists = new ArrayList<>();
    lists.add(List.of());
    List<JsonNode> all = new ArrayList<>();
    for (String d : docs) {
      JsonNode n = JsonTrees.parse(d.getBytes(StandardCharsets.UTF_8));
      lists.add(List.of(n));
      all.add(n);
    }
    lists.add(all);
    for (List<JsonNode> objects : lists) {
      String ours = JsonOutput.indented(objects);
      assertNotNull(ours, objects.toString());
      assertEquals(JsonOutput.write(JsonOutput.Writers.INDENTED, objects), ours, objects.toString());
      assertEquals(ours + "\n", JsonOutput.inspect(objects));
    }
  }

  @Test
  void whatItDoesNotWriteIsLeftToJackson() {
    List<JsonNode> floats = List.of(JsonTrees.parse("{\"a\":[1.5,-0.0,1e3,123456789012345678901234567890]}"
        .getBytes(StandardCharsets.UTF_8)));
    assertNull(JsonOutput.indented(floats));
    assertEquals(JsonOutput.write(JsonOutput.Writers.INDENTED, floats) + "\n", JsonOutput.inspect(floats));
    assertNull(JsonOutput.indented(List.of("not a tree")));
  }
}
