package io.jswarm.cli.client;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Option;

/** The flags of {@code node ps} and {@code service ps} (a picocli mixin), and the printing of their task list. */
public final class TaskListFlags extends ListFlags {
  @Option(names = "--no-trunc", description = "Do not truncate output.")
  boolean noTrunc;

  /**
   * The rows of {@code GET /tasks} with {@code filters}, as the daemon makes them for these flags ({@code view=rows}:
   * names, order, states and "5 seconds ago" counted from this machine's clock; ids, images and errors shortened
   * unless {@code --no-trunc} or {@code -q}).
   */
  public List<TaskListing.Row> rows(ApiClient api, Filters filters) {
    String path = filters.appendTo("/tasks?view=rows&now=" + System.currentTimeMillis() + "&trunc=" + (!noTrunc && !quiet));
    return TaskListing.rows(api.getTree(path, TaskListing.COLUMNS));
  }

  /** Prints the rows as the flags ask: ids only, JSON lines, a template per row, or docker's table. */
  public void print(List<TaskListing.Row> rows, PrintWriter out) {
    OutputFormat.of(format).printRows(out, quiet, rows, new java.util.function.Supplier<>() {
      @Override
      public String get() {
        return TaskListing.table(rows);
      }
    });
  }
}
