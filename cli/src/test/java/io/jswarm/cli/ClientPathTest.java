package io.jswarm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.cli.cluster.ProcessCluster;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a cold client JVM runs for the everyday listings (docs/footprint.md, "The CLI's start"): {@code service ls},
 * {@code node ls}, {@code service ps} and {@code node ps} link no lambda (the first one starts java.lang.invoke, ~11 ms) and, with the build's native
 * library, do not touch the JDK's unix sockets (which load the security providers), nor set up Jackson's factory (its
 * buffer pools and name tables: the filters of {@code ps} are written by hand). Each runs in a child JVM logging
 * the classes it loads, against the training's canned daemon.
 */
class ClientPathTest {
  @TempDir
  Path dir;

  @Test
  void everydayListingsLinkNoLambdaAndLoadNoSecurityProvider() throws Exception {
    try (ServerSocketChannel server = cannedDaemon()) {
      for (List<String> verb : List.of(List.of("service", "ls"), List.of("node", "ls"), List.of("service", "ls", "-q"),
          List.of("node", "ls", "-q"), List.of("service", "ps", "web"), List.of("node", "ps"), List.of("secret", "ls"),
          List.of("config", "ls"))) {
        List<String> linked = new ArrayList<>();
        for (String line : classes(verb, verb.get(1).equals("ps") ? "Running" : verb.get(0).equals("service") ? "s1"
            : verb.get(0).equals("node") ? "n1" : "web-key")) {
          if (line.contains("$$Lambda") || line.contains("LambdaMetafactory") || line.contains("java.security.Provider ")
              || line.contains("sun.nio.ch.UnixDomainSockets ") || line.contains("com.fasterxml.jackson.core.JsonFactory ")) {
            linked.add(line);
          }
        }
        assertEquals(List.of(), linked, verb + " links a lambda, opens a JDK unix socket or sets up Jackson's parser");
      }
    }
  }

  /**
   * The other read verbs made quick (docs/footprint.md, "The other client verbs") build no picocli model and set up no
   * {@code ObjectMapper}: each was ~60-100 ms of a cold verb.
   */
  @Test
  void inspectAndTheOtherListingsLoadNeitherPicocliNorAnObjectMapper() throws Exception {
    try (ServerSocketChannel server = cannedDaemon()) {
      for (List<String> verb : List.of(List.of("service", "inspect", "web"), List.of("node", "inspect", "self"),
          List.of("secret", "ls"), List.of("config", "ls"), List.of("stack", "ls"),
          List.of("swarm", "join-token", "worker"), List.of("version"), List.of("service", "scale", "-d", "web=2"),
          List.of("info"), List.of("network", "inspect", "n1"), List.of("volume", "inspect", "v1"),
          List.of("node", "promote", "n1"), List.of("node", "demote", "n1"))) {
        List<String> loaded = new ArrayList<>();
        String expect = verb.get(0).equals("stack") ? "NAME" : verb.get(0).equals("swarm") ? "SWMTKN"
            : verb.get(0).equals("version") ? "jswarm" : verb.get(0).equals("info") ? "Swarm: active"
            : verb.get(1).equals("scale") ? "scaled to 2" : verb.get(1).equals("ls") ? "web-key"
            : verb.get(1).equals("promote") ? "already a manager" : verb.get(1).equals("demote") ? "n1 demoted"
            : verb.get(0).equals("service") || verb.get(0).equals("node") ? "\"ID\"" : "\"Swarm\"";
        for (String line : classes(verb, expect)) {
          if (line.contains("picocli.CommandLine ") || line.contains("com.fasterxml.jackson.databind.ObjectMapper ")) {
            loaded.add(line);
          }
        }
        assertEquals(List.of(), loaded, verb + " builds picocli's model or sets up an ObjectMapper");
      }
    }
  }

  /**
   * The write verbs whose options are read from their annotations ({@code QuickFlags}: {@code service create},
   * {@code service update}, {@code node update}) build no picocli model: {@code service create}'s hundred options
   * were ~250 ms of a cold verb (docs/footprint.md). Nor do they read the annotations through reflection, whose
   * annotation objects are proxies spun at run time ({@code FieldAnnotations} reads the class files), and
   * {@code service update} of labels and the image sets up no {@code ObjectMapper} ({@code ServiceTreeUpdate}).
   */
  @Test
  void theWriteVerbsBuildNoPicocliModel() throws Exception {
    try (ServerSocketChannel server = cannedDaemon()) {
      for (List<String> verb : List.of(List.of("service", "create", "-d", "--name", "web", "-p", "8080:80", "-e", "A=B",
          "--replicas", "2", "busybox", "sleep", "1d"), List.of("service", "update", "-d", "--image", "busybox:2",
              "--label-add", "a=b", "web"), List.of("node", "update", "--label-add", "a=b", "n1"),
          List.of("volume", "rm", "v1"), List.of("network", "rm", "n1"))) {
        List<String> loaded = new ArrayList<>();
        boolean binds = !verb.get(1).equals("rm"); // Jackson's data binding reads the api types' annotations
        for (String line : classes(verb, verb.get(1).equals("create") ? "s1" : verb.get(0).equals("node") ? "n1"
            : verb.get(1).equals("rm") ? verb.get(2) : "web")) {
          if (line.contains("picocli.CommandLine ") || !binds && (line.contains("$Proxy")
              || line.contains("sun.reflect.annotation.AnnotationInvocationHandler "))
              || verb.get(1).equals("update") && verb.get(0).equals("service")
              && line.contains("com.fasterxml.jackson.databind.ObjectMapper ")) { // the tree path's flags
            loaded.add(line);
          }
        }
        assertEquals(List.of(), loaded, verb + " builds picocli's model or reads its annotations through proxies");
      }
    }
  }

  /**
   * The other verbs of {@code bench footprint --verbs all} link no lambda either (each first lambda ~10 ms of a cold
   * verb, docs/footprint.md), and {@code service}/{@code node inspect --pretty} print from the tree without an
   * {@code ObjectMapper}.
   */
  @Test
  void theFootprintVerbsLinkNoLambda() throws Exception {
    try (ServerSocketChannel server = cannedDaemon()) {
      for (List<String> verb : List.of(List.of("service", "inspect", "web"), List.of("service", "inspect", "--pretty",
          "web"), List.of("node", "inspect", "self"), List.of("node", "inspect", "--pretty", "self"),
          List.of("node", "update", "--label-add", "a=b", "n1"), List.of("stack", "ls"), List.of("network", "ls"),
          List.of("volume", "ls"), List.of("image", "ls"), List.of("swarm", "join-token", "worker"),
          List.of("service", "scale", "-d", "web=2"), List.of("service", "update", "-d", "--label-add", "a=b", "web"),
          List.of("service", "logs", "--tail", "1", "web"), List.of("version"), List.of("info"),
          List.of("node", "promote", "n1"), List.of("node", "demote", "n1"))) {
        List<String> linked = new ArrayList<>();
        String expect = verb.get(0).equals("version") ? "jswarm" : verb.contains("n1") ? "n1"
            : verb.get(0).equals("info") ? "Swarm: active"
            : verb.contains("--pretty") ? (verb.get(0).equals("node") ? "Joined at:" : "Monitoring Period: 5s")
            : verb.get(1).equals("inspect") ? "\"ID\""
            : verb.get(0).equals("stack") ? "NAME" : verb.get(0).equals("network") ? "NETWORK ID"
            : verb.get(0).equals("volume") ? "VOLUME NAME" : verb.get(0).equals("image") ? "busybox"
            : verb.get(0).equals("swarm") ? "SWMTKN" : verb.get(1).equals("logs") ? "hello" : "web";
        for (String line : classes(verb, expect)) {
          if (line.contains("$$Lambda") || line.contains("LambdaMetafactory")
              || line.contains("com.fasterxml.jackson.databind.ObjectMapper ")) {
            linked.add(line);
          }
        }
        assertEquals(List.of(), linked, verb + " links a lambda or sets up an ObjectMapper");
      }
    }
  }

  private ServerSocketChannel cannedDaemon() throws Exception {
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(dir.resolve("d.sock")));
    Thread daemon = new Thread(() -> CdsTraining.serve(server), "canned-daemon");
    daemon.setDaemon(true);
    daemon.start();
    return server;
  }

  /** Runs {@code verb} in a child JVM against the canned daemon; the classes it loaded (its output has {@code expect}). */
  private List<String> classes(List<String> verb, String expect) throws Exception {
    Path library = Path.of("target", "libjswarm-client.so").toAbsolutePath();
    assertTrue(Files.exists(library), "the build makes " + library + " before the tests");
    Path log = dir.resolve("classes.log");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", ProcessCluster.classPath(), "-Xlog:class+load=info:file=" + log,
        "-Djswarm.client.library=" + library, Launcher.class.getName(), "-H", "unix://" + dir.resolve("d.sock")));
    cmd.addAll(verb);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), verb + ": " + out);
    assertTrue(out.contains(expect), verb + ": " + out);
    return Files.readAllLines(log);
  }
}
