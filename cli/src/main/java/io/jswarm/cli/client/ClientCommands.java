package io.jswarm.cli.client;

import picocli.CommandLine;

/** Parser settings the client verbs need beyond their annotations. */
public final class ClientCommands {
  private ClientCommands() {}

  /**
   * Makes {@code service create} stop reading options at IMAGE, as docker does, so that
   * {@code service create alpine sh -c "..."} passes {@code -c} to the container.
   */
  public static void configure(CommandLine root) {
    CommandLine service = root.getSubcommands().get("service");
    if (service != null && service.getSubcommands().containsKey("create")) {
      service.getSubcommands().get("create").setStopAtPositional(true);
    }
  }
}
