package io.jswarm.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The flags of {@code node ps} and {@code service ps} (a picocli mixin), and the printing of their task list. */
public final class TaskListFlags {
  @Option(names = {"-q", "--quiet"}, description = "Only display task IDs.")
  boolean quiet;

  @Option(names = "--no-trunc", description = "Do not truncate output.")
  boolean noTrunc;

  @Option(names = {"-f", "--filter"}, description = "Filter output based on conditions provided (key=value).")
  List<String> filters = new ArrayList<>();

  @Option(names = "--format", description = "Format output: table (default), json, a Go template (e.g. {{.ID}}) or table TEMPLATE.")
  String format;

  /** The {@code --filter} values; the verb adds its own ({@code node=}, {@code service=}). */
  public Filters filters() {
    return Filters.parse(filters);
  }

  /** Prints the tasks (a JSON array from {@code GET /tasks}) as the flags ask: ids only, JSON lines, or docker's table. */
  public void print(ApiClient api, JsonNode tasks, PrintWriter out) {
    OutputFormat fmt = OutputFormat.of(format);
    Map<String, String> nodeNames = tasks.isEmpty() ? Map.of() : NodeCommand.hostnames(api);
    Map<String, String> serviceNames = tasks.isEmpty() ? Map.of() : NodeCommand.serviceNames(api);
    List<TaskListing.Row> rows = TaskListing.rows(tasks, serviceNames, nodeNames, Instant.now(), !noTrunc && !quiet);
    fmt.printRows(out, quiet, rows, new java.util.function.Supplier<>() {
      @Override
      public String get() {
        return TaskListing.table(rows);
      }
    });
  }
}
