package io.jswarm.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.listing.TaskRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code service ps} / {@code node ps} / {@code stack ps}: the daemon's task rows ({@code GET /tasks?view=rows},
 * made by {@link io.jswarm.api.listing.TaskRows} with the docker CLI's columns and order) printed as docker prints
 * them: in the table, a slot's older tasks are prefixed with {@code " \_ "}.
 */
public final class TaskListing {
  /** What the client reads of a row (all of it). */
  static final JsonShape COLUMNS = JsonShape.of("ID", "Name", "Previous", "Image", "Node", "DesiredState",
      "CurrentState", "Error", "Ports");

  private TaskListing() {}

  /** One printed row: the daemon's. */
  public record Row(TaskRow row) implements ListingRow {
    @Override
    public String id() {
      return row.id();
    }

    @Override
    public Map<String, Object> json() {
      return row.json();
    }
  }

  /** The rows of the daemon's answer (a JSON array of {@link TaskRow}s), in its order. */
  static List<Row> rows(JsonNode answer) {
    List<Row> rows = new ArrayList<>(answer.size());
    for (JsonNode r : answer) {
      rows.add(new Row(new TaskRow(JsonTrees.text(r, "ID"), JsonTrees.text(r, "Name"), r.path("Previous").asBoolean(),
          JsonTrees.text(r, "Image"), JsonTrees.text(r, "Node"), JsonTrees.text(r, "DesiredState"),
          JsonTrees.text(r, "CurrentState"), JsonTrees.text(r, "Error"), JsonTrees.text(r, "Ports"))));
    }
    return rows;
  }

  /** The default table ({@link io.jswarm.api.listing.TaskRows#table}, the daemon's {@code view=table}). */
  public static String table(List<Row> rows) {
    List<TaskRow> plain = new ArrayList<>(rows.size());
    for (Row row : rows) {
      plain.add(row.row());
    }
    return io.jswarm.api.listing.TaskRows.table(plain);
  }
}
