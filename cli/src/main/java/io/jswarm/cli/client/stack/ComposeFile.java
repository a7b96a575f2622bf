package io.jswarm.cli.client.stack;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.jswarm.cli.client.UsageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compose files (format 3.x) as {@code docker stack deploy -c} reads them: YAML read with Jackson's YAML module,
 * {@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR-default}}, {@code ${VAR:?error}} and {@code $VAR} taken from
 * the environment ({@code $$} is a dollar), several files merged in order (maps key by key, anything else
 * replaced). A malformed file is a {@link UsageException} naming the file, line and column.
 */
public final class ComposeFile {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Pattern VARIABLE = Pattern.compile(
      "\\$(?:\\$|\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}|([A-Za-z_][A-Za-z0-9_]*))");

  private ComposeFile() {}

  /** Reads, interpolates and merges {@code files}; the result is the merged document. */
  public static ObjectNode load(List<Path> files, Function<String, String> env) {
    ObjectNode merged = JsonNodeFactory.instance.objectNode();
    for (Path f : files) {
      merge(merged, read(f, env));
    }
    if (!merged.path("services").isObject() || merged.path("services").isEmpty()) {
      throw new UsageException(files + ": no services: a compose file needs a \"services:\" map with at least one "
          + "service");
    }
    String version = merged.path("version").asText("3");
    if (!version.startsWith("3")) {
      throw new UsageException("unsupported Compose file version: " + version + "; version 3.x is supported");
    }
    return merged;
  }

  /** One file, interpolated. */
  static ObjectNode read(Path file, Function<String, String> env) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UsageException("cannot read compose file " + file + ": " + e.getMessage());
    }
    return parse(file.toString(), text, env);
  }

  static ObjectNode parse(String name, String text, Function<String, String> env) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new UsageException(name + ": malformed YAML" + (at == null ? "" : " at line " + at.getLineNr()
          + ", column " + at.getColumnNr()) + ": " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new UsageException(name + ": top-level object must be a mapping (services:, networks:, ...)");
    }
    return (ObjectNode) interpolate(root, env, "");
  }

  private static JsonNode interpolate(JsonNode n, Function<String, String> env, String path) {
    if (n.isTextual()) {
      return TextNode.valueOf(substitute(n.asText(), env, path));
    }
    if (n.isObject()) {
      ObjectNode o = (ObjectNode) n;
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        e.setValue(interpolate(e.getValue(), env, path.isEmpty() ? e.getKey() : path + "." + e.getKey()));
      }
    } else if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        ((com.fasterxml.jackson.databind.node.ArrayNode) n).set(i, interpolate(n.get(i), env, path + "[" + i + "]"));
      }
    }
    return n;
  }

  /** One string with its variables replaced. */
  static String substitute(String s, Function<String, String> env, String path) {
    if (s.indexOf('$') < 0) {
      return s;
    }
    Matcher m = VARIABLE.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group().equals("$$")) {
        replacement = "$";
      } else {
        String var = m.group(1) != null ? m.group(1) : m.group(4);
        String value = env.apply(var);
        String op = m.group(2);
        String arg = m.group(3) == null ? "" : m.group(3);
        boolean unset = value == null || (op != null && op.startsWith(":") && value.isEmpty());
        if (op != null && op.endsWith("?") && unset) {
          throw new UsageException("invalid interpolation format for " + path + ": required variable " + var
              + " is missing a value" + (arg.isEmpty() ? "" : ": " + arg));
        }
        replacement = unset && op != null && op.endsWith("-") ? arg : value == null ? "" : value;
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Merges {@code next} into {@code into}: maps key by key, anything else replaced. */
  static void merge(ObjectNode into, ObjectNode next) {
    for (Iterator<Map.Entry<String, JsonNode>> it = next.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode have = into.get(e.getKey());
      if (have != null && have.isObject() && e.getValue().isObject()) {
        merge((ObjectNode) have, (ObjectNode) e.getValue());
      } else {
        into.set(e.getKey(), e.getValue());
      }
    }
  }
}
