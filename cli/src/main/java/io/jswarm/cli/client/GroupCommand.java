package io.jswarm.cli.client;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A command that only groups verbs ({@code service}, {@code node}, ...): run alone, it prints its usage. */
public abstract class GroupCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Option(names = "--help", usageHelp = true, description = "Print usage.")
  boolean help;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
