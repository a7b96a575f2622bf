package io.jswarm.cli.client;

import io.jswarm.api.listing.TextTable;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jswarm network ...}: create, list, inspect and remove overlay networks, as {@code docker network}. */
@Command(name = "network", description = "Manage overlay networks.",
    subcommands = {NetworkCommand.Create.class, NetworkCommand.Ls.class, NetworkCommand.Inspect.class,
        NetworkCommand.Rm.class})
public final class NetworkCommand extends GroupCommand {

  @Command(name = "create", description = "Create a network.")
  static final class Create extends ClientCommand {
    @Option(names = {"-d", "--driver"}, defaultValue = "overlay", description = "Driver (only overlay) (default ${DEFAULT-VALUE}).")
    String driver;

    @Option(names = "--subnet", description = "Subnet in CIDR format, e.g. 10.0.9.0/24 (default: one from the pool).")
    List<String> subnets = new ArrayList<>();

    @Option(names = "--gateway", description = "Gateway for the subnet (default: its first address).")
    List<String> gateways = new ArrayList<>();

    @Option(names = "--ip-range", description = "Allocate addresses from a sub-range (not supported; refused).")
    List<String> ipRanges = new ArrayList<>();

    @Option(names = "--attachable", description = "Enable manual container attachment.")
    boolean attachable;

    @Option(names = "--internal", description = "Restrict external access to the network.")
    boolean internal;

    @Option(names = "--ingress", description = "Create the swarm routing-mesh network.")
    boolean ingress;

    @Option(names = "--ipv6", description = "Enable IPv6 (not supported; refused).")
    boolean ipv6;

    @Option(names = "--scope", description = "Network scope (swarm).")
    String scope;

    @Option(names = "--label", description = "Network labels (key=value).")
    List<String> labels = new ArrayList<>();

    @Option(names = {"-o", "--opt"},
        description = "Driver options, e.g. com.docker.network.driver.overlay.vxlanid_list=4200.")
    List<String> opts = new ArrayList<>();

    @Parameters(index = "0", paramLabel = "NAME", description = "Network name.")
    String name;

    @Override
    protected int run(ApiClient api) {
      if (subnets.size() > 1 || gateways.size() > 1) {
        throw new UsageException("give one --subnet (and at most one --gateway): a network has one subnet here");
      }
      if (!gateways.isEmpty() && subnets.isEmpty()) {
        throw new UsageException("--gateway needs a --subnet it belongs to");
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("Name", name);
      body.put("CheckDuplicate", true);
      body.put("Driver", driver);
      body.put("Scope", scope == null ? "" : scope);
      body.put("EnableIPv6", ipv6);
      Map<String, Object> ipam = new LinkedHashMap<>();
      ipam.put("Driver", "default");
      List<Map<String, String>> configs = new ArrayList<>();
      if (!subnets.isEmpty()) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("Subnet", subnets.get(0));
        if (!gateways.isEmpty()) {
          c.put("Gateway", gateways.get(0));
        }
        if (!ipRanges.isEmpty()) {
          c.put("IPRange", ipRanges.get(0));
        }
        configs.add(c);
      }
      ipam.put("Config", configs);
      body.put("IPAM", ipam);
      body.put("Internal", internal);
      body.put("Attachable", attachable);
      body.put("Ingress", ingress);
      body.put("Options", keyValues("--opt", opts));
      body.put("Labels", keyValues("--label", labels));
      out.println(api.post("/networks/create", body).tree().path("Id").asText());
      return 0;
    }
  }

  @Command(name = "ls", aliases = "list", description = "List networks.")
  static final class Ls extends ClientCommand {
    @picocli.CommandLine.Mixin
    ListFlags list = new ListFlags();

    @Option(names = "--no-trunc", description = "Do not truncate the output.")
    boolean noTrunc;

    @Override
    protected int run(ApiClient api) {
      OutputFormat fmt = OutputFormat.of(list.format);
      JsonNode networks = api.getTree(list.filters().appendTo("/networks"));
      List<JsonNode> rows = new ArrayList<>();
      for (JsonNode n : networks) {
        rows.add(n);
      }
      rows.sort(BY_NAME);
      if (list.quiet) {
        for (JsonNode n : rows) {
          out.println(id(n, noTrunc));
        }
      } else {
        List<Map<String, String>> lines = new ArrayList<>();
        for (JsonNode n : rows) {
          Map<String, String> m = new LinkedHashMap<>();
          m.put("CreatedAt", n.path("Created").asText());
          m.put("Driver", n.path("Driver").asText());
          m.put("ID", id(n, noTrunc));
          m.put("IPv4", "true");
          m.put("IPv6", Boolean.toString(n.path("EnableIPv6").asBoolean()));
          m.put("Internal", Boolean.toString(n.path("Internal").asBoolean()));
          m.put("Labels", labels(n.path("Labels")));
          m.put("Name", n.path("Name").asText());
          m.put("Scope", n.path("Scope").asText());
          lines.add(m);
        }
        // classes, not lambdas: this listing links none (docs/footprint.md, "The CLI's start")
        fmt.print(out, lines, new java.util.function.Supplier<>() {
          @Override
          public String get() {
            TextTable t = new TextTable(List.of("NETWORK ID", "NAME", "DRIVER", "SCOPE"));
            for (JsonNode n : rows) {
              t.row(List.of(id(n, noTrunc), n.path("Name").asText(), n.path("Driver").asText(),
                  n.path("Scope").asText()));
            }
            return t.render();
          }
        });
      }
      return 0;
    }

    private static final java.util.Comparator<JsonNode> BY_NAME = new java.util.Comparator<>() {
      @Override
      public int compare(JsonNode a, JsonNode b) {
        return a.path("Name").asText().compareTo(b.path("Name").asText());
      }
    };

    private static String id(JsonNode n, boolean noTrunc) {
      String id = n.path("Id").asText();
      return noTrunc || id.length() <= 12 ? id : id.substring(0, 12);
    }

    private static String labels(JsonNode labels) {
      Map<String, String> sorted = new TreeMap<>();
      for (java.util.Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        sorted.put(e.getKey(), e.getValue().asText());
      }
      List<String> parts = new ArrayList<>();
      for (Map.Entry<String, String> e : sorted.entrySet()) {
        parts.add(e.getKey() + "=" + e.getValue());
      }
      return String.join(",", parts);
    }
  }

  @Command(name = "inspect", description = "Display detailed information on one or more networks.")
  static final class Inspect extends ClientCommand {
    @picocli.CommandLine.Mixin
    InspectFormat format = new InspectFormat();

    @Parameters(arity = "1..*", paramLabel = "NETWORK", description = "Network id, id prefix or name.")
    List<String> networks;

    @Override
    protected int run(ApiClient api) {
      List<String> errors = new ArrayList<>();
      return printInspect(format, inspectEach(api, networks, "Error: No such network: ", errors), errors);
    }

    @Override
    protected String inspectPath(ApiClient api, String ref) {
      return "/networks/" + seg(ref);
    }
  }

  @Command(name = "rm", aliases = "remove", description = "Remove one or more networks.")
  static final class Rm extends ClientCommand {
    @Parameters(arity = "1..*", paramLabel = "NETWORK", description = "Network id, id prefix or name.")
    List<String> networks;

    @Override
    protected int run(ApiClient api) throws Exception {
      return eachRef(networks, ref -> {
        api.delete("/networks/" + seg(ref));
        out.println(ref);
      });
    }
  }

  /** {@code key=value} flags as a map ({@code key} alone is an empty value), in order. */
  public static Map<String, String> keyValues(String flag, List<String> values) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String v : values) {
      int eq = v.indexOf('=');
      if (eq == 0) {
        throw new UsageException("invalid " + flag + " \"" + v + "\": want key=value");
      }
      out.put(eq < 0 ? v : v.substring(0, eq), eq < 0 ? "" : v.substring(eq + 1));
    }
    return out;
  }
}
