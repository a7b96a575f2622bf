package io.jswarm.worker.volume;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Named local volumes on this node (Docker's {@code local} driver): a directory under the data root created on
 * first use. The executor acquires a volume for each {@code type: volume} mount of a task and releases them all
 * when the task is removed; a volume in use cannot be removed.
 */
public interface VolumeProvider {
  /** The host directory of volume {@code name}, created (with {@code labels}) if new; records {@code taskId} as a user. */
  Path acquire(String name, Map<String, String> labels, String taskId) throws IOException;

  /** The size limit of volume {@code name} in bytes ({@code --opt size=}), or null when it has none. */
  default Long sizeLimit(String name) throws IOException {
    return null;
  }

  /** Drops {@code taskId} as a user of every volume it acquired. Idempotent. */
  void release(String taskId) throws IOException;

  /** Reconcile after a restart: drops every user not in {@code taskIds}. */
  void retainOnly(Set<String> taskIds) throws IOException;
}
