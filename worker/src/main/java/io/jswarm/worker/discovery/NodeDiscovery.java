package io.jswarm.worker.discovery;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Service discovery for the containers of one node: per container an {@link EmbeddedDns} endpoint in its
 * network namespace and its {@link VipBalancer} rules, both following the {@link ServiceDirectory}. The
 * integrator calls {@link #attach} once a container's sandbox exists (before the container starts, so its first
 * lookup is answered) and {@link #detach} before the sandbox is released.
 *
 * <p>DNS answers read the directory per query, so they change as soon as {@link ServiceDirectory#update}
 * stores the new view. VIP rules are rewritten just before that, for every attached container on the changed
 * network whose VIP -> backends map changes (in parallel, {@link #APPLY_THREADS} at a time): a name never resolves
 * to a task its VIP does not reach yet, nor stops resolving to one the VIP still sends new connections to.
 */
public final class NodeDiscovery implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeDiscovery.class);

  private final ServiceDirectory directory;
  private final EmbeddedDns dns;
  private final InetSocketAddress listen;
  private final Map<String, Attached> containers = new ConcurrentHashMap<>();
  private final ServiceDirectory.Listener listener = this::networkChanged;
  private final ServiceDirectory.ChangeListener changeListener = this::networkChanging;

  /** Rewrites of different containers run in parallel: each nft commit waits for the kernel (~15-20 ms here). */
  static final int APPLY_THREADS = 4;

  private final ExecutorService applyPool = Executors.newFixedThreadPool(APPLY_THREADS, r -> {
    Thread t = new Thread(r, "jswarm-vip-apply");
    t.setDaemon(true);
    return t;
  });

  private static final class Attached {
    final Path netns;
    final List<String> networkIds;
    final EmbeddedDns.Endpoint endpoint;
    /** What the container's rules say now; a change that leaves it equal is not written again. */
    volatile Map<String, List<String>> applied;

    Attached(Path netns, List<String> networkIds, EmbeddedDns.Endpoint endpoint) {
      this.netns = netns;
      this.networkIds = networkIds;
      this.endpoint = endpoint;
    }
  }

  public NodeDiscovery(ServiceDirectory directory) throws IOException {
    this(directory, EmbeddedDns.DEFAULT_LISTEN);
  }

  /** {@code listen}: the DNS address inside every container (tests may pick another port). */
  public NodeDiscovery(ServiceDirectory directory, InetSocketAddress listen) throws IOException {
    this.directory = directory;
    this.dns = new EmbeddedDns(directory);
    this.listen = listen;
    directory.addChangeListener(changeListener);
    directory.addListener(listener);
  }

  /**
   * Starts discovery for container {@code key} (the task id) whose network namespace is {@code netns} and which
   * is attached to {@code networkIds} (attachment order): DNS on the listen address, forwarding to
   * {@code upstreams} (the sandbox's original nameservers, see {@link EmbeddedDns#upstreamsFrom}), and VIP rules.
   * Attaching a key again replaces the earlier attachment.
   */
  public synchronized void attach(String key, Path netns, List<String> networkIds, List<InetSocketAddress> upstreams)
      throws IOException {
    detach(key);
    EmbeddedDns.Endpoint e = dns.start(netns, listen, networkIds, upstreams);
    Attached a = new Attached(netns, List.copyOf(networkIds), e);
    try {
      a.applied = VipBalancer.backends(directory.networks(a.networkIds));
      VipBalancer.apply(netns, a.applied);
    } catch (RuntimeException ex) {
      e.close();
      throw ex;
    }
    containers.put(key, a);
  }

  /** Stops discovery for {@code key}: closes its DNS sockets and removes its VIP rules. Idempotent. */
  public synchronized void detach(String key) {
    Attached a = containers.remove(key);
    if (a == null) {
      return;
    }
    a.endpoint.close();
    try {
      VipBalancer.remove(a.netns);
    } catch (RuntimeException ex) {
      log.debug("VIP rules of {} not removed (namespace gone?): {}", key, ex.toString());
    }
  }

  /** Before the directory shows the network's new view: the rules first (see {@link ServiceDirectory.ChangeListener}). */
  private synchronized void networkChanging(String networkId, ServiceDirectory.NetworkView next) {
    rewrite(networkId, a -> directory.networks(a.networkIds, networkId, next));
  }

  /** After: rewrites only what an attach in between left behind (usually nothing). */
  private synchronized void networkChanged(String networkId) {
    rewrite(networkId, a -> directory.networks(a.networkIds));
  }

  private void rewrite(String networkId,
      java.util.function.Function<Attached, List<ServiceDirectory.NetworkView>> views) {
    List<Future<?>> running = new ArrayList<>();
    for (Map.Entry<String, Attached> c : containers.entrySet()) {
      Attached a = c.getValue();
      if (!a.networkIds.contains(networkId)) {
        continue;
      }
      Map<String, List<String>> wanted = VipBalancer.backends(views.apply(a));
      if (wanted.equals(a.applied)) {
        continue;
      }
      running.add(applyPool.submit(() -> {
        try {
          VipBalancer.apply(a.netns, wanted);
          a.applied = wanted;
        } catch (RuntimeException ex) {
          a.applied = null; // unknown: written again at the next change
          log.warn("VIP rules of container {} in {} not updated: {}", c.getKey(), a.netns, ex.toString());
        }
      }));
    }
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException ex) {
        log.warn("VIP rules not updated: {}", ex.getCause().toString());
      }
    }
  }

  @Override
  public synchronized void close() {
    directory.removeListener(listener);
    directory.removeChangeListener(changeListener);
    for (String key : List.copyOf(containers.keySet())) {
      detach(key);
    }
    dns.close();
    applyPool.shutdownNow();
  }
}
