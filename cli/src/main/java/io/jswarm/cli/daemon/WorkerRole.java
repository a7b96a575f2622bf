package io.jswarm.cli.daemon;

import io.jswarm.api.dispatcher.SessionRequest;
import io.jswarm.api.types.Node;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.TlsContexts;
import io.jswarm.worker.agent.Agent;
import io.jswarm.worker.agent.Executor;
import io.jswarm.worker.agent.HttpDispatcherTransport;
import io.jswarm.worker.agent.SimulatedExecutor;
import io.jswarm.worker.container.ContainerConfig;
import io.jswarm.worker.container.ContainerExecutor;
import io.jswarm.worker.image.ImageProvider;
import io.jswarm.worker.network.TaskNetworking;
import io.jswarm.worker.volume.VolumeProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What every node runs: the agent, keeping one session with the leader's dispatcher over mutual TLS and running
 * the tasks it is given through the executor. A manager's agent tries its own cluster port first (it redirects
 * to the leader).
 */
final class WorkerRole implements AutoCloseable {
  private final Agent agent;
  private final HttpDispatcherTransport transport;
  private final Executor executor;

  private WorkerRole(Agent agent, HttpDispatcherTransport transport, Executor executor) {
    this.agent = agent;
    this.transport = transport;
    this.executor = executor;
  }

  /**
   * @param onNode called with this node's object each time the dispatcher sends it (role changes, labels)
   */
  static WorkerRole start(DaemonOptions opts, NodeState s, NodeCredentials creds, String version, Clock clock,
      Consumer<Node> onNode, ImageProvider images) throws IOException {
    List<String> managers = new ArrayList<>();
    if (s.isManager()) {
      managers.add(s.clusterAddr());
    }
    for (NodeState.Manager m : s.managers) {
      if (m.clusterAddr != null && !managers.contains(m.clusterAddr)) {
        managers.add(m.clusterAddr);
      }
    }
    Node.Description description = NodeDescriptions.describe(opts.nodeName(), version, opts.engineLabels());
    HttpDispatcherTransport transport = new HttpDispatcherTransport(TlsContexts.client(creds));
    Executor executor = executor(opts, images, clock);
    Agent agent = new Agent(managers, transport, executor, () -> {
      SessionRequest r = new SessionRequest();
      r.description = description;
      r.addr = s.advertiseAddr;
      return r;
    }, clock);
    agent.addNodeListener(onNode);
    agent.start();
    return new WorkerRole(agent, transport, executor);
  }

  /** Until the node's image store is wired in: no image can be prepared. */
  static final ImageProvider NO_IMAGE_STORE = reference -> {
    throw new IOException("no image store on this node: cannot prepare image " + reference);
  };

  /** Until local volumes are wired in: volume mounts are refused. */
  static final VolumeProvider NO_VOLUMES = new VolumeProvider() {
    @Override
    public Path acquire(String name, Map<String, String> labels, String taskId) throws IOException {
      throw new IOException("no volume store on this node: cannot mount volume " + name);
    }

    @Override
    public void release(String taskId) {}

    @Override
    public void retainOnly(Set<String> taskIds) {}
  };

  /** The executor {@code --executor} names: containers under {@code --runtime}, or the simulated one. */
  static Executor executor(DaemonOptions opts, ImageProvider images, Clock clock) throws IOException {
    if (opts.executor().equals("simulated")) {
      return new SimulatedExecutor();
    }
    ContainerConfig config = new ContainerConfig(opts.dataRoot(), opts.execRoot(), opts.cgroupParent(),
        opts.runtime());
    return new ContainerExecutor(config, images, TaskNetworking.NONE, NO_VOLUMES, clock);
  }

  /** Managers the agent knows now (kept in {@link NodeState} so a restarted node finds the cluster again). */
  List<String> managers() {
    return agent.managers();
  }

  @Override
  public void close() {
    agent.close();
    transport.close();
    executor.close();
  }
}
