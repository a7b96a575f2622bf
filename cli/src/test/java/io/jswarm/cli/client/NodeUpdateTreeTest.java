package io.jswarm.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Node;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code node update} edits the daemon's {@code Spec} tree ({@link NodeCommand#updatedSpec}) into what binding it to
 * {@code Node} and changing the bound spec sent: for nodes with and without a spec, labels, each flag alone and
 * together; labels that are not all strings are left to the bound path; a {@code --label-rm} of a missing key is
 * refused with the bound path's message.
 */
class NodeUpdateTreeTest {
  private static final List<String> NODES = List.of(
      "{'ID':'n1','Version':{'Index':7},'Spec':{'Role':'worker','Availability':'active'}}",
      "{'ID':'n2','Version':{'Index':9},'Spec':{'Name':'db','Labels':{'a':'1','b':''},'Role':'manager',"
          + "'Availability':'drain'},'Description':{'Hostname':'h'}}",
      "{'ID':'n3','Version':{'Index':1}}",
      "{'ID':'n4','Version':{'Index':2},'Spec':{'Labels':null,'Availability':'pause'}}",
      "{'ID':'n5','Version':{'Index':3},'Spec':{'Name':null,'Labels':{'k':'v'},'Role':null,'Availability':'active'}}");

  @Test
  void theTreeGetsWhatTheBoundSpecSent() {
    Map<String, String> add = new LinkedHashMap<>();
    add.put("z", "26");
    add.put("a", "one");
    int compared = 0;
    for (String json : NODES) {
      for (String role : new String[] {null, "manager"}) {
        for (String availability : new String[] {null, "drain"}) {
          for (Map<String, String> adding : List.of(Map.<String, String>of(), add)) {
            for (List<String> removing : List.of(List.<String>of(), List.of("a"))) {
              JsonNode node = tree(json);
              boolean hasA = node.path("Spec").path("Labels").has("a") || adding.containsKey("a");
              if (!removing.isEmpty() && !hasA) {
                UsageException e = assertThrows(UsageException.class,
                    () -> NodeCommand.updatedSpec(node, role, availability, adding, removing));
                assertEquals("key a doesn't exist in node's labels", e.getMessage());
                continue;
              }
              JsonNode sent = NodeCommand.updatedSpec(node, role, availability, adding, removing);
              assertEquals(bound(json, role, availability, adding, removing), sent, json + " " + role + " "
                  + availability + " " + adding + " " + removing);
              compared++;
            }
          }
        }
      }
    }
    assertEquals(64, compared); // 80 combinations, 16 of them a --label-rm of a label the node lacks
    assertNull(NodeCommand.updatedSpec(tree("{'ID':'n','Spec':{'Labels':{'a':1}}}"), "worker", null, null, List.of()));
    assertNull(NodeCommand.updatedSpec(tree("{'ID':'n','Spec':{'Labels':['a']}}"), "worker", null, null, List.of()));
  }

  /**
   * {@code node promote} and {@code demote} ({@link NodeCommand#changeRoles}): the spec with only its role changed, labels
   * as they were (absent, null, empty or set), what binding the node and setting {@code Spec.Role} sent.
   */
  @Test
  void aRoleChangeSendsWhatTheBoundSpecSent() {
    int compared = 0;
    for (String json : NODES) {
      for (String role : new String[] {"manager", "worker"}) {
        JsonNode sent = NodeCommand.updatedSpec(tree(json), role, null, null, null);
        Node n = Json.mapper().convertValue(tree(json), Node.class);
        if (n.spec == null) {
          n.spec = new Node.Spec();
        }
        n.spec.role = role;
        assertEquals(JsonTrees.parse(Json.toBytes(n.spec)), sent, json + " " + role);
        compared++;
      }
    }
    assertEquals(10, compared);
    JsonNode noSpec = NodeCommand.updatedSpec(tree(NODES.get(2)), "manager", null, null, null);
    assertEquals("{\"Role\":\"manager\"}", new String(JsonOutput.compact(noSpec), StandardCharsets.UTF_8));
    assertNull(NodeCommand.updatedSpec(tree("{'ID':'n','Spec':{'Labels':{'a':true}}}"), "manager", null, null, null));
  }

  private static JsonNode tree(String json) {
    return JsonTrees.parse(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
  }

  /** What the bound path sent: the node bound, its spec changed as NodeCommand.Update changed it, written. */
  private static JsonNode bound(String json, String role, String availability, Map<String, String> add,
      List<String> remove) {
    Node n = Json.mapper().convertValue(tree(json), Node.class);
    if (n.spec == null) {
      n.spec = new Node.Spec();
    }
    if (role != null) {
      n.spec.role = role;
    }
    if (availability != null) {
      n.spec.availability = availability;
    }
    Map<String, String> labels = n.spec.labels == null ? new LinkedHashMap<>() : new LinkedHashMap<>(n.spec.labels);
    labels.putAll(add);
    for (String k : remove) {
      labels.remove(k);
    }
    n.spec.labels = labels;
    return JsonTrees.parse(Json.toBytes(n.spec));
  }
}
