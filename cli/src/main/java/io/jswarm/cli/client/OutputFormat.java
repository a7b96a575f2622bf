package io.jswarm.cli.client;

import io.jswarm.api.listing.TextTable;
import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import io.jswarm.cli.client.format.GoTemplate;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code --format} of list commands, as the docker CLI reads it: {@code table} (the default table),
 * {@code json} (one object per line), a Go template applied to each row ({@code '{{.ID}}'}), or
 * {@code table} followed by a template: a header from the fields' names, then the rows, aligned at the tabs
 * ({@code \t} in the flag is a tab, as in docker). Rows carry the docker CLI's field names ({@code ID},
 * {@code Name}, {@code Node}, {@code CurrentState} ...), the same as their {@code json} form.
 */
public final class OutputFormat {
  public static final OutputFormat TABLE = new OutputFormat(null, false);
  public static final OutputFormat JSON = new OutputFormat(null, false);

  private final GoTemplate template;
  private final boolean table;

  private OutputFormat(GoTemplate template, boolean table) {
    this.template = template;
    this.table = table;
  }

  /**
   * @throws UsageException for a template that does not parse, naming what is wrong
   */
  public static OutputFormat of(String flag) {
    if (isDefaultTable(flag)) {
      return TABLE;
    }
    if (flag.equals("json")) {
      return JSON;
    }
    boolean table = flag.startsWith("table ");
    return new OutputFormat(GoTemplate.parse(unescape(table ? flag.substring(6) : flag).strip(), true), table);
  }

  /** Whether {@code flag} asks for the default table (none, empty or {@code table}): {@link #of} gives {@link #TABLE}. */
  public static boolean isDefaultTable(String flag) {
    return flag == null || flag.isEmpty() || flag.equals("table");
  }

  /** The docker CLI's escapes in a format flag: a typed {@code \t} is a tab, {@code \n} a newline. */
  private static String unescape(String flag) {
    return flag.replace("\\t", "\t").replace("\\n", "\n");
  }

  /**
   * The one way every {@code ls}/{@code ps} prints its rows: their ids with {@code -q}, else as {@link #print} does.
   * Loops and a class, not lambdas or streams: the everyday listings link no lambda (docs/footprint.md).
   */
  public void printRows(PrintWriter out, boolean quiet, List<? extends ListingRow> rows, Supplier<String> defaultTable) {
    if (quiet) {
      for (ListingRow r : rows) {
        out.println(r.id());
      }
      out.flush();
      return;
    }
    if (this == TABLE) { // the rows' maps are for json and templates only
      out.print(defaultTable.get());
      out.flush();
      return;
    }
    List<Map<String, Object>> json = new ArrayList<>(rows.size());
    for (ListingRow r : rows) {
      json.add(r.json());
    }
    print(out, json, defaultTable);
  }

  /** Prints {@code rows} as asked: JSON lines, the template per row, or {@code defaultTable}. */
  public void print(PrintWriter out, List<? extends Map<String, ?>> rows, Supplier<String> defaultTable) {
    if (this == JSON) {
      out.print(JsonOutput.lines(rows));
    } else if (template == null) {
      out.print(defaultTable.get());
    } else {
      List<String> lines = new ArrayList<>();
      for (Map<String, ?> row : rows) {
        lines.add(template.render(Json.mapper().valueToTree(row)));
      }
      out.print(table ? aligned(template.header(), lines) : String.join("\n", lines) + (lines.isEmpty() ? "" : "\n"));
    }
    out.flush();
  }

  /** Each object through {@code format} (a Go template), or docker's indented JSON array when there is none. */
  public static void inspect(String format, List<JsonNode> objects, PrintWriter out) {
    if (format == null || format.isEmpty()) {
      out.print(JsonOutput.inspect(objects));
      return;
    }
    if (format.equals("json")) {
      out.print(JsonOutput.lines(objects));
      return;
    }
    GoTemplate t = GoTemplate.parse(unescape(format), false);
    for (JsonNode o : objects) {
      out.println(t.render(o));
    }
  }

  /** Lines split at their tabs laid out as docker's tabwriter does. */
  private static String aligned(String header, List<String> lines) {
    List<List<String>> cells = new ArrayList<>();
    int columns = 0;
    for (String line : prepend(header, lines)) {
      List<String> c = Arrays.asList(line.split("\t", -1));
      columns = Math.max(columns, c.size());
      cells.add(c);
    }
    TextTable t = null;
    for (List<String> c : cells) {
      List<String> padded = new ArrayList<>(c);
      while (padded.size() < columns) {
        padded.add("");
      }
      t = t == null ? new TextTable(padded) : t.row(padded);
    }
    return t.render();
  }

  private static List<String> prepend(String first, List<String> rest) {
    List<String> out = new ArrayList<>(rest.size() + 1);
    out.add(first);
    out.addAll(rest);
    return out;
  }
}
