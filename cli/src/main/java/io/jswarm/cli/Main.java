package io.jswarm.cli;

import io.jswarm.cli.bench.BenchCommand;
import io.jswarm.cli.client.ClientCommands;
import io.jswarm.cli.client.GroupCommand;
import io.jswarm.cli.client.QuickVerbs;
import io.jswarm.cli.client.stack.StackCommand;
import io.jswarm.cli.client.events.EventsCommand;
import io.jswarm.cli.client.ImageCommand;
import io.jswarm.cli.client.InfoCommand;
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
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jswarm} entry point: {@code jswarm daemon} runs a node; every other verb is a client. */
@Command(
    name = "jswarm",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT, // --help and --version on every command
    versionProvider = Main.Version.class,
    description = "A Swarm-like cluster orchestrator.")
public final class Main implements Runnable {
  /**
   * The verbs, in help order. A command line gets only the verb it names (see {@link #commandLine}): picocli
   * builds each command's model by reflection, and a client verb should not pay for the daemon's and every other
   * verb's.
   */
  static List<Class<?>> verbs() {
    return Verbs.ALL;
  }

  /** The verbs' names, in the order of {@link #verbs} (HelpEverywhereTest checks they are their commands' names). */
  static List<String> verbNames() {
    return Verbs.NAMES;
  }

  /** A class of its own, so that only a command line parsed by picocli loads every verb's class. */
  private static final class Verbs {
    static final List<Class<?>> ALL = List.of(VersionCommand.class, DaemonCommand.class, RaftCommand.class,
        BenchCommand.class, HollowCommand.class, SwarmCommand.class, NodeCommand.class, ServiceCommand.class,
        VolumeCommand.class, ImageCommand.class, NetworkCommand.class, SecretCommand.class, ConfigCommand.class,
        EventsCommand.class, InfoCommand.class, StackCommand.class, CompletionCommand.class);
    /**
     * Their names, so that finding the verb reads no verb's annotation: reading one makes the classes it names
     * ({@code bench}'s every benchmark, {@code raft}'s status command and what they refer to) and, the first time, a
     * proxy class; and no lambda to link (docs/footprint.md).
     */
    static final List<String> NAMES = List.of("version", "daemon", "raft", "bench", "hollow", "swarm", "node",
        "service", "volume", "image", "network", "secret", "config", "events", "info", "stack", "completion");
  }

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** Client verbs read this when they have no {@code -H} of their own ({@code jswarm -H tcp://... service ls}). */
  @CommandLine.Option(names = {"-H", "--host"}, paramLabel = "ADDRESS", scope = CommandLine.ScopeType.LOCAL,
      description = "Daemon the client verbs talk to: unix:///path or tcp://host:port (default: $JSWARM_HOST, else "
          + "unix:///run/jswarm/jswarm.sock).")
  String host;

  /** gRPC (inside Ratis) logs through java.util.logging; held here so its level sticks (JUL keeps weak refs). */
  private static java.util.logging.Logger grpcLog;

  public static void main(String[] args) {
    if (List.of("daemon", "raft", "bench", "hollow").contains(String.valueOf(verb(args)))) {
      grpcLog = java.util.logging.Logger.getLogger("org.apache.ratis.thirdparty.io.grpc");
      grpcLog.setLevel(java.util.logging.Level.WARNING);
    } else {
      namedSelectorProvider();
    }
    System.exit(run(args));
  }

  /**
   * A client's first socket channel asks {@code SelectorProvider} for its provider: unless a system property names
   * one, it looks for {@code META-INF/services} entries on the whole class path, and the client jar's
   * {@code Class-Path} then opens the 44 MB shaded jar (docs/footprint.md). This names the provider the JDK falls
   * back to on Linux, when nothing else is named.
   */
  static void namedSelectorProvider() {
    String property = "java.nio.channels.spi.SelectorProvider";
    if (System.getProperty(property) == null && "Linux".equals(System.getProperty("os.name"))) {
      System.setProperty(property, "sun.nio.ch.EPollSelectorProvider");
    }
  }

  /**
   * The command line for {@code args}: the root with only the verb {@code args} names, or with every verb when
   * they name none, or one that does not exist (top-level help, suggestions for a typo).
   */
  static CommandLine commandLine(String... args) {
    CommandLine cl = new CommandLine(new Main());
    int at = verbIndex(args);
    int known = at < 0 ? -1 : Verbs.NAMES.indexOf(args[at]);
    if (known < 0) {
      verbs().forEach(cl::addSubcommand);
      return cl;
    }
    Class<?> verb = Verbs.ALL.get(known);
    Class<?> leaf = at + 1 < args.length ? subcommand(verb, args[at + 1]) : null;
    if (leaf == null) {
      cl.addSubcommand(verb);
      return cl;
    }
    // `service ls`: the group with only that leaf (the group has no options of its own but --help, which the
    // root's inherited standard options give it); `service create`'s hundred options are not modelled for `ls`
    Command group = verb.getAnnotation(Command.class);
    CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.create().name(group.name());
    spec.usageMessage().description(group.description());
    cl.addSubcommand(group.name(), new CommandLine(spec));
    cl.getSubcommands().get(group.name()).addSubcommand(leaf);
    return cl;
  }

  /** The subcommand class of {@code group} called {@code name} (or aliased so), when it has none of its own. */
  private static Class<?> subcommand(Class<?> group, String name) {
    if (GroupCommand.class.isAssignableFrom(group) || group == BenchCommand.class) {
      for (Class<?> c : group.getAnnotation(Command.class).subcommands()) {
        Command cmd = c.getAnnotation(Command.class);
        if (cmd != null && cmd.subcommands().length == 0
            && (cmd.name().equals(name) || List.of(cmd.aliases()).contains(name))) {
          return c;
        }
      }
    }
    return null;
  }

  /** Every verb (completion scripts, tests). */
  public static CommandLine fullCommandLine() {
    return commandLine();
  }

  /** The first word of {@code args} that is not a root option (or its value), or null. */
  static String verb(String... args) {
    int i = verbIndex(args);
    return i < 0 ? null : args[i];
  }

  private static int verbIndex(String... args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-H") || a.equals("--host")) {
        i++;
      } else if (!a.startsWith("-")) {
        return i;
      } else if (!a.startsWith("-H") && !a.startsWith("--host=")) {
        return -1; // --help, --version, -- or an unknown option: the root handles it with every verb listed
      }
    }
    return -1;
  }

  /** Runs a command line and returns its exit code (tests call this rather than {@link #main}). */
  public static int run(String... args) {
    return run(null, null, args);
  }

  /**
   * Runs a command line writing to {@code out} and {@code err} (null: the standard streams). The everyday read verbs
   * and {@code jswarm daemon} in their plain forms skip picocli ({@link QuickVerbs}, {@link QuickFlags}); everything
   * else is parsed by picocli.
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
      // what picocli prints for the root's --version (the Version provider), without building every verb's model
      PrintWriter w = out != null ? out : stdout(System.out, "sun.stdout.encoding");
      w.println(versionLine());
      w.flush();
      return 0;
    }
    if (plainVersion(args)) {
      new VersionCommand().run(); // what picocli runs for `jswarm version`, without building the root's model
      return 0;
    }
    try {
      if (args.length > 0 && args[0].equals("daemon")) { // its options without picocli (docs/footprint.md)
        Integer daemon = DaemonCommand.runWithoutPicocli(List.of(args).subList(1, args.length));
        if (daemon != null) {
          return daemon;
        }
      }
      Integer quick = QuickVerbs.run(args, out != null ? out : stdout(System.out, "sun.stdout.encoding"),
          err != null ? err : stdout(System.err, "sun.stderr.encoding"));
      if (quick != null) {
        return quick;
      }
    } catch (Exception e) {
      PrintWriter w = err != null ? err : stdout(System.err, "sun.stderr.encoding");
      w.println(errorLine(e));
      w.flush();
      return 1;
    }
    return runParsed(out, err, args);
  }

  /** {@code version}, after at most one root {@code -H ADDRESS} (which it ignores), as picocli would take it. */
  private static boolean plainVersion(String... args) {
    int at = args.length == 3 && (args[0].equals("-H") || args[0].equals("--host")) && !args[1].startsWith("-") ? 2
        : args.length == 2 && args[0].startsWith("--host=") ? 1 : 0;
    return args.length == at + 1 && args[at].equals("version");
  }

  /** As picocli writes to a standard stream: in the console's encoding when Java knows it, else the default. */
  private static PrintWriter stdout(java.io.PrintStream stream, String encodingProperty) {
    String encoding = System.getProperty(encodingProperty);
    java.nio.charset.Charset cs = encoding != null ? java.nio.charset.Charset.forName(encoding)
        : java.nio.charset.Charset.defaultCharset();
    return new PrintWriter(new java.io.BufferedWriter(new java.io.OutputStreamWriter(stream, cs)), true);
  }

  /** What a command that failed with {@code e} prints: {@code Error: <message>}. */
  private static String errorLine(Exception e) {
    return "Error: " + (e.getMessage() == null ? e.toString() : e.getMessage());
  }

  /** {@link #run(PrintWriter, PrintWriter, String...)} always through picocli (tests compare the two paths). */
  public static int runParsed(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = commandLine(args);
    if (out != null) {
      cl.setOut(out);
    }
    if (err != null) {
      cl.setErr(err);
    }
    ClientCommands.configure(cl);
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println(errorLine(e));
      return 1;
    });
    return cl.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The build's version, from a resource Maven fills in (for a client verb, its copy beside the client jar). */
  public static String version() {
    Properties p = new Properties();
    InputStream beside = ClientResources.open(VERSION_RESOURCE);
    try (InputStream in = beside != null ? beside : Main.class.getResourceAsStream("/" + VERSION_RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // fall through to "unknown"
    }
    return p.getProperty("version", "unknown");
  }

  /** The version's resource (ClientJar copies it into the client jar and beside it). */
  static final String VERSION_RESOURCE = "jswarm-version.properties";

  /** What {@code jswarm --version} prints. */
  static String versionLine() {
    return "jswarm " + version();
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {versionLine()};
    }
  }
}
