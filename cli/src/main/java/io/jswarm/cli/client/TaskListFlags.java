package io.jswarm.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The flags of {@code node ps} and {@code service ps} (a picocli mixin), and the printing of their task list. */
public final class TaskListFlags extends ListFlags {
  @Option(names = "--no-trunc", description = "Do not truncate output.")
  boolean noTrunc;

  private static boolean allKnown(JsonNode tasks, Map<String, String> services) {
    for (JsonNode t : tasks) {
      if (!services.containsKey(JsonTrees.text(t, "ServiceID"))) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code GET /tasks} with {@code filters}, read for the columns only ({@link TaskListing#COLUMNS}): what else the
   * daemon sends for each task is checked as JSON and skipped (docs/footprint.md).
   */
  public JsonNode tasks(ApiClient api, Filters filters) {
    return api.getTree(filters.appendTo("/tasks"), TaskListing.COLUMNS);
  }

  /** Prints the tasks (a JSON array from {@code GET /tasks}) as the flags ask: ids only, JSON lines, or docker's table. */
  public void print(ApiClient api, JsonNode tasks, PrintWriter out) {
    print(api, tasks, out, Map.of());
  }

  /**
   * Like {@link #print(ApiClient, JsonNode, PrintWriter)}, with the names of services the caller already read
   * ({@code service ps} resolved them): the daemon is asked for every service's name only when a task belongs to
   * another, and for nothing with {@code -q}, which prints ids only.
   */
  public void print(ApiClient api, JsonNode tasks, PrintWriter out, Map<String, String> knownServices) {
    print(OutputFormat.of(format), api, tasks, out, knownServices, null);
  }

  /**
   * {@code GET /tasks} with {@code filters}, printed as {@link #print(ApiClient, JsonNode, PrintWriter, Map)} prints
   * it, with the same requests in the same order; but the node names are asked for on another thread as soon as the
   * tasks' answer is in, while this one reads it ({@code service ps} of 100 tasks: the daemon's ~2-4 ms for {@code GET
   * /nodes} overlap the 54 KB read; docs/footprint.md). Whatever fails is reported where it was before: a bad
   * {@code --format} after the tasks are read, and no {@code GET /nodes} then.
   */
  public void printTasks(ApiClient api, Filters filters, PrintWriter out, Map<String, String> knownServices) {
    byte[] body = api.call("GET", filters.appendTo("/tasks"), null).body();
    OutputFormat fmt = null;
    RuntimeException badFormat = null;
    try {
      fmt = OutputFormat.of(format);
    } catch (RuntimeException e) {
      badFormat = e;
    }
    NodeNames nodes = badFormat == null && !quiet && JsonReader.nonEmptyArray(body) ? NodeNames.ask(api) : null;
    JsonNode tasks;
    try {
      tasks = JsonTrees.parse(body, TaskListing.COLUMNS);
    } catch (RuntimeException e) {
      if (nodes != null) {
        nodes.discard();
      }
      throw e;
    }
    if (badFormat != null) {
      throw badFormat;
    }
    print(fmt, api, tasks, out, knownServices, nodes);
  }

  /** The hostnames of all nodes, asked for on a thread of their own ({@link NodeCommand#hostnames}). */
  private static final class NodeNames extends Thread {
    private final ApiClient api;
    private Map<String, String> names;
    private Throwable failure;

    private NodeNames(ApiClient api) {
      super("node-names");
      this.api = api;
      setDaemon(true);
    }

    static NodeNames ask(ApiClient api) {
      NodeNames n = new NodeNames(api);
      n.start();
      return n;
    }

    @Override
    public void run() {
      try {
        names = NodeCommand.hostnames(api);
      } catch (Throwable t) {
        failure = t;
      }
    }

    /** The names, or what asking for them threw, on the caller's thread. */
    Map<String, String> names() {
      discard();
      if (failure instanceof RuntimeException r) {
        throw r;
      }
      if (failure instanceof Error e) {
        throw e;
      }
      return names;
    }

    /** Waits for the answer and drops it. */
    void discard() {
      boolean interrupted = false;
      while (isAlive()) {
        try {
          join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void print(OutputFormat fmt, ApiClient api, JsonNode tasks, PrintWriter out,
      Map<String, String> knownServices, NodeNames nodes) {
    boolean names = !quiet && !tasks.isEmpty();
    if (nodes != null && !names) {
      nodes.discard();
    }
    Map<String, String> nodeNames = !names ? Map.of() : nodes != null ? nodes.names() : NodeCommand.hostnames(api);
    Map<String, String> serviceNames = names && !allKnown(tasks, knownServices) ? NodeCommand.serviceNames(api)
        : knownServices;
    List<TaskListing.Row> rows = TaskListing.rows(tasks, serviceNames, nodeNames, Instant.now(), !noTrunc && !quiet);
    fmt.printRows(out, quiet, rows, new java.util.function.Supplier<>() {
      @Override
      public String get() {
        return TaskListing.table(rows);
      }
    });
  }
}
