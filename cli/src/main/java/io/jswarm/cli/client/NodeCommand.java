package io.jswarm.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Node;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.TLSInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jswarm node ...}: list, inspect and change the nodes of the swarm, as {@code docker node}. */
@Command(name = "node", description = "Manage swarm nodes.",
    subcommands = {NodeCommand.Ls.class, NodeCommand.Inspect.class, NodeCommand.Update.class, NodeCommand.Promote.class,
        NodeCommand.Demote.class, NodeCommand.Rm.class, NodeCommand.Ps.class})
public final class NodeCommand extends GroupCommand {

  static JsonNode listNodes(ApiClient api, Filters filters) {
    return api.getTree(filters.appendTo("/nodes"));
  }

  /** The node id for a reference, where {@code self} is the node the CLI talks to (from {@code /info}). */
  static String reference(ApiClient api, String ref) {
    if (!ref.equals("self")) {
      return ref;
    }
    String id = api.getTree("/info").path("Swarm").path("NodeID").asText("");
    if (id.isEmpty()) {
      api.get("/nodes", Node[].class); // the daemon's own error says why ("This node is not a swarm manager...")
      throw new UsageException("node ID not found in /info: is this node part of a swarm?");
    }
    return id;
  }

  @Command(name = "ls", aliases = "list", description = "List nodes in the swarm.")
  static final class Ls extends ClientCommand {
    @picocli.CommandLine.Mixin
    ListFlags list = new ListFlags();

    @Override
    protected int run(ApiClient api) {
      OutputFormat fmt = OutputFormat.of(list.format);
      JsonNode nodes = listNodes(api, list.filters());
      String self = "";
      JsonNode clusterTls = null;
      if (!nodes.isEmpty() && !list.quiet) {
        JsonNode swarm = api.getTree("/info").path("Swarm");
        self = swarm.path("NodeID").asText("");
        clusterTls = swarm.path("Cluster").path("TLSInfo");
      }
      List<NodeListing.Row> rows = NodeListing.rows(nodes, self, clusterTls);
      fmt.printRows(out, list.quiet, rows, new java.util.function.Supplier<>() {
        @Override
        public String get() {
          return NodeListing.table(rows);
        }
      });
      return 0;
    }
  }

  @Command(name = "inspect", description = "Display detailed information on one or more nodes.")
  static final class Inspect extends ClientCommand {
    @picocli.CommandLine.Mixin
    InspectFormat format = new InspectFormat();

    @Option(names = "--pretty", description = "Print the information in a human friendly format.")
    boolean pretty;

    @Parameters(arity = "1..*", paramLabel = "NODE", description = "Node id, id prefix, hostname or self.")
    List<String> nodes;

    @Override
    protected int run(ApiClient api) {
      List<String> errors = new ArrayList<>();
      List<JsonNode> found = inspectEach(api, nodes, "Error: No such node: ", errors);
      format.refuseWithPretty(pretty);
      if (pretty) {
        for (int i = 0; i < found.size(); i++) {
          if (i > 0) {
            out.println();
          }
          out.print(PrettyInspect.node(found.get(i)));
        }
      } else {
        format.print(found, out);
      }
      return printErrors(errors);
    }

    @Override
    protected String inspectPath(ApiClient api, String ref) {
      return "/nodes/" + seg(reference(api, ref));
    }
  }

  /** GET the node, change its spec, POST it back with its version; prints {@code done} for each success. */
  static void updateNodes(ApiClient api, List<String> refs, java.util.function.Predicate<Node> change,
      Consumer<String> done) {
    for (String ref : refs) {
      Node n = api.get("/nodes/" + ClientCommand.seg(reference(api, ref)), Node.class);
      if (n.spec == null) {
        n.spec = new Node.Spec();
      }
      if (!change.test(n)) {
        continue;
      }
      api.post("/nodes/" + ClientCommand.seg(n.id) + "/update?version=" + n.versionIndex(), n.spec);
      done.accept(ref);
    }
  }

  @Command(name = "update", description = "Update a node.")
  static final class Update extends ClientCommand {
    @Option(names = "--availability", description = "Availability of the node (active, pause, drain).")
    String availability;

    @Option(names = "--role", description = "Role of the node (worker, manager).")
    String role;

    @Option(names = "--label-add", description = "Add or update a node label (key=value).")
    List<String> labelAdd = new ArrayList<>();

    @Option(names = "--label-rm", description = "Remove a node label if it exists.")
    List<String> labelRm = new ArrayList<>();

    @Parameters(index = "0", paramLabel = "NODE")
    String node;

    @Override
    protected int run(ApiClient api) {
      if (availability != null && !List.of("active", "pause", "drain").contains(availability)) {
        throw new UsageException("invalid --availability \"" + availability + "\": allowed are active, pause and drain");
      }
      if (role != null && !List.of("worker", "manager").contains(role)) {
        throw new UsageException("invalid --role \"" + role + "\": allowed are worker and manager");
      }
      Map<String, String> add = ServiceSpecs.keyValues("--label-add", labelAdd);
      JsonNode n = api.getTree("/nodes/" + seg(reference(api, node)));
      ObjectNode spec = updatedSpec(n, role, availability, add, labelRm);
      if (spec != null) {
        api.call("POST", "/nodes/" + seg(JsonTrees.text(n, "ID")) + "/update?version="
            + JsonTrees.number(n, "Version", "Index"), JsonOutput.compact(spec));
        out.println(node);
        return 0;
      }
      updateNodes(api, List.of(node), b -> { // labels that are not all strings: as binding reads them
        if (role != null) {
          b.spec.role = role;
        }
        if (availability != null) {
          b.spec.availability = availability;
        }
        b.spec.labels = labels(b.spec.labels, add, labelRm);
        return true;
      }, out::println);
      return 0;
    }
  }

  /**
   * The node's {@code Spec} as the daemon sent it with the flags' changes, what binding it to {@code Node.Spec} and
   * changing that sent (no data binding: an {@code ObjectMapper} and the api types' introspection were most of a cold
   * {@code node update}, docs/footprint.md; {@code NodeUpdateTreeTest}); null when its labels are not all strings.
   * {@code add} and {@code remove} null leave the labels as they are ({@code promote}, {@code demote}); else the spec
   * has the labels after them, as {@code node update}'s bound path always sent.
   *
   * @throws UsageException for a {@code --label-rm} of a label the node does not have
   */
  static ObjectNode updatedSpec(JsonNode node, String role, String availability,
      Map<String, String> add, List<String> remove) {
    JsonNode given = node.path("Spec");
    ObjectNode spec = given instanceof ObjectNode o ? o.deepCopy() : JsonNodeFactory.instance.objectNode();
    Map<String, String> have = new LinkedHashMap<>();
    JsonNode labels = spec.path("Labels");
    if (labels.isObject()) {
      for (java.util.Iterator<Map.Entry<String, JsonNode>> i = labels.fields(); i.hasNext(); ) {
        Map.Entry<String, JsonNode> e = i.next();
        if (!e.getValue().isTextual()) {
          return null;
        }
        have.put(e.getKey(), e.getValue().textValue());
      }
    } else if (!labels.isMissingNode() && !labels.isNull()) {
      return null;
    }
    for (java.util.Iterator<Map.Entry<String, JsonNode>> i = spec.fields(); i.hasNext(); ) {
      if (i.next().getValue().isNull()) {
        i.remove(); // as binding reads a null member: not set, so not written
      }
    }
    if (role != null) {
      spec.put("Role", role);
    }
    if (availability != null) {
      spec.put("Availability", availability);
    }
    if (add == null && remove == null) {
      return spec;
    }
    ObjectNode after = JsonNodeFactory.instance.objectNode();
    for (Map.Entry<String, String> e : labels(have, add, remove).entrySet()) {
      after.put(e.getKey(), e.getValue());
    }
    spec.set("Labels", after);
    return spec;
  }

  /** A node's labels after {@code --label-add} and {@code --label-rm}. */
  private static Map<String, String> labels(Map<String, String> have, Map<String, String> add, List<String> remove) {
    Map<String, String> labels = have == null ? new LinkedHashMap<>() : new LinkedHashMap<>(have);
    if (add != null) {
      labels.putAll(add);
    }
    for (String k : remove) {
      if (!labels.containsKey(k)) {
        throw new UsageException("key " + k + " doesn't exist in node's labels");
      }
      labels.remove(k);
    }
    return labels;
  }

  @Command(name = "promote", description = "Promote one or more nodes to manager in the swarm.")
  static final class Promote extends ClientCommand {
    @Parameters(arity = "1..*", paramLabel = "NODE")
    List<String> nodes;

    @Override
    protected int run(ApiClient api) {
      changeRoles(api, nodes, "manager", out);
      return 0;
    }
  }

  @Command(name = "demote", description = "Demote one or more nodes from manager in the swarm.")
  static final class Demote extends ClientCommand {
    @Parameters(arity = "1..*", paramLabel = "NODE")
    List<String> nodes;

    @Override
    protected int run(ApiClient api) {
      changeRoles(api, nodes, "worker", out);
      return 0;
    }
  }

  /**
   * {@code node promote} ({@code role} manager) and {@code demote} (worker): each node read, its {@code Spec} tree
   * posted back with the new role ({@link #updatedSpec}, no data binding) unless it has that role already; a node whose
   * labels are not all strings goes the bound way. Prints docker's lines.
   */
  static void changeRoles(ApiClient api, List<String> refs, String role, java.io.PrintWriter out) {
    boolean promote = role.equals("manager");
    for (String ref : refs) {
      JsonNode n = api.getTree("/nodes/" + ClientCommand.seg(reference(api, ref)));
      String id = JsonTrees.text(n, "ID");
      ObjectNode spec = updatedSpec(n, role, null, null, null);
      if (spec == null) {
        updateNodes(api, List.of(ref), new RoleChange(role, out), new RoleDone(promote, out));
        continue;
      }
      if (role.equals(n.path("Spec").path("Role").textValue())) {
        out.println(alreadyInRole(id, role));
        continue;
      }
      api.call("POST", "/nodes/" + ClientCommand.seg(id) + "/update?version=" + JsonTrees.number(n, "Version", "Index"),
          JsonOutput.compact(spec));
      new RoleDone(promote, out).accept(ref);
    }
  }

  /** Docker's line for a node that has the role already (the tree path's and the bound path's). */
  private static String alreadyInRole(String id, String role) {
    return "Node " + id + (role.equals("manager") ? " is already a manager." : " is already a worker.");
  }

  /** The bound path's change of role (labels that are not all strings, as binding reads them). */
  private static final class RoleChange implements java.util.function.Predicate<Node> {
    private final String role;
    private final java.io.PrintWriter out;

    RoleChange(String role, java.io.PrintWriter out) {
      this.role = role;
      this.out = out;
    }

    @Override
    public boolean test(Node n) {
      if (role.equals(n.spec.role)) {
        out.println(alreadyInRole(n.id, role));
        return false;
      }
      n.spec.role = role;
      return true;
    }
  }

  /** Docker's line for a node whose role changed. */
  private static final class RoleDone implements Consumer<String> {
    private final boolean promote;
    private final java.io.PrintWriter out;

    RoleDone(boolean promote, java.io.PrintWriter out) {
      this.promote = promote;
      this.out = out;
    }

    @Override
    public void accept(String ref) {
      out.println(promote ? "Node " + ref + " promoted to a manager in the swarm." : "Manager " + ref
          + " demoted in the swarm.");
    }
  }

  @Command(name = "rm", aliases = "remove", description = "Remove one or more nodes from the swarm.")
  static final class Rm extends ClientCommand {
    @Option(names = {"-f", "--force"}, description = "Force remove a node from the swarm.")
    boolean force;

    @Parameters(arity = "1..*", paramLabel = "NODE")
    List<String> nodes;

    @Override
    protected int run(ApiClient api) throws Exception {
      return eachRef(nodes, ref -> {
        api.delete("/nodes/" + seg(ref) + (force ? "?force=true" : ""));
        out.println(ref);
      });
    }
  }

  @Command(name = "ps", description = "List tasks running on one or more nodes, defaults to current node.")
  static final class Ps extends ClientCommand {
    @picocli.CommandLine.Mixin
    TaskListFlags list = new TaskListFlags();

    @Parameters(arity = "0..*", paramLabel = "NODE", description = "Nodes (default: self).")
    List<String> nodes = new ArrayList<>();

    @Override
    protected int run(ApiClient api) {
      Filters f = list.filters();
      for (String ref : nodes.isEmpty() ? List.of("self") : nodes) {
        f.add("node", JsonTrees.text(api.getTree("/nodes/" + seg(reference(api, ref)), JsonShape.ID), "ID"));
      }
      list.print(api, f, out);
      return 0;
    }
  }
}
