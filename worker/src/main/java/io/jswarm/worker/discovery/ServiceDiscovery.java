package io.jswarm.worker.discovery;

import io.jswarm.api.dispatcher.DispatcherMessage;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Service discovery of one node (one per daemon): the {@link ServiceDirectory}, the {@link DirectoryFeed} that keeps
 * it in step with the dispatcher's {@code services} messages, and the {@link NodeDiscovery} that gives each container
 * its embedded DNS and VIP rules.
 *
 * <p>{@link #onDispatcherMessage} is registered as an agent network listener; the messages are applied in order on a
 * thread of their own, so that rewriting the VIP rules of many containers never holds up the agent's session.
 * {@link #close} (daemon stop, swarm leave) detaches every container and stops the DNS.
 */
public final class ServiceDiscovery implements AutoCloseable {
  private final ServiceDirectory directory = new ServiceDirectory();
  private final DirectoryFeed feed = new DirectoryFeed(directory);
  private final NodeDiscovery containers;
  /** One thread at most, in order; it ends after {@link #APPLIER_KEEP_ALIVE} idle (~100 KB an idle thread). */
  private final ExecutorService applier = applier();

  static final java.time.Duration APPLIER_KEEP_ALIVE = java.time.Duration.ofSeconds(10);

  private static ExecutorService applier() {
    java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(1, 1,
        APPLIER_KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "jswarm-discovery-feed");
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  public ServiceDiscovery() throws IOException {
    this.containers = new NodeDiscovery(directory);
  }

  public ServiceDirectory directory() {
    return directory;
  }

  public DirectoryFeed feed() {
    return feed;
  }

  /** Per container: {@link NodeDiscovery#attach} / {@link NodeDiscovery#detach}. */
  public NodeDiscovery containers() {
    return containers;
  }

  /** Queues a dispatcher message for the feed ({@code services} messages; others are ignored). */
  public void onDispatcherMessage(DispatcherMessage m) {
    if (m == null || !DispatcherMessage.SERVICES.equals(m.type)) {
      return;
    }
    try {
      applier.execute(() -> feed.onDispatcherMessage(m));
    } catch (RejectedExecutionException closed) {
      // the node is stopping
    }
  }

  /** Waits until every message queued so far is applied (tests). */
  public void sync() throws InterruptedException {
    try {
      applier.submit(() -> {}).get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("service records not applied: " + e, e);
    }
  }

  @Override
  public void close() {
    applier.shutdownNow();
    try {
      applier.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    containers.close();
  }
}
