package io.jswarm.cli.dockercli;

import io.jswarm.cli.cluster.DockerCli;
import io.jswarm.cli.cluster.ProcessCluster;
import io.jswarm.cli.cluster.ProcessCluster.CliRun;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The fixture of the docker client tests: one jswarm daemon (simulated executor) that made itself a one-node swarm,
 * with the real docker client and the jswarm CLI pointed at it; started before the tests of a class and stopped
 * after them: {@code @RegisterExtension static final OneSwarmNode node = new OneSwarmNode("ev1");}
 */
final class OneSwarmNode implements BeforeAllCallback, AfterAllCallback {
  private final String name;
  private ProcessCluster cluster;
  private Daemon daemon;
  private DockerCli docker;

  /** @param name the node's name (and its directory's) */
  OneSwarmNode(String name) {
    this.name = name;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    cluster = new ProcessCluster();
    daemon = cluster.init(name);
    docker = new DockerCli("tcp://127.0.0.1:" + daemon.apiPort);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  Daemon daemon() {
    return daemon;
  }

  /** The docker client with {@code DOCKER_HOST} set to this node's TCP API. */
  DockerCli docker() {
    return docker;
  }

  /** Runs the jswarm CLI in this JVM against this node. */
  CliRun jswarm(String... args) {
    return daemon.jswarm(args);
  }
}
