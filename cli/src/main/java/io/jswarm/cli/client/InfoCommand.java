package io.jswarm.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jswarm info}: what the daemon's {@code GET /info} answers (the route {@code docker info} reads), laid out as
 * {@code docker info} lays it out: the containers by state, images, the server's version and drivers, the swarm
 * section (node, role, cluster, managers and nodes, addresses) and the host. {@code -f} applies a Go template (or
 * {@code json}) to the whole answer, as docker's {@code --format} does. The daemon's warnings go to stderr.
 */
@Command(name = "info", description = "Display system-wide information.")
public final class InfoCommand extends ClientCommand {
  @Option(names = {"-f", "--format"}, paramLabel = "TEMPLATE",
      description = "Format the output using a Go template (e.g. '{{.Swarm.LocalNodeState}}'), or json.")
  String format;

  @Override
  protected int run(ApiClient api) {
    JsonNode info = api.getTree("/info");
    if (format != null && !format.isEmpty()) {
      OutputFormat.inspect(format, List.of(info), out);
    } else {
      out.print(text(info, io.jswarm.cli.Main.version()));
    }
    JsonNode warnings = info.path("Warnings");
    for (int i = 0; i < warnings.size(); i++) {
      err.println(warnings.get(i).asText()); // the daemon writes them "WARNING: ...", as dockerd
    }
    return 0;
  }

  /** docker's layout of {@code info}, for a client of {@code clientVersion}. */
  static String text(JsonNode info, String clientVersion) {
    StringBuilder b = new StringBuilder(1024);
    b.append("Client:\n Version: ").append(clientVersion).append("\n\nServer:\n");
    line(b, " Containers: ", info, "Containers");
    line(b, "  Running: ", info, "ContainersRunning");
    line(b, "  Paused: ", info, "ContainersPaused");
    line(b, "  Stopped: ", info, "ContainersStopped");
    line(b, " Images: ", info, "Images");
    line(b, " Server Version: ", info, "ServerVersion");
    line(b, " Storage Driver: ", info, "Driver");
    line(b, " Logging Driver: ", info, "LoggingDriver");
    line(b, " Cgroup Driver: ", info, "CgroupDriver");
    swarm(b, info.path("Swarm"));
    JsonNode runtimes = info.path("Runtimes");
    if (runtimes.size() > 0) {
      b.append(" Runtimes:");
      for (var names = runtimes.fieldNames(); names.hasNext(); ) {
        b.append(' ').append(names.next());
      }
      b.append('\n');
    }
    line(b, " Default Runtime: ", info, "DefaultRuntime");
    line(b, " Kernel Version: ", info, "KernelVersion");
    line(b, " Operating System: ", info, "OperatingSystem");
    line(b, " OSType: ", info, "OSType");
    line(b, " Architecture: ", info, "Architecture");
    line(b, " CPUs: ", info, "NCPU");
    if (JsonTrees.present(info, "MemTotal")) {
      b.append(" Total Memory: ").append(binarySize(JsonTrees.number(info, "MemTotal"))).append('\n');
    }
    line(b, " Name: ", info, "Name");
    line(b, " ID: ", info, "ID");
    line(b, " Docker Root Dir: ", info, "DockerRootDir");
    line(b, " Debug Mode: ", info, "Debug");
    list(b, " Labels:\n", "  ", info.path("Labels"), null);
    line(b, " Experimental: ", info, "ExperimentalBuild");
    line(b, " Live Restore Enabled: ", info, "LiveRestoreEnabled");
    return b.toString();
  }

  /** docker's swarm section: the state; then, on a node in a swarm, who it is and where its managers are. */
  private static void swarm(StringBuilder b, JsonNode swarm) {
    String state = JsonTrees.text(swarm, "LocalNodeState");
    if (state.isEmpty()) {
      return;
    }
    b.append(" Swarm: ").append(state).append('\n');
    if (!state.equals("inactive") && !state.equals("locked")) {
      line(b, "  NodeID: ", swarm, "NodeID");
      if (!JsonTrees.text(swarm, "Error").isEmpty()) {
        line(b, "  Error: ", swarm, "Error");
      }
      boolean manager = swarm.path("ControlAvailable").asBoolean(false);
      b.append("  Is Manager: ").append(manager).append('\n');
      if (manager) {
        line(b, "  ClusterID: ", swarm.path("Cluster"), "ID");
        line(b, "  Managers: ", swarm, "Managers");
        line(b, "  Nodes: ", swarm, "Nodes");
      }
      line(b, "  Node Address: ", swarm, "NodeAddr");
      list(b, "  Manager Addresses:\n", "   ", swarm.path("RemoteManagers"), "Addr");
    }
  }

  /** {@code header}, then each element of {@code array} (its {@code field} when not null) on a line of its own. */
  private static void list(StringBuilder b, String header, String indent, JsonNode array, String field) {
    if (array.size() == 0) {
      return;
    }
    b.append(header);
    for (int i = 0; i < array.size(); i++) {
      b.append(indent).append(field == null ? array.get(i).asText() : JsonTrees.text(array.get(i), field)).append('\n');
    }
  }

  /** {@code label value} when the daemon sent {@code field}. */
  private static void line(StringBuilder b, String label, JsonNode n, String field) {
    if (JsonTrees.present(n, field)) {
      b.append(label).append(n.path(field).asText()).append('\n');
    }
  }

  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  /** A byte count as docker's {@code units.BytesSize} writes it: four significant digits and a binary unit. */
  static String binarySize(long bytes) {
    double size = bytes;
    int unit = 0;
    while (size >= 1024 && unit < UNITS.length - 1) {
      size /= 1024;
      unit++;
    }
    BigDecimal d = new BigDecimal(size).round(new MathContext(4)).stripTrailingZeros();
    return d.toPlainString() + UNITS[unit];
  }
}
