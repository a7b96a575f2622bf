package io.jswarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command, bench subcommands included, answers {@code --help} with its usage; completion covers them all. */
class HelpEverywhereTest {
  @Test
  void everyCommandAnswersHelp() {
    List<List<String>> paths = new ArrayList<>();
    collect(Main.fullCommandLine(), new ArrayList<>(), paths);
    assertTrue(paths.size() > 60, "found only " + paths.size() + " commands");
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      StringWriter out = new StringWriter();
      int rc = Main.run(new PrintWriter(out), new PrintWriter(out), args.toArray(String[]::new));
      assertEquals(0, rc, String.join(" ", args) + ":\n" + out);
      String usage = "Usage: jswarm" + (path.isEmpty() ? "" : " " + String.join(" ", path));
      assertTrue(out.toString().startsWith(usage), String.join(" ", args) + ":\n" + out);
    }
  }

  @Test
  void onlyTheNamedVerbIsBuiltAndAnUnknownOneGetsEveryVerb() {
    assertEquals(List.of("service"), List.copyOf(Main.commandLine("-H", "unix:///x", "service", "ls")
        .getSubcommands().keySet()));
    assertEquals(Main.verbs().size(), Main.commandLine("servce", "ls").getSubcommands().size());
    assertEquals(Main.verbs().stream().map(c -> c.getAnnotation(picocli.CommandLine.Command.class).name()).toList(),
        Main.verbNames(), "the verbs' names, in their order");
    assertEquals(Main.verbs().size(), Main.commandLine("--help").getSubcommands().size());
    StringWriter err = new StringWriter();
    assertEquals(2, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "servce", "ls"));
    assertTrue(err.toString().contains("Unknown subcommand 'servce'") || err.toString().contains("servce"), err.toString());
  }

  @Test
  void bashCompletionNamesTheVerbsAndTheirSubcommands() {
    StringWriter out = new StringWriter();
    assertEquals(0, Main.run(new PrintWriter(out), new PrintWriter(out), "completion", "bash"));
    String script = out.toString();
    assertTrue(script.contains("complete -F _complete_jswarm"), script.substring(0, 200));
    for (String word : List.of("service", "node", "daemon", "footprint", "--metrics-addr", "scale")) {
      assertTrue(script.contains(word), word);
    }
    StringWriter err = new StringWriter();
    assertEquals(2, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "completion", "fish"));
  }

  private static void collect(CommandLine cl, List<String> path, List<List<String>> out) {
    out.add(List.copyOf(path));
    cl.getSubcommands().forEach((name, sub) -> {
      if (!sub.getCommandName().equals(name)) {
        return; // an alias
      }
      List<String> p = new ArrayList<>(path);
      p.add(name);
      collect(sub, p, out);
    });
  }
}
