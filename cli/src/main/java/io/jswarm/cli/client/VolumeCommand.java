package io.jswarm.cli.client;

import io.jswarm.api.listing.TextTable;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jswarm volume ...}: named local volumes of the daemon's node, as {@code docker volume}. {@code ls} adds a
 * SIZE column and {@code inspect} shows {@code UsageData} (Docker shows sizes only in {@code system df -v}).
 */
@Command(name = "volume", description = "Manage volumes.",
    subcommands = {VolumeCommand.Create.class, VolumeCommand.Ls.class, VolumeCommand.Inspect.class,
        VolumeCommand.Rm.class})
public final class VolumeCommand extends GroupCommand {

  /** Decimal size as Docker's {@code units.HumanSize} prints it: {@code 1.005kB}, {@code 12.3MB}, {@code 0B}. */
  static String humanSize(long bytes) {
    String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
    double v = bytes;
    int u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    String num = String.format(Locale.ROOT, "%.4g", v);
    if (num.contains(".")) {
      num = num.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return num + units[u];
  }

  @Command(name = "create", description = "Create a volume.")
  static final class Create extends ClientCommand {
    @Option(names = {"-d", "--driver"}, defaultValue = "local", description = "Specify volume driver name (only \"local\").")
    String driver;

    @Option(names = "--label", description = "Set metadata for a volume (key=value).")
    List<String> labels = new ArrayList<>();

    @Option(names = {"-o", "--opt"}, description = "Set driver specific options: size=10M makes the volume a file system of that size (jswarm's local driver takes only size).")
    List<String> opts = new ArrayList<>();

    @Parameters(arity = "0..1", paramLabel = "VOLUME", description = "Volume name (random when left out).")
    String name;

    @Override
    protected int run(ApiClient api) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("Name", name == null ? "" : name);
      body.put("Driver", driver);
      body.put("DriverOpts", keyValues("--opt", opts));
      body.put("Labels", keyValues("--label", labels));
      out.println(api.post("/volumes/create", body).tree().path("Name").asText());
      return 0;
    }

    private static Map<String, String> keyValues(String flag, List<String> items) {
      Map<String, String> m = new LinkedHashMap<>();
      for (String kv : items) {
        int eq = kv.indexOf('=');
        if (flag.equals("--opt") && eq <= 0) {
          throw new UsageException("invalid argument \"" + kv + "\" for \"" + flag + "\" flag: want key=value");
        }
        m.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
      }
      return m;
    }
  }

  @Command(name = "ls", aliases = "list", description = "List volumes.")
  static final class Ls extends ClientCommand {
    @picocli.CommandLine.Mixin
    ListFlags list = new ListFlags();

    @Override
    protected int run(ApiClient api) {
      OutputFormat fmt = OutputFormat.of(list.format);
      String path = list.filters().appendTo(list.quiet ? "/volumes" : "/volumes?size=1");
      JsonNode vols = api.getTree(path).path("Volumes");
      if (list.quiet) {
        for (JsonNode v : vols) {
          out.println(v.path("Name").asText());
        }
        return 0;
      }
      List<Map<String, Object>> rows = new ArrayList<>();
      for (JsonNode v : vols) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("Driver", v.path("Driver").asText());
        row.put("Name", v.path("Name").asText());
        row.put("Mountpoint", v.path("Mountpoint").asText());
        row.put("Scope", v.path("Scope").asText());
        row.put("Size", humanSize(v.path("UsageData").path("Size").asLong()));
        rows.add(row);
      }
      // a class, not a lambda: this listing links none (docs/footprint.md, "The CLI's start")
      fmt.print(out, rows, new java.util.function.Supplier<>() {
        @Override
        public String get() {
          TextTable t = new TextTable(List.of("DRIVER", "VOLUME NAME", "SIZE"));
          for (Map<String, Object> r : rows) {
            t.row(List.of((String) r.get("Driver"), (String) r.get("Name"), (String) r.get("Size")));
          }
          return t.render();
        }
      });
      return 0;
    }
  }

  @Command(name = "inspect", description = "Display detailed information on one or more volumes.")
  static final class Inspect extends ClientCommand {
    @picocli.CommandLine.Mixin
    InspectFormat format = new InspectFormat();

    @Parameters(arity = "1..*", paramLabel = "VOLUME")
    List<String> volumes;

    @Override
    protected int run(ApiClient api) {
      List<String> errors = new ArrayList<>();
      return printInspect(format, inspectEach(api, volumes, "Error: No such volume: ", errors), errors);
    }

    @Override
    protected String inspectPath(ApiClient api, String name) {
      return "/volumes/" + seg(name) + "?size=1";
    }
  }

  @Command(name = "rm", aliases = "remove", description = "Remove one or more volumes.")
  static final class Rm extends ClientCommand {
    @Option(names = {"-f", "--force"}, description = "Do not fail when a volume does not exist.")
    boolean force;

    @Parameters(arity = "1..*", paramLabel = "VOLUME")
    List<String> volumes;

    @Override
    protected int run(ApiClient api) throws Exception {
      return eachRef(volumes, name -> {
        api.delete("/volumes/" + seg(name) + (force ? "?force=1" : ""));
        out.println(name);
      });
    }
  }
}
