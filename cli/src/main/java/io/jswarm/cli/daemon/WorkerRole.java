package io.jswarm.cli.daemon;

import io.jswarm.api.dispatcher.SessionRequest;
import io.jswarm.api.types.Node;
import io.jswarm.transport.pki.NodeCredentials;
import io.jswarm.transport.pki.TlsContexts;
import io.jswarm.worker.agent.Agent;
import io.jswarm.worker.agent.Executor;
import io.jswarm.worker.agent.HttpDispatcherTransport;
import io.jswarm.worker.agent.SimulatedExecutor;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
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
      Consumer<Node> onNode) {
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
    Executor executor = new SimulatedExecutor();
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
