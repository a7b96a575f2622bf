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
    OutputFormat fmt = OutputFormat.of(format);
    boolean names = !quiet && !tasks.isEmpty();
    Map<String, String> nodeNames = names ? NodeCommand.hostnames(api) : Map.of();
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
