package io.jswarm.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The build's training run for the CLI's client jar and AppCDS archive ({@code cli/target/jswarm-client.jar} and
 * {@code jswarm-client.jsa}, used by {@code bin/jswarm}; see {@link ClientJar}): runs the everyday client verbs
 * ({@code service ls}, {@code service ps}, {@code node ls}, {@code service inspect}, {@code --help},
 * {@code --version}) against a canned daemon on a temporary unix socket, so that the JVM started with
 * {@code -XX:DumpLoadedClassList} lists every class those verbs load. Nothing here runs in a real command.
 */
final class CdsTraining {
  private static final String SPEC = "\"Spec\":{\"Name\":\"web\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"}},"
      + "\"Mode\":{\"Replicated\":{\"Replicas\":1}},\"UpdateConfig\":{\"Parallelism\":1,\"FailureAction\":\"pause\","
      + "\"Monitor\":5000000000,\"MaxFailureRatio\":0,\"Order\":\"stop-first\"},\"EndpointSpec\":{\"Mode\":\"vip\","
      + "\"Ports\":[{\"Protocol\":\"tcp\",\"TargetPort\":80,\"PublishedPort\":8080,\"PublishMode\":\"ingress\"}]}}";
  private static final String SERVICE = "{\"ID\":\"s1\",\"Version\":{\"Index\":11},\"CreatedAt\":\"2026-01-01T00:00:00Z\","
      + "\"UpdatedAt\":\"2026-01-01T00:00:00Z\"," + SPEC + ",\"Endpoint\":{\"Spec\":{\"Mode\":\"vip\"}},"
      + "\"ServiceStatus\":{\"RunningTasks\":1,\"DesiredTasks\":1}}";
  private static final String TASK = "{\"ID\":\"t1\",\"Version\":{\"Index\":17},\"CreatedAt\":\"2026-01-01T00:00:00Z\","
      + "\"UpdatedAt\":\"2026-01-01T00:00:00Z\",\"Name\":\"web.1\",\"Spec\":{\"ContainerSpec\":{\"Image\":\"busybox\"}},"
      + "\"Slot\":1,\"Status\":{\"Timestamp\":\"2026-01-01T00:00:00Z\",\"State\":\"running\",\"Message\":\"started\","
      + "\"ContainerStatus\":{\"ContainerID\":\"c1\",\"PID\":1}},\"DesiredState\":\"running\",\"ServiceID\":\"s1\","
      + "\"NodeID\":\"n1\"}";
  /** A task as {@code GET /tasks?view=rows} sends it (TaskRows). */
  private static final String ROW = "{\"ID\":\"t1\",\"Name\":\"web.1\",\"Previous\":false,\"Image\":\"busybox\","
      + "\"Node\":\"vm\",\"DesiredState\":\"Running\",\"CurrentState\":\"Running 3 hours ago\",\"Error\":\"\","
      + "\"Ports\":\"*:8080->80/tcp\"}";
  /** The default table of those tasks, as {@code GET /tasks?view=table} sends it (TaskRows.table). */
  private static final String TABLE = "ID        NAME      IMAGE     NODE      DESIRED STATE   CURRENT STATE         ERROR     PORTS\n"
      + "t1        web.1     busybox   vm        Running         Running 3 hours ago             *:8080->80/tcp\n";
  private static final String NODE = "{\"ID\":\"n1\",\"Version\":{\"Index\":7},\"CreatedAt\":\"2026-01-01T00:00:00Z\","
      + "\"UpdatedAt\":\"2026-01-01T00:00:00Z\",\"Spec\":{\"Role\":\"manager\",\"Availability\":\"active\"},"
      + "\"Description\":{\"Hostname\":\"vm\",\"Platform\":{\"Architecture\":\"x86_64\",\"OS\":\"linux\"},"
      + "\"Resources\":{\"NanoCPUs\":2000000000,\"MemoryBytes\":2527619481},\"Engine\":{\"EngineVersion\":\"1\"}},"
      + "\"Status\":{\"State\":\"ready\",\"Addr\":\"127.0.0.1\"},\"ManagerStatus\":{\"Leader\":true,"
      + "\"Reachability\":\"reachable\",\"Addr\":\"127.0.0.1:2377\"}}";

  private static final String PAYLOAD = "{\"ID\":\"p1\",\"Version\":{\"Index\":3},\"CreatedAt\":\"2026-01-01T00:00:00Z\","
      + "\"UpdatedAt\":\"2026-01-01T00:00:00Z\",\"Spec\":{\"Name\":\"web-key\",\"Labels\":{\"a\":\"b\"}}}";
  private static final String IMAGE = "{\"Id\":\"sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741\","
      + "\"RepoTags\":[\"busybox:latest\"],\"RepoDigests\":[],\"Created\":1700000000,\"Size\":4261550}";
  /** One stdout frame of a multiplexed log stream (docker's 8-byte header), with the task's details, as logs send it. */
  private static final String LOG_FRAME;

  static {
    String line = "com.docker.swarm.node.id=n1,com.docker.swarm.service.id=s1,com.docker.swarm.task.id=t1 hello\n";
    LOG_FRAME = "\u0001\u0000\u0000\u0000\u0000\u0000\u0000" + (char) line.length() + line;
  }
  private static final String SWARM = "{\"ID\":\"c1\",\"Version\":{\"Index\":2},\"Spec\":{\"Name\":\"default\"},"
      + "\"JoinTokens\":{\"Worker\":\"SWMTKN-1-w\",\"Manager\":\"SWMTKN-1-m\"}}";

  private CdsTraining() {}

  public static void main(String[] args) throws Exception {
    Main.namedSelectorProvider(); // as a client verb's Main.main does
    Path dir = Files.createTempDirectory("jswarm-cds");
    Path sock = dir.resolve("d.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(sock));
      Thread t = new Thread(() -> serve(server), "cds-canned-daemon");
      t.setDaemon(true);
      t.start();
      String h = "unix://" + sock;
      for (String[] cmd : new String[][] {{"-H", h, "service", "ls"}, {"-H", h, "service", "ps", "web"},
          {"-H", h, "node", "ls"}, {"-H", h, "node", "ps"}, {"-H", h, "service", "inspect", "--pretty", "web"}, {"-H", h, "service", "ls", "-q"},
          {"-H", h, "network", "ls"}, {"-H", h, "volume", "ls"}, {"-H", h, "image", "ls"},
          {"-H", h, "service", "inspect", "web"}, {"-H", h, "node", "inspect", "self"}, {"-H", h, "secret", "ls"},
          {"-H", h, "config", "ls"}, {"-H", h, "stack", "ls"}, {"-H", h, "swarm", "join-token", "worker"},
          {"-H", h, "service", "scale", "-d", "web=2"}, {"-H", h, "service", "update", "-d", "--label-add", "a=b", "web"},
          {"-H", h, "service", "rm", "web"}, {"-H", h, "info"}, {"-H", h, "service", "create", "-d", "--name", "web",
              "--replicas", "2", "-p", "8080:80", "-e", "A=B", "--label", "a=b", "--constraint", "node.role==manager",
              "--update-delay", "5s", "busybox", "sleep", "1d"},
          {"-H", h, "service", "update", "-d", "--image", "busybox:2", "--env-add", "A=B", "--replicas", "3", "--force",
              "web"}, {"-H", h, "node", "update", "--label-add", "a=b", "n1"}, {"-H", h, "network", "inspect", "n1"},
          {"-H", h, "volume", "inspect", "v1"}, {"-H", h, "service", "logs", "--tail", "1", "web"},
          {"service", "ls", "--help"}, {"--help"}, {"--version"}}) {
        StringWriter out = new StringWriter();
        int rc = Main.run(new PrintWriter(out), new PrintWriter(out), cmd);
        if (rc != 0) {
          throw new IllegalStateException("training command " + String.join(" ", cmd) + " failed: " + out);
        }
      }
    } finally {
      Files.deleteIfExists(sock);
      Files.deleteIfExists(dir);
    }
  }

  /** Answers the training's requests (and ClientPathTest's) with canned JSON until {@code server} is closed. */
  static void serve(ServerSocketChannel server) {
    while (server.isOpen()) {
      try (SocketChannel c = server.accept()) {
        InputStream in = Channels.newInputStream(c);
        String head = head(in);
        String target = head.split(" ")[1];
        in.readNBytes(contentLength(head)); // a POST's body, read before answering (else the client's write fails)
        String path = target.replaceFirst("^/v1\\.\\d+", "").replaceFirst("\\?.*", "");
        // two of each, so that sorting and name look-ups run too
        String body = path.endsWith("/logs") ? LOG_FRAME
            : path.equals("/services") ? "[" + SERVICE + "," + SERVICE.replace("\"web\"", "\"api\"") + "]"
            : path.startsWith("/services/") ? SERVICE
            : path.equals("/tasks") && target.contains("view=table") ? TABLE
            : path.equals("/tasks") && target.contains("view=rows") ? "[" + ROW + ","
                + ROW.replace("\"t1\"", "\"t2\"").replace("false", "true").replace("\"Error\":\"\"", "\"Error\":\"\\\"exit 1\\\"\"") + "]"
            : path.equals("/tasks") ? "[" + TASK + "," + TASK.replace("web.1", "web.2").replace("\"Slot\":1", "\"Slot\":2")
                + "]"
            : path.equals("/nodes") ? "[" + NODE + "," + NODE.replace("\"vm\"", "\"vm2\"") + "]"
            : path.startsWith("/nodes/") ? NODE
            : path.equals("/images/json") ? "[" + IMAGE + "]"
            : path.equals("/networks") ? "[]"
            : path.equals("/volumes") ? "{\"Volumes\":[]}"
            : path.equals("/secrets") || path.equals("/configs") ? "[" + PAYLOAD + "]"
            : path.equals("/swarm") ? SWARM
            : "{\"Swarm\":{\"NodeID\":\"n1\",\"LocalNodeState\":\"active\"}}";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = Channels.newOutputStream(c);
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + b.length
            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(b);
        out.flush();
      } catch (IOException | RuntimeException e) {
        // the client went away, or the server was closed at the end of training
      }
    }
  }

  /** The request's {@code Content-Length}, 0 without one. */
  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
        return Integer.parseInt(line.substring(15).trim());
      }
    }
    return 0;
  }

  /** Reads the request head. */
  private static String head(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int last4 = 0;
    for (int c = in.read(); c >= 0; c = in.read()) {
      b.write(c);
      last4 = (last4 << 8) | c;
      if (last4 == 0x0d0a0d0a) {
        break;
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }
}
