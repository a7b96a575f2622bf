package io.jswarm.cli.client;

import io.jswarm.cli.client.payload.PayloadCommands;
import io.jswarm.cli.client.stack.StackCommand;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The everyday client verbs without picocli: building a command's model by reflection is most of a cold CLI's time
 * (docs/footprint.md), and these verbs are the ones typed most. Two kinds: the verbs written out here ({@link #verb}:
 * {@code service}/{@code node} {@code ls}, {@code ps} and {@code inspect}, {@code network}/{@code volume}/{@code image}
 * {@code ls}, {@code network}/{@code volume} {@code inspect}, {@code secret}/{@code config} {@code ls} and
 * {@code inspect}, {@code stack ls}, {@code swarm join-token}, {@code service scale} and {@code rm}, {@code info}),
 * which read no annotation; and the verbs whose options {@link io.jswarm.cli.QuickFlags} reads from their annotations
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

  private static final Flag QUIET = new Flag(List.of("-q", "--quiet"), false, false);
  private static final Flag FILTER = new Flag(List.of("-f", "--filter"), true, true);
  private static final Flag FORMAT = new Flag(List.of("--format"), false, true);
  private static final Flag NO_TRUNC = new Flag(List.of("--no-trunc"), false, false);
  private static final Flag DIGESTS = new Flag(List.of("--digests"), false, false);
  private static final Flag HOST = new Flag(List.of("-H", "--host"), false, true);
  private static final Flag INSPECT_FORMAT = new Flag(List.of("-f", "--format"), false, true);
  private static final Flag PRETTY = new Flag(List.of("--pretty"), false, false);
  private static final Flag ROTATE = new Flag(List.of("--rotate"), false, false);
  private static final Flag DETACH = new Flag(List.of("-d", "--detach"), false, false);
  private static final Flag DRY_RUN = new Flag(List.of("--dry-run"), false, false);

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
    Verb verb = oneWord ? verb(args[i], null) : args.length - i < 2 ? null : verb(args[i], args[i + 1]);
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

  /**
   * The verb {@code group leaf} names ({@code leaf} null for a verb without a group) with fresh option values, or null
   * when it is not a quick verb.
   */
  static Verb verb(String group, String leaf) {
    switch (leaf == null ? group : group + " " + leaf) {
      case "info": {
        InfoCommand c = new InfoCommand();
        return new Verb(c, 0, 0, INSPECT_FORMAT, HOST) {
          @Override
          void set(Flag flag, String value) {
            if (flag == INSPECT_FORMAT) {
              c.format = value;
            } else {
              c.host = value;
            }
          }
        };
      }
      case "network inspect": {
        NetworkCommand.Inspect c = new NetworkCommand.Inspect();
        return new InspectVerb(c, c.format) {
          @Override
          void positionals(List<String> words) {
            c.networks = words;
          }
        };
      }
      case "volume inspect": {
        VolumeCommand.Inspect c = new VolumeCommand.Inspect();
        return new InspectVerb(c, c.format) {
          @Override
          void positionals(List<String> words) {
            c.volumes = words;
          }
        };
      }
      case "service ls", "service list": {
        ServiceCommand.Ls c = new ServiceCommand.Ls();
        return new ListVerb(c, c.list, 0, 0, QUIET, FILTER, FORMAT, HOST);
      }
      case "node ls", "node list": {
        NodeCommand.Ls c = new NodeCommand.Ls();
        return new ListVerb(c, c.list, 0, 0, QUIET, FILTER, FORMAT, HOST);
      }
      case "service ps": {
        ServiceCommand.Ps c = new ServiceCommand.Ps();
        return new TaskListVerb(c, c.list, 1) {
          @Override
          void positionals(List<String> words) {
            c.services = words;
          }
        };
      }
      case "node ps": {
        NodeCommand.Ps c = new NodeCommand.Ps();
        return new TaskListVerb(c, c.list, 0) {
          @Override
          void positionals(List<String> words) {
            c.nodes = words;
          }
        };
      }
      case "network ls", "network list": {
        NetworkCommand.Ls c = new NetworkCommand.Ls();
        return new ListVerb(c, c.list, 0, 0, QUIET, NO_TRUNC, FILTER, FORMAT, HOST) {
          @Override
          void set(Flag flag, String value) {
            if (flag == NO_TRUNC) {
              c.noTrunc = true;
            } else {
              super.set(flag, value);
            }
          }
        };
      }
      case "volume ls", "volume list": {
        VolumeCommand.Ls c = new VolumeCommand.Ls();
        return new ListVerb(c, c.list, 0, 0, QUIET, FILTER, FORMAT, HOST);
      }
      case "image ls", "image list": {
        ImageCommand.Ls c = new ImageCommand.Ls();
        return new Verb(c, 0, 1, QUIET, DIGESTS, NO_TRUNC, FORMAT, HOST) {
          @Override
          void set(Flag flag, String value) {
            if (flag == QUIET) {
              c.quiet = true;
            } else if (flag == DIGESTS) {
              c.digests = true;
            } else if (flag == NO_TRUNC) {
              c.noTrunc = true;
            } else if (flag == FORMAT) {
              c.format = value;
            } else {
              c.host = value;
            }
          }

          @Override
          void positionals(List<String> words) {
            c.reference = words.get(0);
          }
        };
      }
      case "service inspect": {
        ServiceCommand.Inspect c = new ServiceCommand.Inspect();
        return new InspectVerb(c, c.format, PRETTY) {
          @Override
          void set(Flag flag, String value) {
            if (flag == PRETTY) {
              c.pretty = true;
            } else {
              super.set(flag, value);
            }
          }

          @Override
          void positionals(List<String> words) {
            c.services = words;
          }
        };
      }
      case "node inspect": {
        NodeCommand.Inspect c = new NodeCommand.Inspect();
        return new InspectVerb(c, c.format, PRETTY) {
          @Override
          void set(Flag flag, String value) {
            if (flag == PRETTY) {
              c.pretty = true;
            } else {
              super.set(flag, value);
            }
          }

          @Override
          void positionals(List<String> words) {
            c.nodes = words;
          }
        };
      }
      case "secret inspect", "config inspect": {
        PayloadCommands.Inspect c = new PayloadCommands.Inspect();
        c.noun = group;
        return new InspectVerb(c, c.format) {
          @Override
          void positionals(List<String> words) {
            c.refs = words;
          }
        };
      }
      case "service scale": {
        ServiceCommand.Scale c = new ServiceCommand.Scale();
        return new Verb(c, 1, Integer.MAX_VALUE, DETACH, DRY_RUN, HOST) {
          @Override
          void set(Flag flag, String value) {
            if (flag == DETACH) {
              c.detach = true;
            } else if (flag == DRY_RUN) {
              c.dryRun = true;
            } else {
              c.host = value;
            }
          }

          @Override
          void positionals(List<String> words) {
            c.specs = words;
          }
        };
      }
      case "service rm", "service remove": {
        ServiceCommand.Rm c = new ServiceCommand.Rm();
        return new Verb(c, 1, Integer.MAX_VALUE, HOST) {
          @Override
          void set(Flag flag, String value) {
            c.host = value;
          }

          @Override
          void positionals(List<String> words) {
            c.services = words;
          }
        };
      }
      case "swarm join-token": {
        SwarmCommand.JoinToken c = new SwarmCommand.JoinToken();
        return new Verb(c, 1, 1, QUIET, ROTATE, HOST) {
          @Override
          void set(Flag flag, String value) {
            if (flag == QUIET) {
              c.quiet = true;
            } else if (flag == ROTATE) {
              c.rotate = true;
            } else {
              c.host = value;
            }
          }

          @Override
          void positionals(List<String> words) {
            c.role = words.get(0);
          }
        };
      }
      case "stack ls", "stack list": {
        StackCommand.Ls c = new StackCommand.Ls();
        return new Verb(c, 0, 0, FORMAT, HOST) {
          @Override
          void set(Flag flag, String value) {
            if (flag == FORMAT) {
              c.format = value;
            } else {
              command().host = value;
            }
          }
        };
      }
      case "secret ls", "secret list", "config ls", "config list": {
        PayloadCommands.Ls c = new PayloadCommands.Ls();
        c.noun = group;
        return new Verb(c, 0, 0, QUIET, FILTER, FORMAT, HOST) {
          @Override
          void set(Flag flag, String value) {
            if (flag == QUIET) {
              c.quiet = true;
            } else if (flag == FILTER) {
              c.filters.add(value);
            } else if (flag == FORMAT) {
              c.format = value;
            } else {
              command().host = value;
            }
          }
        };
      }
      default:
        return null;
    }
  }

  /** The {@code inspect} verbs: {@code -f/--format}, one or more objects, and {@code extra} flags. */
  private abstract static class InspectVerb extends Verb {
    private final InspectFormat format;

    InspectVerb(ClientCommand command, InspectFormat format, Flag... extra) {
      super(command, 1, Integer.MAX_VALUE, flags(extra));
      this.format = format;
    }

    private static Flag[] flags(Flag... extra) {
      Flag[] all = new Flag[extra.length + 2];
      all[0] = INSPECT_FORMAT;
      all[1] = HOST;
      System.arraycopy(extra, 0, all, 2, extra.length);
      return all;
    }

    @Override
    void set(Flag flag, String value) {
      if (flag == INSPECT_FORMAT) {
        format.format = value;
      } else {
        command().host = value;
      }
    }
  }

  /** The {@code ls} and {@code ps} verbs: their shared flags ({@link ListFlags}). */
  private static class ListVerb extends Verb {
    private final ListFlags list;

    ListVerb(ClientCommand command, ListFlags list, int minPositionals, int maxPositionals, Flag... flags) {
      super(command, minPositionals, maxPositionals, flags);
      this.list = list;
    }

    @Override
    void set(Flag flag, String value) {
      if (flag == QUIET) {
        list.quiet = true;
      } else if (flag == FILTER) {
        list.filters.add(value);
      } else if (flag == FORMAT) {
        list.format = value;
      } else {
        command().host = value;
      }
    }
  }

  /** {@code service ps} and {@code node ps}: the task list's flags ({@link TaskListFlags}), any number of words. */
  private abstract static class TaskListVerb extends ListVerb {
    private final TaskListFlags list;

    TaskListVerb(ClientCommand command, TaskListFlags list, int minPositionals) {
      super(command, list, minPositionals, Integer.MAX_VALUE, QUIET, NO_TRUNC, FILTER, FORMAT, HOST);
      this.list = list;
    }

    @Override
    void set(Flag flag, String value) {
      if (flag == NO_TRUNC) {
        list.noTrunc = true;
      } else {
        super.set(flag, value);
      }
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
