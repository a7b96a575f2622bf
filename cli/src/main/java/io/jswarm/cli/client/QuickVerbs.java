package io.jswarm.cli.client;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The everyday client verbs without picocli: building a command's model by reflection is most of a cold CLI's time
 * (docs/footprint.md), and these verbs are the ones typed most. Two kinds: the verbs written out ({@link WrittenVerbs}:
 * {@code service}/{@code node} {@code ls}, {@code ps} and {@code inspect}, {@code network}/{@code volume}/{@code image}
 * {@code ls}, {@code network}/{@code volume} {@code inspect}, {@code secret}/{@code config} {@code ls} and
 * {@code inspect}, {@code stack ls}, {@code swarm join-token}, {@code service scale} and {@code rm}, {@code node
 * promote} and {@code demote}, {@code info}), which read no annotation; and the verbs whose options {@link io.jswarm.cli.QuickFlags} reads from their annotations
 * ({@link #annotated}: {@code service create}, {@code update}, {@code logs}, {@code node update}, ...), whose options
 * are too many to write out twice. A command line is taken here only when every word is one of the verb's plain forms
 * ({@code -q}, {@code --format F}, {@code -f k=v} ..., {@code -H ADDRESS} before or after the verb); anything else
 * ({@code --help}, a clustered {@code -qf}, a repeated single option, an unknown word, a value that starts with
 * {@code -}) returns null and picocli parses it, with its usage and error messages. The command then runs as the very
 * object picocli would have filled ({@link ClientCommand#execute}), so the output is the same by construction;
 * {@code QuickVerbsTest} checks both paths give the same output and requests and that every flag here is the picocli
 * command's.
 */
public final class QuickVerbs {
  private QuickVerbs() {}

  /**
   * One flag of a quick verb: its names, whether it repeats, and whether it takes a value. A class compared by
   * identity, not a record: a record's {@code hashCode} links an invokedynamic call site (see {@link Verb}).
   */
  static final class Flag {
    private final List<String> names;
    private final boolean repeatable;
    private final boolean takesValue;

    Flag(List<String> names, boolean repeatable, boolean takesValue) {
      this.names = names;
      this.repeatable = repeatable;
      this.takesValue = takesValue;
    }

    List<String> names() {
      return names;
    }

    boolean repeatable() {
      return repeatable;
    }

    boolean takesValue() {
      return takesValue;
    }
  }

  /**
   * A verb's command object, its flags and how many positional words it takes; {@link #set} puts a flag's value (null
   * for a flag without one) into the command. A subclass per verb rather than a lambda per flag: a client verb that
   * links no lambda skips java.lang.invoke's start-up, ~11 ms (docs/footprint.md, "The CLI's start").
   */
  abstract static class Verb {
    private final ClientCommand command;
    private final List<Flag> flags;
    private final int minPositionals;
    private final int maxPositionals;

    Verb(ClientCommand command, int minPositionals, int maxPositionals, Flag... flags) {
      this.command = command;
      this.flags = List.of(flags);
      this.minPositionals = minPositionals;
      this.maxPositionals = maxPositionals;
    }

    ClientCommand command() {
      return command;
    }

    List<Flag> flags() {
      return flags;
    }

    int minPositionals() {
      return minPositionals;
    }

    int maxPositionals() {
      return maxPositionals;
    }

    abstract void set(Flag flag, String value);

    /** Takes the positional words (only called with some). */
    void positionals(List<String> words) {
      throw new IllegalStateException("takes no positional words");
    }
  }

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
    if (args.length == i) {
      return null;
    }
    boolean oneWord = args[i].equals("info"); // a verb without a group
    Verb verb = oneWord ? WrittenVerbs.verb(args[i], null) : args.length - i < 2 ? null
        : WrittenVerbs.verb(args[i], args[i + 1]);
    ClientCommand c;
    if (verb != null) {
      if (!parse(verb, args, oneWord ? i + 1 : i + 2)) {
        return null;
      }
      c = verb.command();
    } else {
      c = annotated(args[i], args.length - i < 2 ? "" : args[i + 1]);
      int from = c instanceof io.jswarm.cli.client.events.EventsCommand ? i + 1 : i + 2;
      if (c == null || !io.jswarm.cli.QuickFlags.parse(c, List.of(args).subList(from, args.length),
          ClientCommands.stopsAtPositional(c))) {
        return null;
      }
    }
    return c.execute(c.host != null ? c.host : rootHost, out, err);
  }

  /**
   * The verbs whose options {@link io.jswarm.cli.QuickFlags} reads from their annotations (the same plain forms; the
   * command's own fields filled as picocli fills them), with fresh option values; null for any other. Only commands
   * that use nothing of picocli's model when they run (no {@code spec}) are here.
   */
  public static ClientCommand annotated(String group, String leaf) {
    if (group.equals("events")) {
      return new io.jswarm.cli.client.events.EventsCommand();
    }
    switch (group + " " + leaf) {
      case "service create":
        return new ServiceCommand.Create();
      case "service update":
        return new ServiceCommand.Update();
      case "service logs":
        return new ServiceLogsCommand();
      case "node update":
        return new NodeCommand.Update();
      case "node rm", "node remove":
        return new NodeCommand.Rm();
      case "network create":
        return new NetworkCommand.Create();
      case "network rm", "network remove":
        return new NetworkCommand.Rm();
      case "volume create":
        return new VolumeCommand.Create();
      case "volume rm", "volume remove":
        return new VolumeCommand.Rm();
      default:
        return null;
    }
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
      Flag flag = null;
      for (Flag f : verb.flags()) {
        if (f.names().contains(name)) {
          flag = f;
        }
      }
      if (flag == null || !seen.add(flag) && !flag.repeatable()) {
        return false;
      }
      if (!flag.takesValue()) {
        if (eq >= 0) {
          return false;
        }
        verb.set(flag, null);
      } else if (eq >= 0) {
        verb.set(flag, a.substring(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("-")) {
        verb.set(flag, args[++i]);
      } else {
        return false;
      }
    }
    if (positionals.size() < verb.minPositionals() || positionals.size() > verb.maxPositionals()) {
      return false;
    }
    if (!positionals.isEmpty()) {
      verb.positionals(positionals);
    }
    return true;
  }
}
