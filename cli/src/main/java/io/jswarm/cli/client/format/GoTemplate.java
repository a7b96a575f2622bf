package io.jswarm.cli.client.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.jswarm.api.json.Json;
import io.jswarm.cli.client.UsageException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The subset of Go's {@code text/template} that scripts pass to {@code docker ... --format} every day, evaluated on
 * JSON: field chains ({@code {{.ID}}}, {@code {{.Spec.Name}}}, {@code {{.}}}), string and number literals,
 * function calls and pipelines with the docker CLI's functions ({@code json}, {@code join}, {@code split},
 * {@code upper}, {@code lower}, {@code title}, {@code index}, {@code len}, {@code truncate}, {@code pad},
 * {@code println}) and {@code {{- -}}} whitespace trimming. {@code range}, {@code if} and variables are refused
 * with a message saying so, never silently printed wrong.
 *
 * <p>Values print as Go prints them: strings bare, lists as {@code [a b]}, objects as {@code map[k:v]} (keys
 * sorted), a missing field of an object as {@code <no value>}. A template made for a listing's rows
 * ({@link #strict}) refuses an unknown field naming the fields there are, as Go does for a struct.
 */
public final class GoTemplate {
  private final String source;
  private final List<Object> parts; // String literal text or Action
  private final boolean strict;

  private GoTemplate(String source, List<Object> parts, boolean strict) {
    this.source = source;
    this.parts = parts;
    this.strict = strict;
  }

  /** One {@code {{ ... }}}: a pipeline of commands, each a list of operands. */
  private record Action(List<List<Operand>> pipeline) {}

  /** An operand: a field chain ({@code .A.B}, empty for {@code .}), a literal, or a function name. */
  private record Operand(Kind kind, String text, List<String> fields) {
    enum Kind { FIELD, STRING, NUMBER, FUNCTION }
  }

  /** Parses {@code source}; a field unknown to the data is an error when {@code strict}. */
  public static GoTemplate parse(String source, boolean strict) {
    List<Object> parts = new ArrayList<>();
    int at = 0;
    while (at < source.length()) {
      int open = source.indexOf("{{", at);
      if (open < 0) {
        parts.add(source.substring(at));
        break;
      }
      int close = source.indexOf("}}", open + 2);
      if (close < 0) {
        throw error(source, "unclosed action: \"{{\" at offset " + open + " has no \"}}\"");
      }
      String text = source.substring(at, open);
      String inner = source.substring(open + 2, close);
      if (inner.startsWith("-") && (inner.length() == 1 || Character.isWhitespace(inner.charAt(1)))) {
        text = text.stripTrailing();
        inner = inner.substring(1);
      }
      boolean trimAfter = false;
      if (inner.endsWith("-") && (inner.length() == 1 || Character.isWhitespace(inner.charAt(inner.length() - 2)))) {
        trimAfter = true;
        inner = inner.substring(0, inner.length() - 1);
      }
      if (!text.isEmpty()) {
        parts.add(text);
      }
      parts.add(action(source, inner.trim()));
      at = close + 2;
      if (trimAfter) {
        while (at < source.length() && Character.isWhitespace(source.charAt(at))) {
          at++;
        }
      }
    }
    return new GoTemplate(source, parts, strict);
  }

  private static Action action(String source, String inner) {
    if (inner.isEmpty()) {
      throw error(source, "empty action {{}}");
    }
    String first = inner.split("\\s+")[0];
    if (List.of("range", "if", "else", "end", "with", "define", "template", "block").contains(first)
        || inner.startsWith("$") || inner.startsWith("/*")) {
      throw error(source, "\"" + first + "\" is not supported by jswarm's --format (fields, literals, pipelines and "
          + "the functions json, join, split, upper, lower, title, index, len, truncate, pad, println are); "
          + "use --format json and a JSON tool for more");
    }
    List<List<Operand>> pipeline = new ArrayList<>();
    List<Operand> command = new ArrayList<>();
    int i = 0;
    while (i < inner.length()) {
      char c = inner.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '|') {
        if (command.isEmpty()) {
          throw error(source, "missing command before \"|\" in {{" + inner + "}}");
        }
        pipeline.add(command);
        command = new ArrayList<>();
        i++;
      } else if (c == '"' || c == '`') {
        int end = i + 1;
        StringBuilder s = new StringBuilder();
        while (end < inner.length() && inner.charAt(end) != c) {
          if (c == '"' && inner.charAt(end) == '\\' && end + 1 < inner.length()) {
            char e = inner.charAt(++end);
            s.append(switch (e) {
              case 'n' -> '\n';
              case 't' -> '\t';
              default -> e;
            });
          } else {
            s.append(inner.charAt(end));
          }
          end++;
        }
        if (end >= inner.length()) {
          throw error(source, "unterminated string in {{" + inner + "}}");
        }
        command.add(new Operand(Operand.Kind.STRING, s.toString(), List.of()));
        i = end + 1;
      } else {
        int end = i;
        while (end < inner.length() && !Character.isWhitespace(inner.charAt(end)) && inner.charAt(end) != '|') {
          end++;
        }
        String word = inner.substring(i, end);
        command.add(operand(source, word));
        i = end;
      }
    }
    if (command.isEmpty()) {
      throw error(source, "missing command after \"|\" in {{" + inner + "}}");
    }
    pipeline.add(command);
    for (List<Operand> cmd : pipeline.subList(1, pipeline.size())) {
      if (cmd.get(0).kind() != Operand.Kind.FUNCTION) {
        throw error(source, "only a function can follow \"|\" in {{" + inner + "}}");
      }
    }
    return new Action(pipeline);
  }

  private static Operand operand(String source, String word) {
    if (word.startsWith(".")) {
      List<String> fields = new ArrayList<>();
      for (String f : word.substring(1).split("\\.", -1)) {
        if (!f.isEmpty()) {
          fields.add(f);
        } else if (word.length() > 1) {
          throw error(source, "bad field chain \"" + word + "\"");
        }
      }
      return new Operand(Operand.Kind.FIELD, word, fields);
    }
    if (word.matches("-?[0-9]+")) {
      return new Operand(Operand.Kind.NUMBER, word, List.of());
    }
    if (FUNCTIONS.contains(word)) {
      return new Operand(Operand.Kind.FUNCTION, word, List.of());
    }
    throw error(source, "function \"" + word + "\" not defined; jswarm's --format knows " + String.join(", ", FUNCTIONS));
  }

  private static final List<String> FUNCTIONS =
      List.of("json", "join", "split", "upper", "lower", "title", "index", "len", "truncate", "pad", "println");

  /** The template applied to {@code data}. */
  public String render(JsonNode data) {
    StringBuilder out = new StringBuilder();
    for (Object p : parts) {
      if (p instanceof String s) {
        out.append(s);
      } else {
        out.append(print(eval((Action) p, data)));
      }
    }
    return out.toString();
  }

  /**
   * The header line of a {@code table} template: each action becomes the column name of the first field it names
   * (Docker's headers: {@code CurrentState -> CURRENT STATE}), literal text stays.
   */
  public String header() {
    StringBuilder out = new StringBuilder();
    for (Object p : parts) {
      if (p instanceof String s) {
        out.append(s);
      } else {
        out.append(headerOf((Action) p));
      }
    }
    return out.toString();
  }

  private static String headerOf(Action a) {
    for (List<Operand> cmd : a.pipeline()) {
      for (Operand o : cmd) {
        if (o.kind() == Operand.Kind.FIELD && !o.fields().isEmpty()) {
          return columnName(o.fields().get(o.fields().size() - 1));
        }
      }
    }
    return "";
  }

  /** {@code CurrentState -> CURRENT STATE}, {@code TLSStatus -> TLS STATUS}, {@code ID -> ID}. */
  static String columnName(String field) {
    return field.replaceAll("([a-z0-9])([A-Z])", "$1 $2").replaceAll("([A-Z]+)([A-Z][a-z])", "$1 $2")
        .toUpperCase(Locale.ROOT);
  }

  private JsonNode eval(Action a, JsonNode dot) {
    JsonNode piped = null;
    for (List<Operand> cmd : a.pipeline()) {
      piped = evalCommand(cmd, dot, piped);
    }
    return piped;
  }

  private JsonNode evalCommand(List<Operand> cmd, JsonNode dot, JsonNode piped) {
    Operand head = cmd.get(0);
    if (head.kind() != Operand.Kind.FUNCTION) {
      if (cmd.size() > 1) {
        throw error(source, "can't give argument to non-function " + head.text());
      }
      return value(head, dot);
    }
    List<JsonNode> args = new ArrayList<>();
    for (Operand o : cmd.subList(1, cmd.size())) {
      if (o.kind() == Operand.Kind.FUNCTION) {
        throw error(source, "function " + o.text() + " used as an argument; wrap it in parentheses is not supported");
      }
      args.add(value(o, dot));
    }
    if (piped != null) {
      args.add(piped);
    }
    return call(head.text(), args);
  }

  private JsonNode value(Operand o, JsonNode dot) {
    return switch (o.kind()) {
      case STRING -> TextNode.valueOf(o.text());
      case NUMBER -> JsonNodeFactory.instance.numberNode(Long.parseLong(o.text()));
      case FIELD -> field(dot, o.fields());
      case FUNCTION -> throw new IllegalStateException(o.text());
    };
  }

  private JsonNode field(JsonNode dot, List<String> chain) {
    JsonNode cur = dot;
    for (int i = 0; i < chain.size(); i++) {
      String f = chain.get(i);
      if (cur == null || cur.isMissingNode() || cur.isNull()) {
        return MissingNode.getInstance();
      }
      if (!cur.isObject()) {
        throw error(source, "can't evaluate field " + f + " in type " + goType(cur));
      }
      JsonNode next = cur.get(f);
      if (next == null && strict && i == 0) {
        List<String> names = new ArrayList<>();
        cur.fieldNames().forEachRemaining(names::add);
        throw error(source, "can't evaluate field " + f + "; the fields are " + String.join(", ", names));
      }
      cur = next == null ? MissingNode.getInstance() : next;
    }
    return cur;
  }

  private JsonNode call(String fn, List<JsonNode> args) {
    switch (fn) {
      case "json" -> {
        arity(fn, args, 1);
        try {
          JsonNode v = args.get(0);
          return TextNode.valueOf(v.isMissingNode() ? "null" : Json.mapper().writeValueAsString(v));
        } catch (JsonProcessingException e) {
          throw new IllegalStateException(e);
        }
      }
      case "join" -> {
        arity(fn, args, 2);
        List<String> items = new ArrayList<>();
        args.get(0).forEach(n -> items.add(print(n)));
        return TextNode.valueOf(String.join(print(args.get(1)), items));
      }
      case "split" -> {
        arity(fn, args, 2);
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (String s : print(args.get(0)).split(java.util.regex.Pattern.quote(print(args.get(1))), -1)) {
          a.add(s);
        }
        return a;
      }
      case "upper" -> {
        arity(fn, args, 1);
        return TextNode.valueOf(print(args.get(0)).toUpperCase(Locale.ROOT));
      }
      case "lower" -> {
        arity(fn, args, 1);
        return TextNode.valueOf(print(args.get(0)).toLowerCase(Locale.ROOT));
      }
      case "title" -> {
        arity(fn, args, 1);
        String s = print(args.get(0));
        return TextNode.valueOf(s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1));
      }
      case "len" -> {
        arity(fn, args, 1);
        JsonNode v = args.get(0);
        return JsonNodeFactory.instance.numberNode(v.isTextual() ? v.asText().length() : v.size());
      }
      case "truncate" -> {
        arity(fn, args, 2);
        String s = print(args.get(0));
        int n = args.get(1).asInt();
        return TextNode.valueOf(s.length() > n ? s.substring(0, n) : s);
      }
      case "pad" -> {
        arity(fn, args, 3);
        return TextNode.valueOf(" ".repeat(args.get(1).asInt()) + print(args.get(0))
            + " ".repeat(args.get(2).asInt()));
      }
      case "println" -> {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
          b.append(i > 0 ? " " : "").append(print(args.get(i)));
        }
        return TextNode.valueOf(b.append('\n').toString());
      }
      case "index" -> {
        if (args.size() < 2) {
          throw error(source, "wrong number of args for index: want at least 2 got " + args.size());
        }
        JsonNode cur = args.get(0);
        for (JsonNode key : args.subList(1, args.size())) {
          if (cur.isArray() && key.isNumber()) {
            int k = key.asInt();
            if (k < 0 || k >= cur.size()) {
              throw error(source, "error calling index: index out of range: " + k);
            }
            cur = cur.get(k);
          } else if (cur.isObject()) {
            JsonNode next = cur.get(key.asText());
            cur = next == null ? MissingNode.getInstance() : next;
          } else if (cur.isMissingNode() || cur.isNull()) {
            return MissingNode.getInstance();
          } else {
            throw error(source, "error calling index: can't index item of type " + goType(cur));
          }
        }
        return cur;
      }
      default -> throw new IllegalStateException(fn);
    }
  }

  private void arity(String fn, List<JsonNode> args, int want) {
    if (args.size() != want) {
      throw error(source, "wrong number of args for " + fn + ": want " + want + " got " + args.size());
    }
  }

  /** A value as Go's template prints it. */
  static String print(JsonNode v) {
    if (v == null || v.isMissingNode()) {
      return "<no value>";
    }
    if (v.isNull() || v instanceof NullNode) {
      return "<nil>";
    }
    if (v.isValueNode()) {
      return v.asText();
    }
    StringBuilder b = new StringBuilder();
    if (v.isArray()) {
      b.append('[');
      for (int i = 0; i < v.size(); i++) {
        b.append(i > 0 ? " " : "").append(print(v.get(i)));
      }
      return b.append(']').toString();
    }
    Map<String, JsonNode> sorted = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      sorted.put(e.getKey(), e.getValue());
    }
    b.append("map[");
    boolean first = true;
    for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
      b.append(first ? "" : " ").append(e.getKey()).append(':').append(print(e.getValue()));
      first = false;
    }
    return b.append(']').toString();
  }

  private static String goType(JsonNode v) {
    return v.isTextual() ? "string" : v.isNumber() ? "int" : v.isBoolean() ? "bool" : v.isArray() ? "slice" : "map";
  }

  private static UsageException error(String source, String what) {
    return new UsageException("template error in --format \"" + source + "\": " + what);
  }
}
