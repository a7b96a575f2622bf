package io.jswarm.cli;

import io.jswarm.transport.net.FreePorts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.cli.cluster.ProcessCluster;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code jswarm daemon}'s options parsed without picocli ({@link QuickFlags}, docs/footprint.md): what the hand parse
 * takes it fills as picocli does, what it leaves is picocli's with the same messages, and a daemon started so loads
 * no picocli model.
 */
class QuickFlagsTest {
  @TempDir
  Path dir;

  /** Each option of {@link DaemonCommand} in each plain form, generated from its annotations. */
  @Test
  void everyOptionInEveryPlainFormIsParsedAsPicocliParsesIt() throws Exception {
    List<List<String>> lines = new ArrayList<>();
    lines.add(List.of());
    List<String> all = new ArrayList<>();
    for (Field f : options()) {
      CommandLine.Option o = f.getAnnotation(CommandLine.Option.class);
      for (String name : o.names()) {
        if (f.getType() == boolean.class) {
          lines.add(List.of(name));
        } else {
          lines.add(List.of(name, sample(f)));
          if (name.startsWith("--")) {
            lines.add(List.of(name + "=" + sample(f)));
          }
          if (f.getType() == List.class) {
            lines.add(List.of(name, sample(f), name, sample(f) + "2"));
          }
        }
      }
      all.add(o.names()[o.names().length - 1]);
      if (f.getType() != boolean.class) {
        all.add(sample(f));
      }
    }
    lines.add(all);
    lines.add(List.of("--snapshot-interval", "0", "--cluster-port", "65536", "--label", "x=y=z", "--node-name", "a b"));
    lines.add(List.of("--image-max-layer-size", "512m", "--bridge-subnet=10.0.0.0/8", "-H", "tcp://0.0.0.0:2375"));
    for (List<String> args : lines) {
      DaemonCommand quick = new DaemonCommand();
      assertTrue(QuickFlags.parse(quick, args), "the hand parse takes " + args);
      DaemonCommand picocli = new DaemonCommand();
      new CommandLine(picocli).parseArgs(args.toArray(String[]::new));
      assertSameOptions(picocli, quick, args);
    }
  }

  /** Forms the hand parse leaves to picocli, or takes and must then read as picocli does. */
  @Test
  void anythingElseIsLeftToPicocliOrReadTheSame() throws Exception {
    List<List<String>> lines = List.of(List.of("--help"), List.of("-h"), List.of("--version"), List.of("-V"),
        List.of("extra"), List.of("--"), List.of("--bogus"), List.of("--data-root"), List.of("--tls", "--tls"),
        List.of("--tls=true"), List.of("--node-name", "a", "--node-name", "b"), List.of("-Hunix:///x"),
        List.of("-H=unix:///x"), List.of("--node-name="), List.of("--node-name", "-x"), List.of("--node-name", "@x"),
        List.of("@args"), List.of("--cluster-port", "abc"), List.of("--cluster-port", "0123"),
        List.of("--cluster-port", "0x10"), List.of("--cluster-port", "+5"), List.of("--cluster-port", "-1"),
        List.of("--cluster-port", "99999999999"), List.of("--snapshot-interval", "9223372036854775807"),
        List.of("--snapshot-interval", "1e3"), List.of("--image-max-layer-size", "1x"),
        List.of("--image-max-layer-size", "1.5g"), List.of("--image-max-layer-size", "0"), List.of("--label"),
        List.of("--data-root", " "), List.of("--Data-Root", "/x"), List.of("--data", "/x"), List.of("--tl"));
    for (List<String> args : lines) {
      DaemonCommand quick = new DaemonCommand();
      boolean taken = QuickFlags.parse(quick, args);
      DaemonCommand picocli = new DaemonCommand();
      try {
        new CommandLine(picocli).parseArgs(args.toArray(String[]::new));
      } catch (CommandLine.ParameterException e) {
        assertFalse(taken, "the hand parse takes " + args + ", which picocli refuses: " + e.getMessage());
        continue;
      }
      if (taken) {
        assertSameOptions(picocli, quick, args);
      }
    }
  }

  /**
   * A mistake on {@code jswarm daemon}'s command line gets picocli's message, usage and exit code, whether the hand
   * parse left it (a missing value, an unknown option) or its value was refused after the parse ({@code --executor},
   * {@code --label}).
   */
  @Test
  void badInputGetsPicocliMessageAndUsage() {
    List<List<String>> lines = List.of(List.of("--cluster-port", "abc"), List.of("--cluster-port"),
        List.of("--bogus"), List.of("extra"), List.of("--tls", "--tls"), List.of("--cluster-port", "0"),
        List.of("--executor", "foo"), List.of("--executor", "simulated", "--runtime", "docker"),
        List.of("--executor", "simulated", "--label", "x"), List.of("--executor", "simulated",
            "--image-max-layer-entries", "0"), List.of("--executor", "simulated", "--node-name", "n", "--registry-allow", "a b"),
        List.of("--executor", "simulated", "--node-name", "n", "--metrics-addr", "nowhere"), List.of("--help"));
    for (List<String> line : lines) {
      List<String> args = new ArrayList<>(List.of("daemon"));
      args.addAll(line);
      StringWriter quickOut = new StringWriter();
      StringWriter quickErr = new StringWriter();
      int quick = Main.run(new PrintWriter(quickOut), new PrintWriter(quickErr), args.toArray(String[]::new));
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int parsed = Main.runParsed(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
      assertEquals(parsed, quick, args + ": " + quickErr);
      assertEquals(out.toString(), quickOut.toString(), args.toString());
      assertEquals(err.toString(), quickErr.toString(), args.toString());
      if (!line.equals(List.of("--help"))) {
        assertEquals(2, quick, args + ": " + err);
        assertTrue(err.toString().contains("Usage: jswarm daemon"), args + ": " + err);
      } else {
        assertTrue(out.toString().startsWith("Usage: jswarm daemon"), out.toString());
      }
    }
  }

  /** A daemon started from a plain command line (a child JVM, simulated executor) loads no picocli model. */
  @Test
  void aDaemonLoadsNoPicocliModel() throws Exception {
    Path log = dir.resolve("classes.log");
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", ProcessCluster.classPath(), "-Xlog:class+load=info:file=" + log, Launcher.class.getName(),
        "daemon", "--executor", "simulated", "--data-root", dir.resolve("data").toString(),
        "--exec-root", dir.resolve("exec").toString(), "-H", "unix://" + dir.resolve("d.sock"),
        "--cluster-port", Integer.toString(FreePorts.pick()), "--raft-port",
        Integer.toString(FreePorts.pick()), "--node-name", "quick-flags");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      StringBuilder seen = new StringBuilder();
      String line;
      while ((line = out.readLine()) != null && !line.startsWith("jswarm daemon ")) {
        seen.append(line).append('\n');
      }
      assertTrue(line != null && line.contains("node quick-flags"), "the daemon did not start:\n" + seen);
      List<String> picocli = new ArrayList<>();
      for (String l : Files.readAllLines(log)) {
        if (l.contains(" picocli.CommandLine ") || l.contains(" picocli.CommandLine$Model$OptionSpec ")
            || l.contains(" picocli.CommandLine$Interpreter ")) {
          picocli.add(l);
        }
      }
      assertEquals(List.of(), picocli, "the daemon's command line went through picocli");
    } finally {
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
    }
  }

  private static List<Field> options() {
    List<Field> fields = new ArrayList<>();
    for (Field f : DaemonCommand.class.getDeclaredFields()) {
      if (f.isAnnotationPresent(CommandLine.Option.class)) {
        f.setAccessible(true);
        fields.add(f);
      }
    }
    assertTrue(fields.size() > 25, "found " + fields.size() + " options");
    return fields;
  }

  private static String sample(Field f) {
    if (f.getAnnotation(CommandLine.Option.class).converter().length > 0) {
      return "3g";
    }
    Class<?> t = f.getType();
    return t == int.class ? "2400" : t == long.class ? "77" : t == Path.class ? "/tmp/quick flags" : "v=1";
  }

  private static void assertSameOptions(DaemonCommand expected, DaemonCommand actual, List<String> args)
      throws IllegalAccessException {
    for (Field f : options()) {
      assertEquals(f.get(expected), f.get(actual), f.getName() + " after " + args);
    }
  }
}
