package io.jswarm.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
    return execute(host != null ? host : rootHost(), spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  /**
   * Runs the command against the daemon at {@code host} (null: {@code $JSWARM_HOST} or the default) writing to
   * {@code out} and {@code err}; picocli's {@link #call} and {@link QuickVerbs} (which fills the options itself) both
   * come here.
   */
  final int execute(String host, PrintWriter out, PrintWriter err) throws Exception {
    this.out = out;
    this.err = err;
    try {
      DaemonAddress address = DaemonAddress.resolve(host, DaemonAddress.SYSTEM_ENV);
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

  /** One step of {@link #eachRef}: acts on one object named on the command line. */
  @FunctionalInterface
  protected interface RefAction {
    void apply(String ref) throws Exception;
  }

  /**
   * Runs {@code action} for every ref, as Docker's multi-object verbs do ({@code rm a b c}): an error answer for one
   * is printed as {@code Error response from daemon: ...} and the others still run; 1 when any failed.
   */
  protected int eachRef(List<String> refs, RefAction action) throws Exception {
    int status = 0;
    for (String ref : refs) {
      try {
        action.apply(ref);
      } catch (DaemonErrorException e) {
        err.println("Error response from daemon: " + e.getMessage());
        status = 1;
      }
    }
    return status;
  }

  /**
   * {@code inspect} of several objects: GETs {@code path(ref)} for each, collecting the found ones in order; a 404
   * adds {@code <notFound><ref>} to {@code errors} (other errors end the command). Docker's wording differs per
   * object ({@code Error: No such network: }, {@code Error: no such service: }).
   */
  protected final List<JsonNode> inspectEach(ApiClient api, List<String> refs, String notFound, List<String> errors) {
    List<JsonNode> found = new ArrayList<>();
    for (String ref : refs) {
      try {
        found.add(api.getTree(inspectPath(api, ref)));
      } catch (DaemonErrorException e) {
        if (e.status() != 404) {
          throw e;
        }
        errors.add(notFound + ref);
      }
    }
    return found;
  }

  /**
   * The path {@link #inspectEach} GETs for one ref: each {@code inspect} verb names its own. A method rather than a
   * lambda: the first lambda a cold JVM links costs ~10 ms (docs/footprint.md, "The CLI's start").
   */
  protected String inspectPath(ApiClient api, String ref) {
    throw new UnsupportedOperationException(getClass().getName() + " inspects nothing");
  }

  /** Prints {@code inspect} output: the found objects as a JSON array, then the errors; 1 when any was not found. */
  protected int printInspect(InspectFormat format, List<JsonNode> found, List<String> errors) {
    format.print(found, out);
    return printErrors(errors);
  }

  /** Prints each of {@code errors} on stderr; 1 when there is any. */
  protected int printErrors(List<String> errors) {
    for (String e : errors) {
      err.println(e);
    }
    return errors.isEmpty() ? 0 : 1;
  }

  /** A path segment with reserved characters escaped. */
  public static String seg(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
