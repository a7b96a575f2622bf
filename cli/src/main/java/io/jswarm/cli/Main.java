package io.jswarm.cli;

import io.jswarm.cli.bench.BenchCommand;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jswarm} entry point: {@code jswarm daemon} runs a node; every other verb is a client. */
@Command(
    name = "jswarm",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A Swarm-like cluster orchestrator.",
    subcommands = {VersionCommand.class, DaemonCommand.class, RaftCommand.class, BenchCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code (tests call this rather than {@link #main}). */
  public static int run(String... args) {
    CommandLine cl = new CommandLine(new Main());
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
