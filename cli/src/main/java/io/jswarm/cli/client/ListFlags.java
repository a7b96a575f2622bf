package io.jswarm.cli.client;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The flags every {@code ls} shares (a picocli mixin): {@code -q}, {@code -f key=value}..., {@code --format}. One class
 * for {@code service ls}, {@code node ls}, {@code network ls}, {@code volume ls} and, with {@code --no-trunc}, the task
 * lists ({@link TaskListFlags}), so that {@link QuickVerbs} fills them in one place.
 */
public class ListFlags {
  @Option(names = {"-q", "--quiet"}, description = "Only display IDs (a volume's is its name).")
  boolean quiet;

  @Option(names = {"-f", "--filter"}, description = "Filter output based on conditions provided (key=value, e.g. "
      + "name=web, driver=overlay, label=k=v).")
  List<String> filters = new ArrayList<>();

  @Option(names = "--format", description = "Format output: table (default), json, a Go template (e.g. {{.ID}}) or table TEMPLATE.")
  String format;

  /** The {@code --filter} values; a verb may add its own ({@code service ps}: {@code service=}). */
  public Filters filters() {
    return Filters.parse(filters);
  }
}
