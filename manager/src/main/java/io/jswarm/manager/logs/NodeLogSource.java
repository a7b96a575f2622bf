package io.jswarm.manager.logs;

import java.io.IOException;
import java.io.InputStream;

/**
 * Where a manager gets a task's log lines: the node that runs the task, through its node-local route
 * ({@code GET /node/tasks/{id}/logs}) on its cluster port.
 */
public interface NodeLogSource {
  /** The path of the node-local route for {@code taskId}. */
  static String path(String taskId) {
    return "/node/tasks/" + taskId + "/logs";
  }

  /**
   * Opens the log of {@code taskId} on the node whose cluster port is {@code clusterAddr} ({@code ip:port}). The
   * stream yields json-file lines ({@code {"log":..,"stream":..,"time":..}\n}); closing it hangs up (ends a follow).
   *
   * @param query the node route's query string, without {@code ?}
   * @throws IOException when the node cannot be reached or refuses (the message names the node and the reason)
   */
  InputStream open(String clusterAddr, String taskId, String query) throws IOException;
}
