package io.jswarm.cli.client.payload;

import io.jswarm.cli.client.GroupCommand;
import picocli.CommandLine.Command;

/** {@code jswarm config ...}: create, list, inspect and remove configs, as {@code docker config}. */
@Command(name = "config", description = "Manage configs (files given to services, read-only).",
    subcommands = {PayloadCommands.Create.class, PayloadCommands.Ls.class, PayloadCommands.Inspect.class,
        PayloadCommands.Rm.class})
public final class ConfigCommand extends GroupCommand {}
