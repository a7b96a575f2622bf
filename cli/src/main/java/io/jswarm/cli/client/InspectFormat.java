package io.jswarm.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code -f/--format} of {@code inspect} commands: a Go template applied to each object, as docker does. */
public final class InspectFormat {
  @Option(names = {"-f", "--format"}, paramLabel = "TEMPLATE",
      description = "Format the output using a Go template (e.g. '{{json .Spec}}', '{{.Spec.Name}}').")
  String format;

  /** The objects through the template, or docker's indented JSON array without one. */
  void print(List<JsonNode> found, PrintWriter out) {
    OutputFormat.inspect(format, found, out);
  }

  /** Refuses the template beside {@code --pretty}, with docker's words. */
  void refuseWithPretty(boolean pretty) {
    if (pretty && format != null && !format.isEmpty()) {
      throw new UsageException("--format is incompatible with human friendly format");
    }
  }
}
