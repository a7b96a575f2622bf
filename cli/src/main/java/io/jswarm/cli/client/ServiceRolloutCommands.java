package io.jswarm.cli.client;

import io.jswarm.api.types.Service;
import java.io.PrintWriter;
import java.io.Writer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code service rollback} (Docker's: {@code POST /services/{id}/update?rollback=previous} with the current
 * spec and version) and {@code service promote} (jswarm: {@code POST /services/{id}/promote} continues an update
 * paused after its canary tasks), and when the service commands wait for convergence.
 */
final class ServiceRolloutCommands {
  private ServiceRolloutCommands() {}

  /**
   * Waits unless told not to: {@code --detach} returns at once, {@code --detach=false} always waits, and without
   * the flag the command waits when a terminal is attached (the progress is then redrawn in place).
   */
  static void waitIfAsked(ApiClient api, String id, Boolean detach, boolean quiet, boolean rollback, PrintWriter out)
      throws InterruptedException {
    boolean terminal = terminal();
    if (!shouldWait(detach, terminal)) {
      return;
    }
    out.flush();
    PrintWriter w = quiet ? new PrintWriter(Writer.nullWriter()) : out;
    ServiceConvergence.await(api, id, w, ServiceCommand.SLEEP, terminal && !quiet, rollback);
  }

  /** Whether stdin and stdout are a terminal (Java 22+ has a console even when redirected: ask it then). */
  static boolean terminal() {
    java.io.Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
    } catch (ReflectiveOperationException e) {
      return true; // up to Java 21 a console exists only on a terminal
    }
  }

  static boolean shouldWait(Boolean detach, boolean terminal) {
    return detach == null ? terminal : !detach;
  }

  static void rollback(ApiClient api, Service s, Boolean detach, boolean quiet, PrintWriter out, PrintWriter err)
      throws InterruptedException {
    ApiClient.Response r = api.post("/services/" + ClientCommand.seg(s.id) + "/update?version=" + s.versionIndex()
        + "&rollback=previous", s.spec);
    ServiceCommand.warnings(r, err);
    out.println(s.spec == null || s.spec.name == null ? s.id : s.spec.name);
    waitIfAsked(api, s.id, detach, quiet, true, out);
  }

  /** A verb on one service that then waits for it to converge: {@code -d}, {@code -q} and the SERVICE argument. */
  abstract static class OneServiceCommand extends ClientCommand {
    @Option(names = {"-d", "--detach"}, arity = "0..1", description = "Exit immediately instead of waiting for the "
        + "service to converge (default: wait when a terminal is attached; --detach=false always waits).")
    Boolean detach;

    @Option(names = {"-q", "--quiet"}, description = "Suppress progress output.")
    boolean quiet;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "Service id, id prefix or name.")
    String service;
  }

  @Command(name = "rollback", description = "Revert changes to a service's configuration.")
  static final class Rollback extends OneServiceCommand {
    @Override
    protected int run(ApiClient api) throws InterruptedException {
      Service s = api.get("/services/" + seg(service), Service.class);
      rollback(api, s, detach, quiet, out, err);
      return 0;
    }
  }

  @Command(name = "promote", description = "Continue an update paused after its canary tasks (jswarm extension).")
  static final class Promote extends OneServiceCommand {
    @Override
    protected int run(ApiClient api) throws InterruptedException {
      Service s = api.get("/services/" + seg(service), Service.class);
      api.post("/services/" + seg(s.id) + "/promote", null);
      out.println(service);
      waitIfAsked(api, s.id, detach, quiet, false, out);
      return 0;
    }
  }

  /**
   * {@code service rebalance SERVICE} (jswarm: {@code POST /services/{id}/rebalance}): moves the tasks above each
   * node's goal, start-first with the service's update config; prints how many move from where.
   */
  @picocli.CommandLine.Command(name = "rebalance", description = "Move a replicated service's tasks until its "
      + "spread or binpack goal holds on the current nodes (start-first, with its update config; jswarm extension).")
  static final class Rebalance extends OneServiceCommand {
    @Override
    protected int run(ApiClient api) throws InterruptedException {
      Service s = api.get("/services/" + seg(service), Service.class);
      com.fasterxml.jackson.databind.JsonNode r = api.post("/services/" + seg(s.id) + "/rebalance", null).tree();
      long moves = r.path("Moves").asLong();
      if (moves == 0) {
        out.println(service + ": balanced already, nothing to move");
        return 0;
      }
      StringBuilder from = new StringBuilder();
      r.path("FromNodes").fields().forEachRemaining(e -> from.append(from.length() == 0 ? "" : ", ")
          .append(e.getValue().asLong()).append(" from ").append(e.getKey()));
      out.println(service + ": moving " + moves + " task(s): " + from);
      waitIfAsked(api, s.id, detach, quiet, false, out);
      return 0;
    }
  }
}
