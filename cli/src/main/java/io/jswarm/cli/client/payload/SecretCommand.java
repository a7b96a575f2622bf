package io.jswarm.cli.client.payload;

import io.jswarm.cli.client.GroupCommand;
import picocli.CommandLine.Command;

/**
 * {@code jswarm secret ...}: create, list, inspect and remove secrets, as {@code docker secret}. The content is
 * sent once, base64 in the create request, and never shown again.
 */
@Command(name = "secret", description = "Manage secrets (content given to services at /run/secrets, never shown again).",
    subcommands = {SecretCommand.Create.class, SecretCommand.Ls.class, SecretCommand.Inspect.class,
        SecretCommand.Rm.class})
public final class SecretCommand extends GroupCommand {
  private static final String NOUN = "secret";

  @Command(name = "create", description = "Create a secret from a file or standard input (-).")
  static final class Create extends PayloadCommands.Create {
    @Override
    String noun() {
      return NOUN;
    }
  }

  @Command(name = "ls", aliases = "list", description = "List secrets.")
  static final class Ls extends PayloadCommands.Ls {
    @Override
    String noun() {
      return NOUN;
    }

    @Override
    boolean driverColumn() {
      return true;
    }
  }

  @Command(name = "inspect", description = "Display detailed information on one or more secrets (never the content).")
  static final class Inspect extends PayloadCommands.Inspect {
    @Override
    String noun() {
      return NOUN;
    }
  }

  @Command(name = "rm", aliases = "remove", description = "Remove one or more secrets.")
  static final class Rm extends PayloadCommands.Rm {
    @Override
    String noun() {
      return NOUN;
    }
  }
}
