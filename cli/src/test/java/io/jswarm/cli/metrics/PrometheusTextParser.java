package io.jswarm.cli.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text format 0.0.4, for tests: every line is a comment, {@code # HELP},
 * {@code # TYPE} or a sample; names and labels are valid; a family's TYPE comes before its samples and at most
 * once; a series appears once; histogram buckets are cumulative with {@code le="+Inf"} equal to {@code _count}.
 * Throws {@link IllegalArgumentException} naming the line otherwise.
 */
public final class PrometheusTextParser {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");
  private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

  /** One sample: name, labels in order, value. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  /** A parsed exposition: types by family and samples in order. */
  public record Exposition(Map<String, String> types, List<Sample> samples) {
    /** The value of the one series with this name and exactly these labels ({@code k, v, ...}), or NaN. */
    public double value(String name, String... labels) {
      Map<String, String> want = new LinkedHashMap<>();
      for (int i = 0; i < labels.length; i += 2) {
        want.put(labels[i], labels[i + 1]);
      }
      for (Sample s : samples) {
        if (s.name.equals(name) && s.labels.equals(want)) {
          return s.value;
        }
      }
      return Double.NaN;
    }

    /** The sum over every series of {@code name} whose labels include these. */
    public double sum(String name, String... labels) {
      double total = 0;
      for (Sample s : samples) {
        boolean match = s.name.equals(name);
        for (int i = 0; match && i < labels.length; i += 2) {
          match = labels[i + 1].equals(s.labels.get(labels[i]));
        }
        if (match) {
          total += s.value;
        }
      }
      return total;
    }
  }

  private PrometheusTextParser() {}

  public static Exposition parse(String text) {
    Map<String, String> types = new LinkedHashMap<>();
    Set<String> helped = new HashSet<>();
    Set<String> sampled = new HashSet<>();
    Set<String> series = new HashSet<>();
    List<Sample> samples = new ArrayList<>();
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new IllegalArgumentException("the exposition must end with a newline");
    }
    int n = 0;
    for (String line : text.split("\n", -1)) {
      n++;
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        String[] p = line.split(" ", 4);
        if (p.length >= 3 && (p[1].equals("HELP") || p[1].equals("TYPE"))) {
          check(NAME.matcher(p[2]).matches(), n, "bad metric name " + p[2]);
          if (p[1].equals("TYPE")) {
            check(p.length == 4 && TYPES.contains(p[3]), n, "bad type: " + line);
            check(!types.containsKey(p[2]), n, "second TYPE for " + p[2]);
            check(!sampled.contains(p[2]), n, "TYPE after samples of " + p[2]);
            types.put(p[2], p[3]);
          } else {
            check(helped.add(p[2]), n, "second HELP for " + p[2]);
          }
        }
        continue;
      }
      Sample s = sample(line, n);
      check(series.add(s.name + s.labels), n, "duplicate series " + s.name + s.labels);
      sampled.add(family(s.name, types));
      samples.add(s);
    }
    checkHistograms(types, samples);
    return new Exposition(types, samples);
  }

  private static Sample sample(String line, int n) {
    Matcher m = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)( -?\\d+)?$").matcher(line);
    check(m.matches(), n, "not a sample line: " + line);
    Map<String, String> labels = new LinkedHashMap<>();
    if (m.group(3) != null && !m.group(3).isEmpty()) {
      String rest = m.group(3);
      Matcher l = LABEL.matcher(rest);
      int at = 0;
      while (at < rest.length()) {
        check(l.find(at) && l.start() == at, n, "bad labels: " + rest);
        check(labels.put(l.group(1), l.group(2)) == null, n, "label twice: " + l.group(1));
        at = l.end();
        if (at < rest.length()) {
          check(rest.charAt(at) == ',', n, "labels must be separated by commas: " + rest);
          at++;
        }
      }
    }
    return new Sample(m.group(1), labels, value(m.group(4), n));
  }

  private static double value(String v, int n) {
    switch (v) {
      case "+Inf": return Double.POSITIVE_INFINITY;
      case "-Inf": return Double.NEGATIVE_INFINITY;
      case "NaN": return Double.NaN;
      default:
        try {
          return Double.parseDouble(v);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("line " + n + ": bad value " + v);
        }
    }
  }

  private static String family(String sample, Map<String, String> types) {
    for (String suffix : List.of("_bucket", "_sum", "_count")) {
      if (sample.endsWith(suffix)) {
        String base = sample.substring(0, sample.length() - suffix.length());
        if ("histogram".equals(types.get(base)) || "summary".equals(types.get(base))) {
          return base;
        }
      }
    }
    return sample;
  }

  private static void checkHistograms(Map<String, String> types, List<Sample> samples) {
    Map<String, Double> last = new HashMap<>();
    Map<String, Double> inf = new HashMap<>();
    for (Sample s : samples) {
      String fam = family(s.name, types);
      if (!"histogram".equals(types.get(fam))) {
        continue;
      }
      Map<String, String> rest = new LinkedHashMap<>(s.labels);
      String le = rest.remove("le");
      String key = fam + rest;
      if (s.name.endsWith("_bucket")) {
        if (le == null) {
          throw new IllegalArgumentException(s.name + ": a bucket without le");
        }
        Double prev = last.get(key);
        if (prev != null && s.value < prev) {
          throw new IllegalArgumentException(key + ": buckets are not cumulative at le=" + le);
        }
        last.put(key, s.value);
        if (le.equals("+Inf")) {
          inf.put(key, s.value);
        }
      } else if (s.name.endsWith("_count")) {
        if (!Double.valueOf(s.value).equals(inf.get(key))) {
          throw new IllegalArgumentException(key + ": _count " + s.value + " differs from the +Inf bucket " + inf.get(key));
        }
      }
    }
  }

  private static void check(boolean ok, int line, String what) {
    if (!ok) {
      throw new IllegalArgumentException("line " + line + ": " + what);
    }
  }
}
