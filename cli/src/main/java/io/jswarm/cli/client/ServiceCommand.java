package io.jswarm.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import io.jswarm.api.types.Service;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jswarm service ...}: create, list, inspect, change and remove services, as {@code docker service}. */
@Command(name = "service", description = "Manage swarm services.",
    subcommands = {ServiceCommand.Create.class, ServiceCommand.Ls.class, ServiceCommand.Ps.class,
        ServiceCommand.Inspect.class, ServiceCommand.Update.class, ServiceCommand.Scale.class, ServiceCommand.Rm.class,
        ServiceLogsCommand.class, ServiceRolloutCommands.Rollback.class, ServiceRolloutCommands.Promote.class,
        ServiceRolloutCommands.Rebalance.class})
public final class ServiceCommand extends GroupCommand {

  /** Sleeps for real between convergence polls. */
  static final ServiceConvergence.Sleeper SLEEP = new RealSleep();

  /**
   * {@link #SLEEP}: a class, not a lambda, so that loading this class (every {@code service} verb) links none; the
   * first lambda a cold JVM links costs ~10 ms (docs/footprint.md, "The CLI's start").
   */
  private static final class RealSleep implements ServiceConvergence.Sleeper {
    @Override
    public void sleep(java.time.Duration d) throws InterruptedException {
      Thread.sleep(d.toMillis());
    }
  }

  /** Prints the answer's {@code Warnings} on stderr. */
  static void warnings(ApiClient.Response r, java.io.PrintWriter err) {
    if (r.body().length == 0) {
      return;
    }
    JsonNode w = r.tree().path("Warnings");
    if (w.isArray()) {
      for (JsonNode x : w) {
        err.println(x.asText());
      }
    }
  }

  /**
   * Sends {@code spec}, the {@code Spec} of the daemon's own tree {@code service} after the flags' edits, as the
   * service's update at the version read (no data binding: docs/footprint.md). With {@code dryRun} it prints the
   * daemon's plan and returns its exit status; otherwise it prints the daemon's warnings and returns 0.
   */
  static int postSpecTree(ApiClient api, JsonNode service, JsonNode spec, boolean dryRun, java.io.PrintWriter out,
      java.io.PrintWriter err) throws InterruptedException {
    String update = "/services/" + ClientCommand.seg(JsonTrees.text(service, "ID")) + "/update?version="
        + JsonTrees.number(service, "Version", "Index");
    byte[] body = JsonOutput.compact(spec);
    if (dryRun) {
      return DryRunOutput.print(spec.path("Name").isTextual() ? spec.path("Name").textValue() : null,
          api.call("POST", update + "&" + DryRunOutput.PARAM, body).tree(), out);
    }
    warnings(api.call("POST", update, body), err);
    return 0;
  }

  @Command(name = "create", description = "Create a new service.")
  static final class Create extends ClientCommand {
    @Mixin
    ServiceCreateFlags flags = new ServiceCreateFlags();

    @Mixin
    RolloutFlags rollout = new RolloutFlags();

    @Option(names = {"-d", "--detach"}, arity = "0..1", description = "Exit immediately instead of waiting for the "
        + "service to converge (default: wait when a terminal is attached; --detach=false always waits).")
    Boolean detach;

    @Option(names = "--dry-run", description = "Print where the tasks would be placed (and why not) without changing "
        + "anything (jswarm extension).")
    boolean dryRun;

    @Option(names = {"-q", "--quiet"}, description = "Suppress progress output.")
    boolean quiet;

    @Override
    protected int run(ApiClient api) throws InterruptedException {
      Service.ServiceSpec spec = ServiceSpecs.create(flags, DaemonAddress.SYSTEM_ENV); // a class, not a lambda
      if (dryRun) {
        rollout.apply(spec, true);
        JsonNode plan = api.post("/services/create?" + DryRunOutput.PARAM, spec).tree();
        return DryRunOutput.print(spec.name == null ? "(new service)" : spec.name, plan, out);
      }
      io.jswarm.cli.client.payload.PayloadRefs.create(api, spec.taskTemplate.containerSpec, flags.secrets,
          flags.configs);
      rollout.apply(spec, true);
      // the everyday flags' spec written by hand, else bound (ServiceCreateTree)
      com.fasterxml.jackson.databind.node.ObjectNode tree = ServiceCreateTree.covers(flags)
          ? ServiceCreateTree.tree(spec) : null;
      ApiClient.Response r = tree != null ? api.call("POST", "/services/create", JsonOutput.compact(tree))
          : api.post("/services/create", spec);
      warnings(r, err);
      String id = r.tree().path("ID").asText();
      out.println(id);
      ServiceRolloutCommands.waitIfAsked(api, id, detach, quiet, false, out);
      return 0;
    }
  }

  @Command(name = "ls", aliases = "list", description = "List services.")
  static final class Ls extends ClientCommand {
    @picocli.CommandLine.Mixin
    ListFlags list = new ListFlags();

    @Override
    protected int run(ApiClient api) {
      OutputFormat fmt = OutputFormat.of(list.format);
      String path = list.filters().appendTo(list.quiet ? "/services" : "/services?status=true");
      List<ServiceListing.Row> rows = ServiceListing.rows(api.getTree(path));
      fmt.printRows(out, list.quiet, rows, new java.util.function.Supplier<>() {
        @Override
        public String get() {
          return ServiceListing.table(rows);
        }
      });
      return 0;
    }
  }

  @Command(name = "ps", description = "List the tasks of one or more services.")
  static final class Ps extends ClientCommand {
    @picocli.CommandLine.Mixin
    TaskListFlags list = new TaskListFlags();

    @Parameters(arity = "1..*", paramLabel = "SERVICE", description = "Service id, id prefix or name.")
    List<String> services;

    /**
     * One request when every service exists: the daemon resolves the services' ids, names or id prefixes in the
     * filter (as dockerd does). When one does not (a 404), each is looked up to name the missing ones, and the others'
     * tasks are listed.
     */
    @Override
    protected int run(ApiClient api) {
      Filters f = list.filters();
      for (String ref : services) {
        f.add("service", ref);
      }
      try {
        list.print(api, f, out);
        return 0;
      } catch (DaemonErrorException e) {
        if (e.status() != 404) {
          throw e;
        }
      }
      f = list.filters();
      List<String> notFound = new ArrayList<>();
      int found = 0;
      for (String ref : services) {
        try {
          f.add("service", JsonTrees.text(api.getTree("/services/" + seg(ref), JsonShape.ID), "ID"));
          found++;
        } catch (DaemonErrorException e) {
          if (e.status() != 404) {
            throw e;
          }
          notFound.add("no such service: " + ref);
        }
      }
      if (found == 0) {
        throw new UsageException(String.join("\n", notFound));
      }
      list.print(api, f, out);
      for (String e : notFound) {
        err.println(e);
      }
      return notFound.isEmpty() ? 0 : 1;
    }
  }

  @Command(name = "inspect", description = "Display detailed information on one or more services.")
  static final class Inspect extends ClientCommand {
    @picocli.CommandLine.Mixin
    InspectFormat format = new InspectFormat();

    @Option(names = "--pretty", description = "Print the information in a human friendly format.")
    boolean pretty;

    @Parameters(arity = "1..*", paramLabel = "SERVICE", description = "Service id, id prefix or name.")
    List<String> services;

    @Override
    protected int run(ApiClient api) {
      List<String> errors = new ArrayList<>();
      List<JsonNode> found = inspectEach(api, services, "Error: no such service: ", errors);
      format.refuseWithPretty(pretty);
      if (pretty) {
        java.util.Map<String, String> networkNames = new java.util.HashMap<>();
        for (JsonNode n : api.getTree("/networks")) {
          networkNames.put(n.path("Id").asText(), n.path("Name").asText());
        }
        for (JsonNode s : found) {
          out.print(PrettyInspect.service(s, networkNames));
        }
      } else {
        format.print(found, out);
      }
      return printErrors(errors);
    }

    @Override
    protected String inspectPath(ApiClient api, String ref) {
      return "/services/" + seg(ref);
    }
  }

  @Command(name = "update", description = "Update a service.")
  static final class Update extends ClientCommand {
    @Mixin
    ServiceUpdateFlags flags = new ServiceUpdateFlags();

    @Mixin
    RolloutFlags rollout = new RolloutFlags();

    @Option(names = {"-d", "--detach"}, arity = "0..1", description = "Exit immediately instead of waiting for the "
        + "service to converge (default: wait when a terminal is attached; --detach=false always waits).")
    Boolean detach;

    @Option(names = "--rollback", description = "Roll back to the previous specification.")
    boolean rollback;

    @Option(names = "--canary", description = "Start N tasks of the new spec first, then pause until "
        + "`service promote` (jswarm extension).")
    Long canary;

    @Option(names = "--dry-run", description = "Print where the tasks would be placed (and why not) without changing "
        + "anything (jswarm extension).")
    boolean dryRun;

    @Option(names = {"-q", "--quiet"}, description = "Suppress progress output.")
    boolean quiet;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "Service id, id prefix or name.")
    String service;

    @Override
    protected int run(ApiClient api) throws InterruptedException {
      if (dryRun && (rollback || canary != null)) {
        throw new UsageException("--dry-run cannot be combined with --rollback or --canary");
      }
      if (!rollback && canary == null && ServiceTreeUpdate.covers(flags, rollout)) {
        // the daemon's spec with only what the flags change: no data binding (docs/footprint.md)
        JsonNode tree = api.getTree("/services/" + seg(service));
        JsonNode spec = tree.path("Spec");
        if (ServiceTreeUpdate.apply(spec, flags)) {
          int status = postSpecTree(api, tree, spec, dryRun, out, err);
          if (dryRun) {
            return status;
          }
          out.println(service);
          ServiceRolloutCommands.waitIfAsked(api, JsonTrees.text(tree, "ID"), detach, quiet, false, out);
          return 0;
        }
      }
      Service s = api.get("/services/" + seg(service), Service.class);
      if (s.spec == null) {
        s.spec = new Service.ServiceSpec();
      }
      List<String> rm = new ArrayList<>();
      for (String ref : flags.networkRm) { // the spec holds network ids: resolve names the way the CLI user typed them
        rm.add(ref);
        try {
          rm.add(api.getTree("/networks/" + seg(ref)).path("Id").asText());
        } catch (DaemonErrorException e) {
          if (e.status() != 404) {
            throw e;
          }
        }
      }
      flags.networkRm = rm;
      if (rollback) {
        ServiceRolloutCommands.rollback(api, s, detach, quiet, out, err);
        return 0;
      }
      ServiceSpecs.update(s.spec, flags);
      if (s.spec.taskTemplate != null && s.spec.taskTemplate.containerSpec != null) {
        io.jswarm.cli.client.payload.PayloadRefs.update(api, s.spec.taskTemplate.containerSpec, flags.secretAdd,
            flags.secretRm, flags.configAdd, flags.configRm);
      }
      rollout.apply(s.spec, false);
      String query = "/update?version=" + s.versionIndex();
      if (dryRun) {
        return DryRunOutput.print(s.spec.name, api.post("/services/" + seg(s.id) + query + "&" + DryRunOutput.PARAM,
            s.spec).tree(), out);
      }
      if (canary != null) {
        if (canary < 1) {
          throw new UsageException("invalid --canary " + canary + ": give a number of tasks, 1 or more");
        }
        query += "&canary=" + canary;
      }
      ApiClient.Response r = api.post("/services/" + seg(s.id) + query, s.spec);
      warnings(r, err);
      out.println(service);
      ServiceRolloutCommands.waitIfAsked(api, s.id, detach, quiet, false, out);
      return 0;
    }
  }

  @Command(name = "scale", description = "Scale one or multiple replicated services (SERVICE=REPLICAS ...).")
  static final class Scale extends ClientCommand {
    @Option(names = {"-d", "--detach"}, description = "Exit immediately instead of waiting for the services to converge.")
    boolean detach;

    @Option(names = "--dry-run", description = "Print where the tasks would be placed (and why not) without changing "
        + "anything (jswarm extension).")
    boolean dryRun;

    @Parameters(arity = "1..*", paramLabel = "SERVICE=REPLICAS")
    List<String> specs;

    @Override
    protected int run(ApiClient api) throws InterruptedException {
      for (String arg : specs) {
        int eq = arg.indexOf('=');
        if (eq <= 0 || eq == arg.length() - 1) {
          throw new UsageException("invalid scale specifier '" + arg + "': want SERVICE=REPLICAS, such as web=3");
        }
      }
      int status = 0;
      List<String> scaled = new ArrayList<>();
      for (String arg : specs) {
        String ref = arg.substring(0, arg.indexOf('='));
        String value = arg.substring(arg.indexOf('=') + 1);
        long replicas;
        try {
          replicas = Long.parseLong(value);
          if (replicas < 0) {
            throw new NumberFormatException();
          }
        } catch (NumberFormatException e) {
          err.println(ref + ": invalid replicas value " + value + ": want a non-negative integer");
          status = 1;
          continue;
        }
        try {
          // the daemon's spec as it sent it, with only the replicas changed: no data binding (docs/footprint.md)
          JsonNode s = api.getTree("/services/" + seg(ref));
          JsonNode spec = s.path("Spec");
          JsonNode replicated = spec.path("Mode").path("Replicated");
          if (!replicated.isObject()) {
            err.println(ref + ": scale can only be used with replicated mode");
            status = 1;
            continue;
          }
          ((com.fasterxml.jackson.databind.node.ObjectNode) replicated).put("Replicas", replicas);
          int posted = postSpecTree(api, s, spec, dryRun, out, err);
          if (dryRun) {
            status = Math.max(status, posted);
            continue;
          }
          out.println(ref + " scaled to " + replicas);
          scaled.add(JsonTrees.text(s, "ID"));
        } catch (DaemonErrorException e) {
          err.println(ref + ": Error response from daemon: " + e.getMessage());
          status = 1;
        }
      }
      if (!detach && !dryRun) {
        out.flush();
        for (String id : scaled) {
          ServiceConvergence.await(api, id, out, SLEEP);
        }
      }
      return status;
    }
  }

  @Command(name = "rm", aliases = "remove", description = "Remove one or more services.")
  static final class Rm extends ClientCommand {
    @Parameters(arity = "1..*", paramLabel = "SERVICE")
    List<String> services;

    @Override
    protected int run(ApiClient api) throws Exception {
      return eachRef(services, ref -> {
        api.delete("/services/" + seg(ref));
        out.println(ref);
      });
    }
  }
}
