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

  /**
   * Prints the tasks of {@code filters} as the flags ask. The default table is the daemon's ({@code view=table}, laid
   * out by {@link io.jswarm.api.listing.TaskRows#table} from the rows {@link #rows} would read), printed as it comes:
   * reading 100 rows' JSON, making the rows and laying them out were ~10 ms of a cold client's CPU
   * (docs/footprint.md); ids, JSON lines and templates read the rows.
   */
  public void print(ApiClient api, Filters filters, PrintWriter out) {
    if (quiet || !OutputFormat.isDefaultTable(format)) {
      print(rows(api, filters), out);
      return;
    }
    String path = filters.appendTo("/tasks?view=table&now=" + System.currentTimeMillis() + "&trunc=" + !noTrunc);
    out.print(api.call("GET", path, null).text());
    out.flush();
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
