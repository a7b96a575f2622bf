package io.jswarm.cli;

import io.jswarm.cli.bench.BenchCommand;
import io.jswarm.cli.client.ClientCommands;
import io.jswarm.cli.client.events.EventsCommand;
import io.jswarm.cli.client.ImageCommand;
import io.jswarm.cli.client.NetworkCommand;
import io.jswarm.cli.client.payload.ConfigCommand;
import io.jswarm.cli.client.payload.SecretCommand;
import io.jswarm.cli.client.NodeCommand;
import io.jswarm.cli.client.ServiceCommand;
import io.jswarm.cli.client.SwarmCommand;
import io.jswarm.cli.client.VolumeCommand;
import io.jswarm.cli.hollow.HollowCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jswarm} entry point: {@code jswarm daemon} runs a node; every other verb is a client. */
@Command(
    name = "jswarm",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A Swarm-like cluster orchestrator.",
    subcommands = {VersionCommand.class, DaemonCommand.class, RaftCommand.class, BenchCommand.class, HollowCommand.class,
        SwarmCommand.class, NodeCommand.class, ServiceCommand.class, VolumeCommand.class,
        ImageCommand.class, NetworkCommand.class, SecretCommand.class, ConfigCommand.class, EventsCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Client verbs read this when they have no {@code -H} of their own ({@code jswarm -H tcp://... service ls}). */
  @CommandLine.Option(names = {"-H", "--host"}, paramLabel = "ADDRESS",
      description = "Daemon the client verbs talk to: unix:///path or tcp://host:port (default: $JSWARM_HOST, else "
          + "unix:///run/jswarm/jswarm.sock).")
  String host;

  /** gRPC (inside Ratis) logs through java.util.logging; held here so its level sticks (JUL keeps weak refs). */
  private static final java.util.logging.Logger GRPC_LOG =
      java.util.logging.Logger.getLogger("org.apache.ratis.thirdparty.io.grpc");

  public static void main(String[] args) {
    GRPC_LOG.setLevel(java.util.logging.Level.WARNING);
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code (tests call this rather than {@link #main}). */
  public static int run(String... args) {
    return run(null, null, args);
  }

  /** Runs a command line writing to {@code out} and {@code err} (null: the standard streams). */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new Main());
    if (out != null) {
      cl.setOut(out);
    }
    if (err != null) {
      cl.setErr(err);
    }
    ClientCommands.configure(cl);
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("Error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return 1;
    });
    return cl.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The build's version, from a resource Maven fills in. */
  public static String version() {
    Properties p = new Properties();
    try (InputStream in = Main.class.getResourceAsStream("/jswarm-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // fall through to "unknown"
    }
    return p.getProperty("version", "unknown");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"jswarm " + version()};
    }
  }
}
