package io.jswarm.api.dispatcher;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.jswarm.api.types.Task;
import java.util.ArrayList;
import java.util.List;

/**
 * Body of {@code POST /dispatcher/status}: observed states of tasks assigned to the calling node. The
 * dispatcher keeps only forward moves and writes them to the store in batches.
 */
public class StatusRequest {
  @JsonProperty("SessionID")
  public String sessionId;
  public List<Update> updates = new ArrayList<>();

  /** One task's new status. */
  public static class Update {
    @JsonProperty("TaskID")
    public String taskId;
    public Task.TaskStatus status;

    public Update() {}

    public Update(String taskId, Task.TaskStatus status) {
      this.taskId = taskId;
      this.status = status;
    }
  }
}
