package io.jswarm.cli.client;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Base of every client verb: finds the daemon ({@code -H} here or before the verb, else {@code $JSWARM_HOST}, else
 * the default socket), runs the command with one {@link ApiClient}, and turns failures into Docker's messages and
 * exit code 1: {@code Error response from daemon: <message>} for error answers, a "Cannot connect" line naming the
 * address when the daemon is not there.
 */
public abstract class ClientCommand implements Callable<Integer> {
  @Spec
  protected CommandSpec spec;

  @Option(names = {"-H", "--host"}, paramLabel = "ADDRESS",
      description = "Daemon to talk to: unix:///path or tcp://host:port (default: $JSWARM_HOST, else "
          + DaemonAddress.DEFAULT + ").")
  String host;

  @Option(names = "--help", usageHelp = true, description = "Print usage.")
  boolean help;

  protected PrintWriter out;
  protected PrintWriter err;

  /** Runs the command; returns the exit code. */
  protected abstract int run(ApiClient api) throws Exception;

  @Override
  public final Integer call() throws Exception {
    out = spec.commandLine().getOut();
    err = spec.commandLine().getErr();
    try {
      DaemonAddress address = DaemonAddress.resolve(host != null ? host : rootHost(), System::getenv);
      try (ApiClient api = new ApiClient(address)) {
        return run(api);
      }
    } catch (DaemonErrorException e) {
      err.println("Error response from daemon: " + e.getMessage());
      return 1;
    } catch (DaemonUnreachableException | UsageException e) {
      err.println(e.getMessage());
      return 1;
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** The {@code -H} given before the verb ({@code jswarm -H ... service ls}), if the root command has one. */
  private String rootHost() {
    OptionSpec o = spec.root().findOption("--host");
    return o == null ? null : o.getValue();
  }

  /** A path segment with reserved characters escaped. */
  protected static String seg(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
