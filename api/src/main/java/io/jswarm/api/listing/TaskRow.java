package io.jswarm.api.listing;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.TreeMap;

/**
 * One line of {@code service ps} / {@code node ps} / {@code stack ps} as the daemon sends it with {@code GET
 * /tasks?view=rows} ({@link TaskRows}): the docker CLI's columns, already named, sorted and written. {@code name} has
 * no indent; {@code previous} marks an older task of the slot above it (the table prefixes it with {@code " \_ "}).
 */
public record TaskRow(@JsonProperty("ID") String id, @JsonProperty("Name") String name,
    @JsonProperty("Previous") boolean previous, @JsonProperty("Image") String image, @JsonProperty("Node") String node,
    @JsonProperty("DesiredState") String desiredState, @JsonProperty("CurrentState") String currentState,
    @JsonProperty("Error") String error, @JsonProperty("Ports") String ports) {

  /** The row as {@code --format json} (and a template's {@code .Field}) shows it: docker's eight fields. */
  public Map<String, Object> json() {
    Map<String, Object> m = new TreeMap<>();
    m.put("CurrentState", currentState);
    m.put("DesiredState", desiredState);
    m.put("Error", error);
    m.put("ID", id);
    m.put("Image", image);
    m.put("Name", name);
    m.put("Node", node);
    m.put("Ports", ports);
    return m;
  }
}
