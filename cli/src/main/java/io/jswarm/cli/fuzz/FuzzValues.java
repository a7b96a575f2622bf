package io.jswarm.cli.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * The values the API fuzzer sends: strings (empty, huge, unicode, control characters, path tricks), numbers at
 * and past every integer range, wrong JSON kinds, nulls, deep nesting, and mutations of a valid body that put one
 * of those where a field was. Everything comes from one seeded {@link Random}, so a failing case reproduces.
 */
final class FuzzValues {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String[] TRICKY = {"", " ", "null", "true", "0", "-1", "..", "../../etc/passwd", "%00", "%zz",
      "a/b", "/", "\\", "\u0000", "\u00e9\u4e2d\ud83d\ude00", "\ud800", "{}", "[]", "{\"a\":", "*", "?", "#", "&",
      "=", "+", "%", "\r\nX-Injected: 1", "web", "node.role==manager", "node.labels.x!=y", "2375", "1.41", "-",
      "9223372036854775808", "1e400", "NaN"};
  private static final String[] NUMBERS = {"0", "-1", "1", "2147483647", "2147483648", "-2147483649",
      "9223372036854775807", "9223372036854775808", "-9223372036854775809", "99999999999", "1e308", "1e400",
      "-0", "0.5", "1E2", "18446744073709551616", "123456789012345678901234567890"};

  private final Random r;

  FuzzValues(Random r) {
    this.r = r;
  }

  Random random() {
    return r;
  }

  boolean chance(int percent) {
    return r.nextInt(100) < percent;
  }

  <T> T pick(List<T> from) {
    return from.get(r.nextInt(from.size()));
  }

  /** A short token of letters and digits. */
  String token() {
    int n = 1 + r.nextInt(12);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append("abcdefghijklmnopqrstuvwxyz0123456789-_.".charAt(r.nextInt(39)));
    }
    return sb.toString();
  }

  /** A string of any kind: tricky, a token, a number as text, huge, or random code points. */
  String string() {
    switch (r.nextInt(8)) {
      case 0, 1:
        return TRICKY[r.nextInt(TRICKY.length)];
      case 2, 3:
        return token();
      case 4:
        return NUMBERS[r.nextInt(NUMBERS.length)];
      case 5:
        return "x".repeat(chance(20) ? 200_000 + r.nextInt(800_000) : 1_000 + r.nextInt(20_000));
      default:
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(40);
        for (int i = 0; i < n; i++) {
          sb.appendCodePoint(r.nextInt(0x2FFF));
        }
        return sb.toString();
    }
  }

  /** A number at or past an integer range, as JSON. */
  JsonNode number() {
    switch (r.nextInt(6)) {
      case 0:
        return F.numberNode(r.nextLong());
      case 1:
        return F.numberNode(r.nextInt(100) - 10);
      case 2:
        return F.numberNode(new BigDecimal(NUMBERS[r.nextInt(NUMBERS.length)]));
      case 3:
        return F.numberNode(new BigInteger(100, r).negate());
      case 4:
        return F.numberNode(r.nextDouble() * 1e300 * (r.nextBoolean() ? 1 : -1));
      default:
        return F.numberNode(99_999_999_999L);
    }
  }

  /** Any JSON value: scalars of every kind, small containers, deep nesting. */
  JsonNode any(int depth) {
    int k = r.nextInt(depth > 3 ? 5 : 9);
    switch (k) {
      case 0:
        return F.nullNode();
      case 1:
        return F.booleanNode(r.nextBoolean());
      case 2:
        return number();
      case 3, 4:
        return F.textNode(string());
      case 5: {
        ArrayNode a = F.arrayNode();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          a.add(any(depth + 1));
        }
        return a;
      }
      case 6: {
        ObjectNode o = F.objectNode();
        int n = r.nextInt(4);
        for (int i = 0; i < n; i++) {
          o.set(chance(50) ? capitalized() : string(), any(depth + 1));
        }
        return o;
      }
      case 7:
        return deep(chance(50) ? 50 + r.nextInt(200) : 600 + r.nextInt(250), r.nextBoolean()); // deeper: raw text
      default:
        return F.objectNode();
    }
  }

  /** {@code [[[...]]]} or {@code {"a":{"a":...}}} {@code depth} levels deep. */
  JsonNode deep(int depth, boolean arrays) {
    JsonNode n = F.numberNode(1);
    for (int i = 0; i < depth; i++) {
      if (arrays) {
        n = F.arrayNode().add(n);
      } else {
        ObjectNode o = F.objectNode();
        o.set("A", n);
        n = o;
      }
    }
    return n;
  }

  private String capitalized() {
    String[] names = {"Name", "Labels", "Spec", "Mode", "Replicas", "Image", "Role", "Availability", "Driver",
        "Options", "IPAM", "Config", "Data", "TaskTemplate", "ContainerSpec", "Ports", "Networks", "ID", "Version"};
    return names[r.nextInt(names.length)];
  }

  /** {@code seed} with 1-3 of its values (or members) replaced by {@link #any}, removed, or added to. */
  JsonNode mutate(JsonNode seed) {
    JsonNode root = seed.deepCopy();
    int n = 1 + r.nextInt(3);
    for (int i = 0; i < n; i++) {
      List<JsonNode> containers = new ArrayList<>();
      collect(root, containers, 0);
      JsonNode c = pick(containers);
      if (c instanceof ObjectNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        if (names.isEmpty() || chance(15)) {
          o.set(chance(50) ? capitalized() : string(), any(0));
        } else if (chance(10)) {
          o.remove(pick(names));
        } else {
          o.set(pick(names), any(0));
        }
      } else if (c instanceof ArrayNode a) {
        if (a.isEmpty() || chance(20)) {
          a.add(any(0));
        } else {
          a.set(r.nextInt(a.size()), any(0));
        }
      }
    }
    return root;
  }

  /** Containers down to depth 20 (a JSON encoder writes at most 1000 levels; deep values are 900 at most). */
  private static void collect(JsonNode n, List<JsonNode> out, int depth) {
    if (n.isContainerNode() && depth < 20) {
      out.add(n);
      for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
        collect(it.next(), out, depth + 1);
      }
    }
  }
}
