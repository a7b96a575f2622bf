package io.jswarm.cli.client;

import io.jswarm.api.listing.TextTable;
import io.jswarm.api.listing.HumanTime;
import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jswarm image ...}: the node's image store, as {@code docker image}. */
@Command(name = "image", description = "Manage images.",
    subcommands = {ImageCommand.Pull.class, ImageCommand.Push.class, ImageCommand.Load.class, ImageCommand.Import.class,
        ImageCommand.Save.class, ImageCommand.Ls.class, ImageCommand.Inspect.class, ImageCommand.Rm.class,
        ImageCommand.Tag.class})
public final class ImageCommand extends GroupCommand {

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Prints a Docker JSON progress stream; returns false when it ended with an error line. */
  static boolean progress(ApiClient api, String path, java.io.PrintWriter out, java.io.PrintWriter err) {
    boolean[] ok = {true};
    api.stream("POST", path, null, line -> {
      if (line.isBlank()) {
        return;
      }
      JsonNode n;
      try {
        n = Json.mapper().readTree(line);
      } catch (IOException e) {
        out.println(line);
        return;
      }
      if (n.has("errorDetail") || n.has("error")) {
        ok[0] = false;
        err.println(n.path("errorDetail").path("message").asText(n.path("error").asText()));
        return;
      }
      if (n.has("status")) {
        out.println(n.hasNonNull("id") ? n.get("id").asText() + ": " + n.get("status").asText() : n.get("status").asText());
      }
      out.flush();
    });
    return ok[0];
  }

  @Command(name = "pull", description = "Download an image from a registry (or a manager of the swarm).")
  static final class Pull extends ClientCommand {
    @Option(names = "--insecure-registry", description = "Talk to the image's registry over plain HTTP.")
    boolean insecure;

    @Option(names = {"-q", "--quiet"}, description = "Suppress verbose output.")
    boolean quiet;

    @Parameters(paramLabel = "NAME[:TAG|@DIGEST]")
    String name;

    @Override
    protected int run(ApiClient api) {
      String path = "/images/create?fromImage=" + q(name) + (insecure ? "&insecure=1" : "");
      boolean ok = progress(api, path, quiet ? new java.io.PrintWriter(java.io.Writer.nullWriter()) : out, err);
      if (ok) {
        out.println(name);
      }
      return ok ? 0 : 1;
    }
  }

  @Command(name = "push", description = "Upload an image to its registry.")
  static final class Push extends ClientCommand {
    @Option(names = "--insecure-registry", description = "Talk to the image's registry over plain HTTP.")
    boolean insecure;

    @Parameters(paramLabel = "NAME[:TAG]")
    String name;

    @Override
    protected int run(ApiClient api) {
      return progress(api, "/images/" + name + "/push" + (insecure ? "?insecure=1" : ""), out, err) ? 0 : 1;
    }
  }

  @Command(name = "load", description = "Load images from a tar archive (docker save or OCI layout).")
  static final class Load extends ClientCommand {
    @Option(names = {"-i", "--input"}, description = "Read from this file instead of standard input.")
    Path input;

    @Option(names = {"-q", "--quiet"}, description = "Suppress the load output.")
    boolean quiet;

    @Override
    protected int run(ApiClient api) throws IOException {
      byte[] body = input == null ? System.in.readAllBytes() : Files.readAllBytes(input);
      if (body.length == 0) {
        throw new UsageException("requested load from stdin, but stdin is empty");
      }
      ApiClient.Response r = api.call("POST", "/images/load" + (quiet ? "?quiet=1" : ""), body);
      for (String line : r.text().split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode n = Json.mapper().readTree(line);
        if (n.has("stream") && !quiet) {
          out.print(n.get("stream").asText());
        }
      }
      return 0;
    }
  }

  @Command(name = "import", description = "Make an image from a root file system tarball.")
  static final class Import extends ClientCommand {
    @Option(names = {"-c", "--change"}, description = "Dockerfile instruction to apply (CMD, ENTRYPOINT, ENV, "
        + "WORKDIR, USER, EXPOSE, LABEL, STOPSIGNAL), repeatable.")
    List<String> changes = new ArrayList<>();

    @Option(names = {"-m", "--message"}, description = "Commit message for the imported image.")
    String message;

    @Parameters(index = "0", paramLabel = "FILE|-", description = "Tarball (optionally gzip-compressed), - for stdin.")
    String file;

    @Parameters(index = "1", arity = "0..1", paramLabel = "REPOSITORY[:TAG]")
    String reference;

    @Override
    protected int run(ApiClient api) throws IOException {
      byte[] body = file.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(file));
      StringBuilder path = new StringBuilder("/images/create?fromSrc=-");
      if (reference != null) {
        path.append("&repo=").append(q(reference));
      }
      for (String c : changes) {
        path.append("&changes=").append(q(c));
      }
      if (message != null) {
        path.append("&message=").append(q(message));
      }
      ApiClient.Response r = api.call("POST", path.toString(), body);
      out.println(Json.mapper().readTree(r.text().trim()).path("status").asText());
      return 0;
    }
  }

  @Command(name = "save", description = "Save images to a tar archive (docker save format).")
  static final class Save extends ClientCommand {
    @Option(names = {"-o", "--output"}, required = true, description = "Write to this file.")
    Path output;

    @Parameters(arity = "1..*", paramLabel = "IMAGE")
    List<String> images;

    @Override
    protected int run(ApiClient api) throws IOException {
      StringBuilder path = new StringBuilder("/images/get?");
      for (int i = 0; i < images.size(); i++) {
        path.append(i == 0 ? "" : "&").append("names=").append(q(images.get(i)));
      }
      Files.write(output, api.call("GET", path.toString(), null).body());
      return 0;
    }
  }

  @Command(name = "ls", aliases = {"list", "images"}, description = "List images.")
  static final class Ls extends ClientCommand {
    @Option(names = {"-q", "--quiet"}, description = "Only show image IDs.")
    boolean quiet;

    @Option(names = "--digests", description = "Show digests.")
    boolean digests;

    @Option(names = "--no-trunc", description = "Don't truncate output.")
    boolean noTrunc;

    @Option(names = "--format", description = "Format output: table (default), json, a Go template (e.g. {{.ID}}) or table TEMPLATE.")
    String format;

    @Parameters(arity = "0..1", paramLabel = "REPOSITORY[:TAG]")
    String reference;

    @Override
    protected int run(ApiClient api) {
      OutputFormat fmt = OutputFormat.of(format);
      String path = "/images/json";
      if (reference != null) {
        path += "?filters=" + q("{\"reference\":{\"" + reference.replace("\"", "") + "\":true}}");
      }
      JsonNode list = api.getTree(path);
      List<List<String>> rows = new ArrayList<>();
      List<Map<String, Object>> json = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      for (JsonNode i : list) {
        String id = i.path("Id").asText();
        // no regular expression: compiling one links the JDK's lambdas (docs/footprint.md, "The CLI's start")
        String shortId = noTrunc ? id
            : (id.startsWith("sha256:") ? id.substring(7) : id).substring(0, Math.min(12, id.length()));
        if (quiet) {
          if (!ids.contains(shortId)) {
            ids.add(shortId);
          }
          continue;
        }
        String created = HumanTime.duration(Duration.between(Instant.ofEpochSecond(i.path("Created").asLong()),
            Instant.now())) + " ago";
        String size = decimalSize(i.path("Size").asLong());
        List<String[]> repoTags = new ArrayList<>();
        for (JsonNode t : i.path("RepoTags")) {
          String s = t.asText();
          int c = s.lastIndexOf(':');
          repoTags.add(new String[] {s.substring(0, c), s.substring(c + 1)});
        }
        if (repoTags.isEmpty()) {
          repoTags.add(new String[] {"<none>", "<none>"});
        }
        for (String[] rt : repoTags) {
          String digest = "<none>";
          for (JsonNode d : i.path("RepoDigests")) {
            String s = d.asText();
            if (s.substring(0, s.indexOf('@')).equals(rt[0])) {
              digest = s.substring(s.indexOf('@') + 1);
            }
          }
          List<String> row = new ArrayList<>(List.of(rt[0], rt[1]));
          if (digests) {
            row.add(digest);
          }
          row.addAll(List.of(shortId, created, size));
          rows.add(row);
          if (fmt == OutputFormat.TABLE) { // the rows' maps are for json and templates only (Instant's formatter links lambdas)
            continue;
          }
          Map<String, Object> j = new LinkedHashMap<>();
          j.put("Containers", "N/A");
          j.put("CreatedAt", Instant.ofEpochSecond(i.path("Created").asLong()).toString());
          j.put("CreatedSince", created);
          j.put("Digest", digest);
          j.put("ID", shortId);
          j.put("Repository", rt[0]);
          j.put("SharedSize", "N/A");
          j.put("Size", size);
          j.put("Tag", rt[1]);
          j.put("UniqueSize", "N/A");
          j.put("VirtualSize", size);
          json.add(j);
        }
      }
      if (quiet) {
        for (String id : ids) {
          out.println(id);
        }
      } else {
        // a class, not a lambda: this listing links none (docs/footprint.md, "The CLI's start")
        fmt.print(out, json, new java.util.function.Supplier<>() {
          @Override
          public String get() {
            List<String> header = new ArrayList<>(List.of("REPOSITORY", "TAG"));
            if (digests) {
              header.add("DIGEST");
            }
            header.addAll(List.of("IMAGE ID", "CREATED", "SIZE"));
            TextTable t = new TextTable(header);
            for (List<String> row : rows) {
              t.row(row);
            }
            return t.render();
          }
        });
      }
      return 0;
    }
  }

  /** go-units {@code HumanSize}: decimal units, 3 significant digits ({@code 4.26MB}, {@code 725kB}). */
  static String decimalSize(long bytes) {
    String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
    double v = bytes;
    int u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return threeDigits(v) + units[u];
  }

  /**
   * {@code String.format(Locale.ROOT, "%.3g", v)} without its trailing zeros and point ({@code 4.26}, {@code 725},
   * {@code 1.5}). Written out for the plain range, since a {@code Formatter} compiles a regular expression and reads
   * the locale's number symbols, which in a cold {@code image ls} linked a dozen lambdas (docs/footprint.md); an
   * exponent form (a value that rounds to 1000 or more, or below 0.0001) is still {@code Formatter}'s.
   */
  static String threeDigits(double v) {
    String plain = io.jswarm.api.validation.ByteSize.significant(v, 3);
    return plain != null ? plain : String.format(Locale.ROOT, "%.3g", v);
  }

  @Command(name = "inspect", description = "Display detailed information on one or more images.")
  static final class Inspect extends ClientCommand {
    @picocli.CommandLine.Mixin
    InspectFormat format = new InspectFormat();

    @Parameters(arity = "1..*", paramLabel = "IMAGE")
    List<String> images;

    @Override
    protected int run(ApiClient api) {
      List<String> errors = new ArrayList<>();
      return printInspect(format, inspectEach(api, images, "Error: No such image: ", errors), errors);
    }

    @Override
    protected String inspectPath(ApiClient api, String image) {
      return "/images/" + image + "/json";
    }
  }

  @Command(name = "rm", aliases = {"remove", "rmi"}, description = "Remove one or more images.")
  static final class Rm extends ClientCommand {
    @Option(names = {"-f", "--force"}, description = "Force removal of the image.")
    boolean force;

    @Option(names = "--no-prune", description = "Do not delete untagged parents.")
    boolean noPrune;

    @Parameters(arity = "1..*", paramLabel = "IMAGE")
    List<String> images;

    @Override
    protected int run(ApiClient api) throws Exception {
      return eachRef(images, i -> {
        JsonNode r = api.call("DELETE", "/images/" + i + "?force=" + force + "&noprune=" + noPrune, null).tree();
        for (JsonNode e : r) {
          if (e.has("Untagged")) {
            out.println("Untagged: " + e.get("Untagged").asText());
          }
          if (e.has("Deleted")) {
            out.println("Deleted: " + e.get("Deleted").asText());
          }
        }
      });
    }
  }

  @Command(name = "tag", description = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE.")
  static final class Tag extends ClientCommand {
    @Parameters(index = "0", paramLabel = "SOURCE_IMAGE[:TAG]")
    String source;

    @Parameters(index = "1", paramLabel = "TARGET_IMAGE[:TAG]")
    String target;

    @Override
    protected int run(ApiClient api) {
      int slash = target.lastIndexOf('/');
      int colon = target.lastIndexOf(':');
      String repo = colon > slash ? target.substring(0, colon) : target;
      String tag = colon > slash ? target.substring(colon + 1) : "";
      api.call("POST", "/images/" + source + "/tag?repo=" + q(repo) + (tag.isEmpty() ? "" : "&tag=" + q(tag)), null);
      return 0;
    }
  }
}
