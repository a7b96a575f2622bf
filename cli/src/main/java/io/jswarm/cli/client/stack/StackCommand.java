package io.jswarm.cli.client.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.types.Service;
import io.jswarm.cli.client.ApiClient;
import io.jswarm.cli.client.ClientCommand;
import io.jswarm.cli.client.Filters;
import io.jswarm.cli.client.GroupCommand;
import io.jswarm.cli.client.OutputFormat;
import io.jswarm.cli.client.ServiceListing;
import io.jswarm.cli.client.TaskListFlags;
import io.jswarm.cli.client.TaskListing;
import io.jswarm.api.listing.TextTable;
import io.jswarm.cli.client.UsageException;
import io.jswarm.cli.client.payload.PayloadRefs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jswarm stack deploy|ls|ps|services|rm}, as {@code docker stack} does it against a swarm: a stack is the
 * services, networks, secrets and configs labelled {@code com.docker.stack.namespace=NAME}, so stacks deployed by
 * either client are seen and removed by both.
 */
@Command(name = "stack", description = "Manage stacks (compose files deployed as services).",
    subcommands = {StackCommand.Deploy.class, StackCommand.Ls.class, StackCommand.Ps.class,
        StackCommand.Services.class, StackCommand.Rm.class})
public final class StackCommand extends GroupCommand {

  static String label(String namespace) {
    return StackSpecs.NAMESPACE + "=" + namespace;
  }

  static String filtered(String path, String namespace) {
    return new Filters().add("label", label(namespace)).appendTo(path);
  }

  @Command(name = "deploy", aliases = "up", description = "Deploy a new stack or update an existing stack.")
  static final class Deploy extends ClientCommand {
    @Option(names = {"-c", "--compose-file"}, required = true, description = "Path to a Compose file (repeat to merge "
        + "several, later ones override).")
    List<Path> files = new ArrayList<>();

    @Option(names = "--prune", description = "Prune services that are no longer referenced.")
    boolean prune;

    @Parameters(index = "0", paramLabel = "STACK", description = "Stack name.")
    String namespace;

    @Override
    protected int run(ApiClient api) throws Exception {
      if (!namespace.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
        throw new UsageException("invalid stack name \"" + namespace + "\": letters, digits, '_', '.' and '-'");
      }
      ObjectNode doc = ComposeFile.load(files, System::getenv);
      Path dir = files.get(0).toAbsolutePath().getParent();
      StackSpecs.Stack stack = StackSpecs.convert(namespace, doc, dir, System::getenv);
      if (!stack.ignored().isEmpty()) {
        err.println("Ignoring unsupported options: " + String.join(", ", stack.ignored()));
        err.println();
      }
      networks(api, stack);
      payloads(api, "secrets", stack.secrets());
      payloads(api, "configs", stack.configs());
      Map<String, Service> existing = new LinkedHashMap<>();
      for (Service s : api.get(filtered("/services", namespace), Service[].class)) {
        existing.put(s.spec.name, s);
      }
      for (StackSpecs.ServiceDef d : stack.services()) {
        PayloadRefs.create(api, d.spec().taskTemplate.containerSpec, d.secrets(), d.configs());
        Service have = existing.remove(d.name());
        if (have == null) {
          d.rollout().apply(d.spec(), true);
          out.println("Creating service " + d.name());
          api.post("/services/create", d.spec());
        } else {
          d.spec().updateConfig = have.spec.updateConfig;
          d.spec().rollbackConfig = have.spec.rollbackConfig;
          d.rollout().apply(d.spec(), false);
          out.println("Updating service " + d.name() + " (id: " + have.id + ")");
          api.post("/services/" + seg(have.id) + "/update?version=" + have.versionIndex(), d.spec());
        }
      }
      if (prune) {
        for (Service s : existing.values()) {
          out.println("Removing service " + s.spec.name);
          api.delete("/services/" + seg(s.id));
        }
      }
      return 0;
    }

    private void networks(ApiClient api, StackSpecs.Stack stack) {
      Set<String> have = new TreeSet<>();
      for (JsonNode n : api.getTree("/networks")) {
        have.add(n.path("Name").asText());
      }
      for (StackSpecs.Resource n : stack.networks()) {
        if (have.contains(n.name())) {
          continue;
        }
        if (n.external()) {
          throw new UsageException("network \"" + n.name() + "\" is declared as external, but could not be found. "
              + "You need to create a swarm-scoped network before the stack is deployed");
        }
        Map<String, Object> body = new LinkedHashMap<>(n.body());
        @SuppressWarnings("unchecked")
        Map<String, String> labels = new LinkedHashMap<>((Map<String, String>) body.get("Labels"));
        labels.put(StackSpecs.NAMESPACE, namespace);
        body.put("Labels", labels);
        body.put("CheckDuplicate", true);
        out.println("Creating network " + n.name());
        api.post("/networks/create", body);
      }
    }

    private void payloads(ApiClient api, String kind, List<StackSpecs.Resource> defs) throws Exception {
      for (StackSpecs.Resource r : defs) {
        boolean exists = api.getTree(new Filters().add("name", r.name()).appendTo("/" + kind)).size() > 0
            && api.getTree(new Filters().add("name", r.name()).appendTo("/" + kind)).findValuesAsText("Name")
                .contains(r.name());
        if (r.external()) {
          if (!exists) {
            throw new UsageException(kind.substring(0, kind.length() - 1) + " \"" + r.name() + "\" is declared as "
                + "external, but could not be found");
          }
          continue;
        }
        if (exists) {
          continue; // data cannot change; as the docker client, an existing one is used as it is
        }
        byte[] data = r.body().containsKey("File") ? Files.readAllBytes(Path.of((String) r.body().get("File")))
            : ((String) r.body().get("Value")).getBytes(StandardCharsets.UTF_8);
        @SuppressWarnings("unchecked")
        Map<String, String> labels = new LinkedHashMap<>((Map<String, String>) r.body().get("Labels"));
        labels.put(StackSpecs.NAMESPACE, namespace);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("Name", r.name());
        body.put("Labels", labels);
        body.put("Data", Base64.getEncoder().encodeToString(data));
        out.println("Creating " + kind.substring(0, kind.length() - 1) + " " + r.name());
        api.post("/" + kind + "/create", body);
      }
    }
  }

  @Command(name = "ls", aliases = "list", description = "List stacks.")
  public static final class Ls extends ClientCommand {
    /** Public for {@code QuickVerbs}, which fills it as picocli would. */
    @Option(names = "--format", description = "table (default), json or a Go template ({{.Name}}, {{.Services}}).")
    public String format;

    @Override
    protected int run(ApiClient api) {
      Map<String, Integer> stacks = new TreeMap<>();
      // read as trees: no data binding to set up for a listing (docs/footprint.md)
      for (JsonNode s : api.getTree(new Filters().add("label", StackSpecs.NAMESPACE).appendTo("/services"))) {
        JsonNode ns = s.path("Spec").path("Labels").path(StackSpecs.NAMESPACE);
        if (!ns.isMissingNode() && !ns.isNull()) {
          Integer n = stacks.get(ns.asText());
          stacks.put(ns.asText(), n == null ? 1 : n + 1);
        }
      }
      List<Map<String, ?>> rows = new ArrayList<>();
      for (Map.Entry<String, Integer> e : stacks.entrySet()) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("Name", e.getKey());
        row.put("Services", String.valueOf(e.getValue()));
        row.put("Orchestrator", "Swarm");
        rows.add(row);
      }
      // a class, not a lambda: this listing links none (docs/footprint.md, "The CLI's start")
      OutputFormat.of(format).print(out, rows, new java.util.function.Supplier<>() {
        @Override
        public String get() {
          TextTable t = new TextTable(List.of("NAME", "SERVICES"));
          for (Map.Entry<String, Integer> e : stacks.entrySet()) {
            t.row(List.of(e.getKey(), String.valueOf(e.getValue())));
          }
          return t.render();
        }
      });
      return 0;
    }
  }

  @Command(name = "services", description = "List the services in the stack.")
  static final class Services extends ClientCommand {
    @Option(names = {"-q", "--quiet"}, description = "Only display IDs.")
    boolean quiet;

    @Option(names = "--format", description = "table (default), json or a Go template.")
    String format;

    @Parameters(index = "0", paramLabel = "STACK")
    String namespace;

    @Override
    protected int run(ApiClient api) {
      JsonNode services = api.getTree(filtered("/services?status=true", namespace));
      if (services.isEmpty()) {
        err.println("Nothing found in stack: " + namespace);
        return 0;
      }
      List<ServiceListing.Row> rows = ServiceListing.rows(services);
      if (quiet) {
        rows.forEach(r -> out.println(r.id()));
      } else {
        OutputFormat.of(format).print(out, rows.stream().map(ServiceListing.Row::json).toList(),
            () -> ServiceListing.table(rows));
      }
      return 0;
    }
  }

  @Command(name = "ps", description = "List the tasks in the stack.")
  static final class Ps extends ClientCommand {
    @Mixin
    TaskListFlags list = new TaskListFlags();

    @Parameters(index = "0", paramLabel = "STACK")
    String namespace;

    @Override
    protected int run(ApiClient api) {
      List<TaskListing.Row> rows = list.rows(api, list.filters().add("label", label(namespace)));
      if (rows.isEmpty()) {
        err.println("nothing found in stack: " + namespace);
        return 1;
      }
      list.print(rows, out);
      return 0;
    }
  }

  @Command(name = "rm", aliases = {"remove", "down"}, description = "Remove one or more stacks.")
  static final class Rm extends ClientCommand {
    @Parameters(arity = "1..*", paramLabel = "STACK")
    List<String> namespaces;

    @Override
    protected int run(ApiClient api) throws Exception {
      int rc = 0;
      for (String ns : namespaces) {
        JsonNode services = api.getTree(filtered("/services", ns));
        JsonNode secrets = api.getTree(filtered("/secrets", ns));
        JsonNode configs = api.getTree(filtered("/configs", ns));
        JsonNode networks = api.getTree(filtered("/networks", ns));
        if (services.isEmpty() && secrets.isEmpty() && configs.isEmpty() && networks.isEmpty()) {
          err.println("Nothing found in stack: " + ns);
          continue;
        }
        rc |= remove(api, services, "service", "/services/", n -> n.at("/Spec/Name").asText());
        rc |= remove(api, secrets, "secret", "/secrets/", n -> n.at("/Spec/Name").asText());
        rc |= remove(api, configs, "config", "/configs/", n -> n.at("/Spec/Name").asText());
        rc |= remove(api, networks, "network", "/networks/", n -> n.path("Name").asText());
      }
      return rc;
    }

    private int remove(ApiClient api, JsonNode items, String noun, String base,
        java.util.function.Function<JsonNode, String> name) {
      int rc = 0;
      for (JsonNode n : items) {
        String id = n.has("ID") ? n.get("ID").asText() : n.path("Id").asText();
        out.println("Removing " + noun + " " + name.apply(n));
        try {
          api.delete(base + seg(id));
        } catch (io.jswarm.cli.client.DaemonErrorException e) {
          err.println("Failed to remove " + noun + " " + id + ": " + e.getMessage());
          rc = 1;
        }
      }
      return rc;
    }
  }
}
