package io.jswarm.cli.daemon;

import io.jswarm.manager.logs.HttpsNodeLogSource;
import io.jswarm.manager.logs.NodeLogSource;
import io.jswarm.worker.logs.NodeLogRoutes;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Where a manager reads the logs of one request's tasks: a task of this very node from its own data root
 * ({@link NodeLogRoutes#open}: what the node route answers, without a TLS connection to itself per task), any other
 * from the task's node over HTTPS ({@link HttpsNodeLogSource}), whose client is made at the first such task (an
 * HTTPS client is a selector thread and a TLS context).
 */
final class TaskLogSources implements NodeLogSource {
  private final NodeLogRoutes local;
  private final Supplier<String> ownClusterAddr;
  private final Supplier<SSLContext> tls;
  private NodeLogSource remote;

  /**
   * @param local this node's log routes
   * @param ownClusterAddr this node's cluster address as it reports it ({@code ip:port}; null before it has one)
   * @param tls this node's client TLS context for the other nodes
   */
  TaskLogSources(NodeLogRoutes local, Supplier<String> ownClusterAddr, Supplier<SSLContext> tls) {
    this.local = Objects.requireNonNull(local, "local");
    this.ownClusterAddr = Objects.requireNonNull(ownClusterAddr, "ownClusterAddr");
    this.tls = Objects.requireNonNull(tls, "tls");
  }

  @Override
  public InputStream open(String clusterAddr, String taskId, String query) throws IOException {
    if (clusterAddr.equals(ownClusterAddr.get())) {
      return local.open(taskId, query);
    }
    NodeLogSource r;
    synchronized (this) {
      if (remote == null) {
        remote = new HttpsNodeLogSource(tls).client();
      }
      r = remote;
    }
    return r.open(clusterAddr, taskId, query);
  }
}
