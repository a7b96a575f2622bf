package io.jswarm.cli.client;

import io.jswarm.cli.client.QuickVerbs.Flag;
import io.jswarm.cli.client.QuickVerbs.Verb;
import io.jswarm.cli.client.payload.PayloadCommands;
import io.jswarm.cli.client.stack.StackCommand;
import java.util.List;

/**
 * The quick verbs written out ({@link QuickVerbs}): each verb's flags and how they fill its command, read from no
 * annotation. A class per verb rather than a lambda per flag (no lambda linked on these verbs, docs/footprint.md).
 */
final class WrittenVerbs {
  private WrittenVerbs() {}

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
      case "node promote", "node demote": {
        if (leaf.equals("promote")) {
          NodeCommand.Promote c = new NodeCommand.Promote();
          return new Verb(c, 1, Integer.MAX_VALUE, HOST) {
            @Override
            void set(Flag flag, String value) {
              c.host = value;
            }

            @Override
            void positionals(List<String> words) {
              c.nodes = words;
            }
          };
        }
        NodeCommand.Demote c = new NodeCommand.Demote();
        return new Verb(c, 1, Integer.MAX_VALUE, HOST) {
          @Override
          void set(Flag flag, String value) {
            c.host = value;
          }

          @Override
          void positionals(List<String> words) {
            c.nodes = words;
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

}
