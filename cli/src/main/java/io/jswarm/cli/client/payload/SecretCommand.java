package io.jswarm.cli.client.payload;

import io.jswarm.cli.client.GroupCommand;
import picocli.CommandLine.Command;

/**
 * {@code jswarm secret ...}: create, list, inspect and remove secrets, as {@code docker secret}. The content is
 * sent once, base64 in the create request, and never shown again.
 */
@Command(name = "secret", description = "Manage secrets (content given to services at /run/secrets, never shown again).",
    subcommands = {PayloadCommands.Create.class, PayloadCommands.Ls.class, PayloadCommands.Inspect.class,
        PayloadCommands.Rm.class})
public final class SecretCommand extends GroupCommand {}
