package io.jswarm.transport.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Writes a {@link Metrics} registry in the Prometheus text exposition format 0.0.4: per base name one
 * {@code # HELP} and {@code # TYPE} line, then its series. Counters (and meters) are {@code counter}, gauges
 * {@code gauge} (booleans as 0/1; a gauge that is not a number is left out), {@link BucketHistogram}s
 * {@code histogram} with cumulative {@code _bucket{le=...}}, {@code _sum} and {@code _count}. Other Dropwizard
 * types are not used by jswarm and are left out.
 */
public final class PrometheusText {
  /** The {@code Content-Type} of this format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  private PrometheusText() {}

  static boolean isValidName(String name) {
    return NAME.matcher(name).matches();
  }

  /** Runs the registry's before-scrape hooks, then writes every series. */
  public static void write(Metrics metrics, Writer out) throws IOException {
    metrics.runBeforeScrape();
    SortedMap<String, List<Map.Entry<String, Metric>>> byName = new TreeMap<>();
    for (Map.Entry<String, Metric> e : metrics.registry().getMetrics().entrySet()) {
      String key = e.getKey();
      int brace = key.indexOf('{');
      byName.computeIfAbsent(brace < 0 ? key : key.substring(0, brace), k -> new ArrayList<>()).add(e);
    }
    for (Map.Entry<String, List<Map.Entry<String, Metric>>> group : byName.entrySet()) {
      String name = group.getKey();
      String type = type(group.getValue().get(0).getValue());
      if (type == null) {
        continue;
      }
      String help = metrics.help(name);
      if (help != null) {
        out.write("# HELP " + name + " " + help.replace("\\", "\\\\").replace("\n", "\\n") + "\n");
      }
      out.write("# TYPE " + name + " " + type + "\n");
      for (Map.Entry<String, Metric> e : group.getValue()) {
        String labels = e.getKey().substring(name.length());
        Metric m = e.getValue();
        if (!type.equals(type(m))) {
          continue; // one base name, one type
        }
        if (m instanceof Counter c) {
          sample(out, name, labels, c.getCount());
        } else if (m instanceof Meter mt) {
          sample(out, name, labels, mt.getCount());
        } else if (m instanceof Gauge<?> g) {
          Object v = g.getValue();
          if (v instanceof Number n) {
            sample(out, name, labels, n);
          } else if (v instanceof Boolean b) {
            sample(out, name, labels, b ? 1 : 0);
          }
        } else if (m instanceof BucketHistogram h) {
          histogram(out, name, labels, h);
        }
      }
    }
  }

  private static String type(Metric m) {
    if (m instanceof Counter || m instanceof Meter) {
      return "counter";
    }
    if (m instanceof Gauge<?>) {
      return "gauge";
    }
    if (m instanceof BucketHistogram) {
      return "histogram";
    }
    return null;
  }

  private static void histogram(Writer out, String name, String labels, BucketHistogram h) throws IOException {
    double[] bounds = h.bounds();
    long[] cumulative = h.cumulative();
    String inner = labels.isEmpty() ? "" : labels.substring(1, labels.length() - 1) + ",";
    for (int i = 0; i < bounds.length; i++) {
      sample(out, name + "_bucket", "{" + inner + "le=\"" + format(bounds[i]) + "\"}", cumulative[i]);
    }
    long count = cumulative[cumulative.length - 1];
    sample(out, name + "_bucket", "{" + inner + "le=\"+Inf\"}", count);
    sample(out, name + "_sum", labels, h.sum());
    sample(out, name + "_count", labels, count);
  }

  private static void sample(Writer out, String name, String labels, Number value) throws IOException {
    out.write(name);
    out.write(labels);
    out.write(' ');
    out.write(value instanceof Double || value instanceof Float ? format(value.doubleValue()) : value.toString());
    out.write('\n');
  }

  static String format(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }
}
