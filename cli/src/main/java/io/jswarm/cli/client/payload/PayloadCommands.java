package io.jswarm.cli.client.payload;

import io.jswarm.api.listing.HumanTime;
import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.cli.client.ApiClient;
import io.jswarm.cli.client.ClientCommand;
import io.jswarm.cli.client.Filters;
import io.jswarm.cli.client.OutputFormat;
import io.jswarm.api.listing.TextTable;
import io.jswarm.cli.client.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The verbs {@code jswarm secret} and {@code jswarm config} share ({@code create NAME FILE|-}, {@code ls},
 * {@code inspect}, {@code rm}), as {@code docker secret}/{@code docker config}. The same classes serve both groups:
 * the noun is the parent command's name ({@link #noun}), and the API paths and the messages follow from it.
 */
public final class PayloadCommands {
  private PayloadCommands() {}

  /** {@code secret} or {@code config}: the group the verb was called under. */
  static String noun(picocli.CommandLine.Model.CommandSpec spec) {
    return spec.parent().name();
  }

  /** {@code noun} when {@code QuickVerbs} gave it (it runs a verb without picocli's model), else the parent's name. */
  private static String noun(String noun, picocli.CommandLine.Model.CommandSpec spec) {
    return noun != null ? noun : noun(spec);
  }

  /** Docker's payload limit (500 KiB), checked before reading a whole file into memory. */
  static final long MAX_PAYLOAD_BYTES = 500 * 1024;

  @Command(name = "create", description = "Create one from a file, or from standard input (-).")
  static final class Create extends ClientCommand {
    @Option(names = {"-l", "--label"}, description = "Labels (key=value).")
    List<String> labels = new ArrayList<>();

    @Parameters(index = "0", paramLabel = "NAME", description = "Name.")
    String name;

    @Parameters(index = "1", paramLabel = "FILE|-", description = "File with the content, or - for standard input.")
    String file;

    @Override
    protected int run(ApiClient api) throws IOException {
      byte[] data = read(file, noun(spec));
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("Name", name);
      body.put("Labels", io.jswarm.cli.client.NetworkCommand.keyValues("--label", labels));
      body.put("Data", Base64.getEncoder().encodeToString(data));
      java.util.Arrays.fill(data, (byte) 0);
      out.println(api.post("/" + noun(spec) + "s/create", body).tree().path("ID").asText());
      return 0;
    }
  }

  /** The content of {@code file} ({@code -}: standard input), refused above the limit before it is all read. */
  static byte[] read(String file, String noun) throws IOException {
    if (file.equals("-")) {
      byte[] data = System.in.readNBytes((int) MAX_PAYLOAD_BYTES + 1);
      return checkSize(data.length, data, "standard input", noun);
    }
    Path p = Path.of(file);
    try {
      long size = Files.size(p);
      if (size >= MAX_PAYLOAD_BYTES) {
        return checkSize(size, null, file, noun);
      }
      return checkSize(size, Files.readAllBytes(p), file, noun);
    } catch (NoSuchFileException e) {
      throw new UsageException("open " + file + ": no such file or directory");
    }
  }

  private static byte[] checkSize(long size, byte[] data, String from, String noun) {
    if (size >= MAX_PAYLOAD_BYTES) {
      throw new UsageException(noun + " data from " + from + " is too large (" + size + " bytes or more); a " + noun
          + " must be smaller than " + MAX_PAYLOAD_BYTES + " bytes (500 KiB)");
    }
    if (size == 0) {
      throw new UsageException(noun + " data from " + from + " is empty; give the content to store");
    }
    return data;
  }

  /** {@code ls}; its fields are public for {@code QuickVerbs}, which fills them as picocli would. */
  @Command(name = "ls", aliases = "list", description = "List them.")
  public static final class Ls extends ClientCommand {
    @Option(names = {"-q", "--quiet"}, description = "Only display IDs.")
    public boolean quiet;

    @Option(names = {"-f", "--filter"}, description = "Filter output (id=, name=, label=).")
    public List<String> filters = new ArrayList<>();

    @Option(names = "--format", description = "Format output: table (default), json, a Go template (e.g. "
        + "{{.Name}}) or table TEMPLATE.")
    public String format;

    /** {@code secret} or {@code config} when run without picocli; null: the parent command's name. */
    public String noun;

    /** Secrets have a DRIVER column (empty here: no drivers); configs do not. */
    private boolean driverColumn() {
      return noun(noun, spec).equals("secret");
    }

    @Override
    protected int run(ApiClient api) {
      OutputFormat fmt = OutputFormat.of(format);
      List<JsonNode> rows = new ArrayList<>();
      for (JsonNode n : api.getTree(Filters.parse(filters).appendTo("/" + noun(noun, spec) + "s"))) {
        rows.add(n);
      }
      rows.sort(BY_NAME);
      Instant now = Instant.now();
      if (quiet) {
        for (JsonNode n : rows) {
          out.println(n.path("ID").asText());
        }
      } else {
        List<Map<String, String>> lines = new ArrayList<>();
        for (JsonNode n : rows) {
          Map<String, String> m = new LinkedHashMap<>();
          m.put("CreatedAt", ago(n.path("CreatedAt").asText(), now));
          if (driverColumn()) {
            m.put("Driver", "");
          }
          m.put("ID", n.path("ID").asText());
          m.put("Labels", labels(n.path("Spec").path("Labels")));
          m.put("Name", name(n));
          m.put("UpdatedAt", ago(n.path("UpdatedAt").asText(), now));
          lines.add(m);
        }
        // a class, not a lambda: this listing links none (docs/footprint.md, "The CLI's start")
        fmt.print(out, lines, new java.util.function.Supplier<>() {
          @Override
          public String get() {
            return table(rows, now);
          }
        });
      }
      return 0;
    }

    private String table(List<JsonNode> rows, Instant now) {
      List<String> header = new ArrayList<>(List.of("ID", "NAME"));
      if (driverColumn()) {
        header.add("DRIVER");
      }
      header.addAll(List.of("CREATED", "UPDATED"));
      TextTable t = new TextTable(header);
      for (JsonNode n : rows) {
        List<String> cells = new ArrayList<>(List.of(n.path("ID").asText(), name(n)));
        if (driverColumn()) {
          cells.add("");
        }
        cells.add(ago(n.path("CreatedAt").asText(), now));
        cells.add(ago(n.path("UpdatedAt").asText(), now));
        t.row(cells);
      }
      return t.render();
    }

    private static final java.util.Comparator<JsonNode> BY_NAME = new java.util.Comparator<>() {
      @Override
      public int compare(JsonNode a, JsonNode b) {
        return name(a).compareTo(name(b));
      }
    };

    private static String name(JsonNode n) {
      return n.path("Spec").path("Name").asText();
    }

    /** "5 minutes ago"; the daemon's timestamps read by hand ({@link io.jswarm.api.types.Rfc3339}). */
    private static String ago(String time, Instant now) {
      try {
        return HumanTime.duration(Duration.between(io.jswarm.api.types.Rfc3339.parse(time), now))
            .toLowerCase(Locale.ROOT) + " ago";
      } catch (DateTimeParseException e) {
        return time;
      }
    }

    private static String labels(JsonNode labels) {
      List<String> parts = new ArrayList<>();
      for (java.util.Iterator<Map.Entry<String, JsonNode>> i = labels.fields(); i.hasNext(); ) {
        Map.Entry<String, JsonNode> e = i.next();
        parts.add(e.getKey() + "=" + e.getValue().asText());
      }
      parts.sort(null);
      return String.join(",", parts);
    }
  }

  /** {@code inspect}; its fields are public for {@code QuickVerbs}, which fills them as picocli would. */
  @Command(name = "inspect", description = "Display detailed information on one or more (a secret's data is never shown).")
  public static final class Inspect extends ClientCommand {
    @picocli.CommandLine.Mixin
    public io.jswarm.cli.client.InspectFormat format = new io.jswarm.cli.client.InspectFormat();

    @Parameters(arity = "1..*", paramLabel = "NAME|ID", description = "Name, id or id prefix.")
    public List<String> refs;

    /** {@code secret} or {@code config} when run without picocli; null: the parent command's name. */
    public String noun;

    @Override
    protected int run(ApiClient api) {
      List<String> errors = new ArrayList<>();
      return printInspect(format, inspectEach(api, refs, "Error: No such " + noun(this.noun, spec) + ": ", errors),
          errors);
    }

    @Override
    protected String inspectPath(ApiClient api, String ref) {
      return "/" + noun(this.noun, spec) + "s/" + seg(ref);
    }
  }

  @Command(name = "rm", aliases = "remove", description = "Remove one or more.")
  static final class Rm extends ClientCommand {
    @Parameters(arity = "1..*", paramLabel = "NAME|ID", description = "Name, id or id prefix.")
    List<String> refs;

    @Override
    protected int run(ApiClient api) throws Exception {
      return eachRef(refs, ref -> {
        api.delete("/" + noun(spec) + "s/" + seg(ref));
        out.println(ref);
      });
    }
  }
}
