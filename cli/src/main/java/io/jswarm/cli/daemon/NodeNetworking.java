package io.jswarm.cli.daemon;

import io.jswarm.worker.discovery.IngressRouting;
import io.jswarm.worker.discovery.ServiceDiscovery;
import io.jswarm.worker.network.BridgeConfig;
import io.jswarm.worker.network.BridgeNetworking;
import io.jswarm.worker.network.CompositeNetworking;
import io.jswarm.worker.network.OverlayNetworking;
import io.jswarm.worker.network.RoutingMesh;
import io.jswarm.worker.network.TaskNetworking;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's task networking, made when the container executor first needs it and kept across role changes: the task
 * bridge, the overlay driver beside it, the ingress routing mesh over both, and the containers' embedded DNS and VIP
 * rules. Nothing is made for the simulated executor. Leaving the swarm tears it all down ({@link #teardown});
 * stopping the daemon only closes it, since the containers outlive the daemon ({@link #close}).
 */
final class NodeNetworking implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeNetworking.class);

  private final DaemonOptions opts;
  /** Task sandboxes on this node's bridge. */
  private BridgeNetworking bridge;
  /** The task bridge plus the overlay driver: what the executor uses. */
  private CompositeNetworking tasks;
  /** The node's ingress routing mesh over {@link #tasks}. */
  private RoutingMesh mesh;
  /** Embedded DNS and VIP rules of the containers (one per daemon). */
  private ServiceDiscovery discovery;

  NodeNetworking(DaemonOptions opts) {
    this.opts = opts;
  }

  /** The task networks, mesh and discovery for the next {@link WorkerRole}, made on first use. */
  synchronized Parts parts() {
    boolean containers = !opts.executor().equals("simulated");
    if (bridge == null && containers) {
      bridge = new BridgeNetworking(BridgeConfig.defaults(opts.dataRoot(), opts.execRoot(), opts.nodeName())
          .withNames(opts.bridgeName(), opts.bridgeSubnet(), opts.bridgeName().replace('-', '_').replace('.', '_')));
      // underlay address and data path port come with each dispatcher session (WorkerRole wires the listener)
      tasks = new CompositeNetworking(bridge,
          new OverlayNetworking(opts.execRoot(), null, null, OverlayNetworking.DEFAULT_PORT));
      mesh = new RoutingMesh(tasks);
    }
    if (discovery == null && containers) {
      try {
        discovery = new ServiceDiscovery();
        if (mesh != null) {
          // the ingress network's records drive the mesh; the overlay has the endpoints by then (they come first)
          IngressRouting.attach(discovery.feed(), mesh::update);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start service discovery (embedded DNS): " + e.getMessage(), e);
      }
    }
    return new Parts(tasks == null ? TaskNetworking.NONE : tasks, mesh, discovery);
  }

  /** What {@link #parts} hands a worker role. */
  record Parts(TaskNetworking tasks, RoutingMesh mesh, ServiceDiscovery discovery) {}

  /** Stops the embedded DNS of every container and removes their VIP rules (re-made when containers are adopted). */
  void closeDiscovery() {
    ServiceDiscovery d;
    synchronized (this) {
      d = discovery;
      discovery = null;
    }
    if (d != null) {
      d.close();
    }
  }

  /** The node left the swarm: removes the mesh, the overlay sandboxes and the task bridge, then forgets them. */
  void teardown() {
    closeDiscovery();
    BridgeNetworking b;
    CompositeNetworking c;
    RoutingMesh m;
    synchronized (this) {
      b = bridge;
      bridge = null;
      c = tasks;
      tasks = null;
      m = mesh;
      mesh = null;
    }
    if (m != null) {
      try {
        m.teardown();
      } catch (Exception e) {
        LOG.warn("could not remove the ingress routing mesh: {}", e.toString());
      }
    }
    if (c != null) {
      try {
        c.overlay().teardown();
      } catch (Exception e) {
        LOG.warn("could not remove the overlay network sandboxes: {}", e.toString());
      }
      c.overlay().close();
    }
    if (b != null) {
      try {
        b.teardown();
      } catch (Exception e) {
        LOG.warn("could not remove the task bridge {}: {}", opts.bridgeName(), e.toString());
      }
      b.close();
    }
  }

  /** The daemon stops: closes what it holds, leaving the bridge, sandboxes and rules to the containers. */
  @Override
  public void close() {
    closeDiscovery();
    BridgeNetworking b;
    CompositeNetworking c;
    synchronized (this) {
      b = bridge;
      bridge = null;
      c = tasks;
      tasks = null;
      mesh = null;
    }
    if (b != null) {
      b.close();
    }
    if (c != null) {
      c.overlay().close(); // the next process replumbs the overlay sandboxes
    }
  }
}
