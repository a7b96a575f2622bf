package io.jswarm.cli.client;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The everyday read verbs ({@code service ls}, {@code service ps}, {@code node ls}, {@code node ps}, {@code network
 * ls}, {@code volume ls}, {@code image ls}) without
 * picocli: building a command's model by reflection is most of a cold CLI's time (docs/footprint.md), and these
 * verbs are the ones typed most. A command line is taken here only when every word is one of the verb's plain
 * forms ({@code -q}, {@code --format F}, {@code -f k=v} ..., {@code -H ADDRESS} before or after the verb); anything
 * else ({@code --help}, a clustered {@code -qf}, a repeated single option, an unknown word, a value that starts with
 * {@code -}) returns null and picocli parses it, with its usage and error messages. The command then runs as the very
 * object picocli would have filled ({@link ClientCommand#execute}), so the output is the same by construction;
 * {@code QuickVerbsTest} checks both paths give the same output and that every flag here is the picocli command's.
 */
public final class QuickVerbs {
  private QuickVerbs() {}

  /** One flag of a quick verb: its names, whether it takes a value, and where the value goes. */
  record Flag(List<String> names, boolean repeatable, boolean takesValue, Consumer<String> set) {}

  /** A verb's command object, its flags and how many positional words it takes. */
  record Verb(ClientCommand command, List<Flag> flags, int minPositionals, int maxPositionals,
      Consumer<List<String>> positionals) {}

  /**
   * Runs {@code args} when they are a quick verb's plain form and returns its exit code; null when picocli has to
   * parse them.
   */
  public static Integer run(String[] args, PrintWriter out, PrintWriter err) throws Exception {
    int i = 0;
    String rootHost = null;
    while (i < args.length && args[i].startsWith("-")) {
      String a = args[i];
      if (rootHost == null && (a.equals("-H") || a.equals("--host")) && i + 1 < args.length
          && !args[i + 1].startsWith("-")) {
        rootHost = args[i + 1];
        i += 2;
      } else if (rootHost == null && a.startsWith("--host=")) {
        rootHost = a.substring("--host=".length());
        i++;
      } else {
        return null;
      }
    }
    if (args.length - i < 2) {
      return null;
    }
    Verb verb = verb(args[i], args[i + 1]);
    if (verb == null || !parse(verb, args, i + 2)) {
      return null;
    }
    ClientCommand c = verb.command();
    return c.execute(c.host != null ? c.host : rootHost, out, err);
  }

  /** The verb {@code group leaf} names with fresh option values, or null when it is not a quick verb. */
  static Verb verb(String group, String leaf) {
    switch (group + " " + leaf) {
      case "service ls", "service list": {
        ServiceCommand.Ls c = new ServiceCommand.Ls();
        return new Verb(c, withHost(c, List.of(
            new Flag(List.of("-q", "--quiet"), false, false, v -> c.quiet = true),
            new Flag(List.of("-f", "--filter"), true, true, c.filters::add),
            new Flag(List.of("--format"), false, true, v -> c.format = v))), 0, 0, p -> { });
      }
      case "node ls", "node list": {
        NodeCommand.Ls c = new NodeCommand.Ls();
        return new Verb(c, withHost(c, List.of(
            new Flag(List.of("-q", "--quiet"), false, false, v -> c.quiet = true),
            new Flag(List.of("-f", "--filter"), true, true, c.filters::add),
            new Flag(List.of("--format"), false, true, v -> c.format = v))), 0, 0, p -> { });
      }
      case "service ps": {
        ServiceCommand.Ps c = new ServiceCommand.Ps();
        return new Verb(c, withHost(c, taskListFlags(c.list)), 1, Integer.MAX_VALUE, p -> c.services = p);
      }
      case "node ps": {
        NodeCommand.Ps c = new NodeCommand.Ps();
        return new Verb(c, withHost(c, taskListFlags(c.list)), 0, Integer.MAX_VALUE, p -> c.nodes = p);
      }
      case "network ls", "network list": {
        NetworkCommand.Ls c = new NetworkCommand.Ls();
        return new Verb(c, withHost(c, List.of(
            new Flag(List.of("-q", "--quiet"), false, false, v -> c.quiet = true),
            new Flag(List.of("--no-trunc"), false, false, v -> c.noTrunc = true),
            new Flag(List.of("-f", "--filter"), true, true, c.filters::add),
            new Flag(List.of("--format"), false, true, v -> c.format = v))), 0, 0, p -> { });
      }
      case "volume ls", "volume list": {
        VolumeCommand.Ls c = new VolumeCommand.Ls();
        return new Verb(c, withHost(c, List.of(
            new Flag(List.of("-q", "--quiet"), false, false, v -> c.quiet = true),
            new Flag(List.of("-f", "--filter"), true, true, c.filters::add),
            new Flag(List.of("--format"), false, true, v -> c.format = v))), 0, 0, p -> { });
      }
      case "image ls", "image list": {
        ImageCommand.Ls c = new ImageCommand.Ls();
        return new Verb(c, withHost(c, List.of(
            new Flag(List.of("-q", "--quiet"), false, false, v -> c.quiet = true),
            new Flag(List.of("--digests"), false, false, v -> c.digests = true),
            new Flag(List.of("--no-trunc"), false, false, v -> c.noTrunc = true),
            new Flag(List.of("--format"), false, true, v -> c.format = v))), 0, 1, p -> c.reference = p.get(0));
      }
      default:
        return null;
    }
  }

  private static List<Flag> taskListFlags(TaskListFlags l) {
    return List.of(
        new Flag(List.of("-q", "--quiet"), false, false, v -> l.quiet = true),
        new Flag(List.of("--no-trunc"), false, false, v -> l.noTrunc = true),
        new Flag(List.of("-f", "--filter"), true, true, l.filters::add),
        new Flag(List.of("--format"), false, true, v -> l.format = v));
  }

  private static List<Flag> withHost(ClientCommand c, List<Flag> flags) {
    List<Flag> all = new ArrayList<>(flags);
    all.add(new Flag(List.of("-H", "--host"), false, true, v -> c.host = v));
    return all;
  }

  /** Fills the verb from {@code args[from..]}; false when any word is not one of its plain forms. */
  private static boolean parse(Verb verb, String[] args, int from) {
    List<String> positionals = new ArrayList<>();
    Set<Flag> seen = new HashSet<>();
    for (int i = from; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("-")) {
        positionals.add(a);
        continue;
      }
      int eq = a.startsWith("--") ? a.indexOf('=') : -1;
      String name = eq < 0 ? a : a.substring(0, eq);
      Flag flag = verb.flags().stream().filter(f -> f.names().contains(name)).findFirst().orElse(null);
      if (flag == null || !seen.add(flag) && !flag.repeatable()) {
        return false;
      }
      if (!flag.takesValue()) {
        if (eq >= 0) {
          return false;
        }
        flag.set().accept(null);
      } else if (eq >= 0) {
        flag.set().accept(a.substring(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("-")) {
        flag.set().accept(args[++i]);
      } else {
        return false;
      }
    }
    if (positionals.size() < verb.minPositionals() || positionals.size() > verb.maxPositionals()) {
      return false;
    }
    if (!positionals.isEmpty()) {
      verb.positionals().accept(positionals);
    }
    return true;
  }
}
