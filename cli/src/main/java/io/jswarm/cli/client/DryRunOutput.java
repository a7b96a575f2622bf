package io.jswarm.cli.client;

import io.jswarm.api.listing.TextTable;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;

/**
 * Prints the placement plan a {@code --dry-run} of {@code service create|update|scale} gets back
 * ({@code ?dryRun=true}, jswarm's {@code PlacementPlan}): the tasks per node and, for each task no node takes,
 * the scheduler's reason.
 */
final class DryRunOutput {
  private DryRunOutput() {}

  /** The query parameter that asks the daemon for a plan instead of a change. */
  static final String PARAM = "dryRun=true";

  /**
   * Prints {@code plan} for the service known to the user as {@code name}; returns 0 when every task would be
   * placed, 1 when some would stay pending (so scripts can refuse a change that does not fit).
   */
  static int print(String name, JsonNode plan, PrintWriter out) {
    out.println("Dry run of " + name + ": " + plan.path("DesiredTasks").asLong() + " task(s)"
        + (plan.path("ReplacesTasks").asBoolean() ? ", replacing the running ones" : "") + "; nothing was changed");
    TextTable t = new TextTable(List.of("NODE", "HOSTNAME", "TASKS", "NEW"));
    for (JsonNode n : plan.path("Nodes")) {
      t.row(List.of(n.path("NodeID").asText(), n.path("Hostname").asText(), n.path("Tasks").asText(),
          n.path("NewTasks").asText()));
    }
    out.print(t.render());
    JsonNode unplaced = plan.path("Unplaced");
    if (unplaced.size() > 0) {
      out.println(unplaced.size() + " task(s) would not be placed:");
      for (JsonNode u : unplaced) {
        String which = u.hasNonNull("Slot") ? name + "." + u.path("Slot").asText()
            : name + " on node " + u.path("NodeID").asText();
        out.println("  " + which + ": " + u.path("Err").asText());
      }
    }
    return unplaced.size() > 0 ? 1 : 0;
  }
}
