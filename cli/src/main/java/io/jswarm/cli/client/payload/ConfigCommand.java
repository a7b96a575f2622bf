package io.jswarm.cli.client.payload;

import io.jswarm.cli.client.GroupCommand;
import picocli.CommandLine.Command;

/** {@code jswarm config ...}: create, list, inspect and remove configs, as {@code docker config}. */
@Command(name = "config", description = "Manage configs (files given to services, read-only).",
    subcommands = {ConfigCommand.Create.class, ConfigCommand.Ls.class, ConfigCommand.Inspect.class,
        ConfigCommand.Rm.class})
public final class ConfigCommand extends GroupCommand {
  private static final String NOUN = "config";

  @Command(name = "create", description = "Create a config from a file or standard input (-).")
  static final class Create extends PayloadCommands.Create {
    @Override
    String noun() {
      return NOUN;
    }
  }

  @Command(name = "ls", aliases = "list", description = "List configs.")
  static final class Ls extends PayloadCommands.Ls {
    @Override
    String noun() {
      return NOUN;
    }

    @Override
    boolean driverColumn() {
      return false;
    }
  }

  @Command(name = "inspect", description = "Display detailed information on one or more configs (with the content, base64).")
  static final class Inspect extends PayloadCommands.Inspect {
    @Override
    String noun() {
      return NOUN;
    }
  }

  @Command(name = "rm", aliases = "remove", description = "Remove one or more configs.")
  static final class Rm extends PayloadCommands.Rm {
    @Override
    String noun() {
      return NOUN;
    }
  }
}
