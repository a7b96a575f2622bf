package io.jswarm.cli.client;

import picocli.CommandLine;

/** Parser settings the client verbs need beyond their annotations. */
public final class ClientCommands {
  private ClientCommands() {}

  /**
   * Makes {@code service create} stop reading options at IMAGE, as docker does, so that
   * {@code service create alpine sh -c "..."} passes {@code -c} to the container; and makes a mistyped client
   * command print the problem and a pointer to {@code --help} (as docker does) instead of the whole usage text.
   */
  public static void configure(CommandLine root) {
    CommandLine service = root.getSubcommands().get("service");
    CommandLine create = service == null ? null : service.getSubcommands().get("create");
    if (create != null && stopsAtPositional(create.getCommandSpec().userObject())) {
      create.setStopAtPositional(true);
    }
    CommandLine.IParameterExceptionHandler others = root.getParameterExceptionHandler();
    root.setParameterExceptionHandler((ex, args) -> {
      CommandLine cmd = ex.getCommandLine();
      if (!isClientCommand(cmd)) {
        return others.handleParseException(ex, args);
      }
      cmd.getErr().println(ex.getMessage());
      cmd.getErr().printf("See '%s --help'.%n", cmd.getCommandSpec().qualifiedName());
      cmd.getErr().flush();
      return cmd.getCommandSpec().exitCodeOnInvalidInput();
    });
  }

  /** Whether {@code command} reads every word after its first positional one as positional ({@code service create}). */
  public static boolean stopsAtPositional(Object command) {
    return command instanceof ServiceCommand.Create;
  }

  private static boolean isClientCommand(CommandLine cmd) {
    Object o = cmd.getCommandSpec().userObject();
    return o instanceof ClientCommand || o instanceof SwarmCommand || o instanceof NodeCommand
        || o instanceof ServiceCommand || o instanceof VolumeCommand
        || o instanceof ImageCommand || o instanceof NetworkCommand
        || o instanceof io.jswarm.cli.client.payload.SecretCommand || o instanceof io.jswarm.cli.client.payload.ConfigCommand;
  }
}
