package io.jswarm.cli.dockercli;

import io.jswarm.cli.Main;
import io.jswarm.cli.cluster.ProcessCluster;
import io.jswarm.cli.cluster.ProcessCluster.Daemon;
import java.io.PrintWriter;
import java.io.StringWriter;
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

  /** What {@code jswarm -H <this node> ARGS...} printed and returned. */
  record Run(int rc, String out, String err) {}

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
  Run jswarm(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 2];
    all[0] = "-H";
    all[1] = daemon.host();
    System.arraycopy(args, 0, all, 2, args.length);
    int rc = Main.run(new PrintWriter(out), new PrintWriter(err), all);
    return new Run(rc, out.toString(), err.toString());
  }
}
