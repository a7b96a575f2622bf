package io.jswarm.transport.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The daemon's metrics: one Dropwizard {@link MetricRegistry}, made by the daemon and handed to each component
 * that counts something (never a static). Metric names follow Prometheus conventions and carry their labels in
 * the registry key, {@code jswarm_api_requests_total{method="GET",route="/services",status="200"}}, so that
 * {@link PrometheusText} can write the registry as it is. Each base name has one help text.
 *
 * <p>Counters and histograms are looked up by key and shared: a component restarted (a manager role that stops
 * and starts with leadership) keeps counting on the same series. Gauges are replaced when registered again,
 * since they read the object that registered them.
 */
public final class Metrics {
  /** Latency buckets, in seconds: 1 ms to 10 s. */
  public static final double[] SECONDS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  /** Size buckets (items in a batch). */
  public static final double[] SIZES = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000};

  private final MetricRegistry registry = new MetricRegistry();
  private final Map<String, String> help = new ConcurrentHashMap<>();
  private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();

  /** The counter {@code name} with these labels ({@code key, value, key, value ...}), made on first use. */
  public Counter counter(String name, String helpText, String... labels) {
    describe(name, helpText);
    return registry.counter(key(name, labels));
  }

  /** The histogram {@code name} with these buckets and labels, made on first use. */
  public BucketHistogram histogram(String name, String helpText, double[] buckets, String... labels) {
    describe(name, helpText);
    String key = key(name, labels);
    Metric m = registry.getMetrics().get(key);
    if (m instanceof BucketHistogram h) {
      return h;
    }
    synchronized (this) {
      m = registry.getMetrics().get(key);
      if (m instanceof BucketHistogram h) {
        return h;
      }
      return registry.register(key, new BucketHistogram(buckets));
    }
  }

  /** Registers (or replaces) the gauge {@code name} with these labels, read at every scrape. */
  public synchronized void gauge(String name, String helpText, Supplier<? extends Number> value, String... labels) {
    describe(name, helpText);
    String key = key(name, labels);
    registry.remove(key);
    registry.register(key, (Gauge<Number>) value::get);
  }

  /** Removes every series of base name {@code name}, with or without labels. */
  public synchronized void removeAll(String name) {
    registry.removeMatching((k, m) -> k.equals(name) || k.startsWith(name + "{"));
  }

  /** Runs {@code r} before each scrape (to refresh gauges computed together, such as counts from the store). */
  public void beforeScrape(Runnable r) {
    beforeScrape.add(r);
  }

  /** Stops running a hook added by {@link #beforeScrape}. */
  public void removeBeforeScrape(Runnable r) {
    beforeScrape.remove(r);
  }

  void runBeforeScrape() {
    for (Runnable r : beforeScrape) {
      r.run();
    }
  }

  public MetricRegistry registry() {
    return registry;
  }

  /** The help text of a base name, or null. */
  public String help(String name) {
    return help.get(name);
  }

  private void describe(String name, String helpText) {
    if (!PrometheusText.isValidName(name)) {
      throw new IllegalArgumentException("not a Prometheus metric name: " + name);
    }
    help.putIfAbsent(name, helpText);
  }

  /** {@code name{k1="v1",k2="v2"}} with the values escaped as the text format asks; {@code name} alone without labels. */
  public static String key(String name, String... labels) {
    if (labels.length % 2 != 0) {
      throw new IllegalArgumentException("labels come in key, value pairs: " + List.of(labels));
    }
    if (labels.length == 0) {
      return name;
    }
    StringBuilder b = new StringBuilder(name).append('{');
    for (int i = 0; i < labels.length; i += 2) {
      if (i > 0) {
        b.append(',');
      }
      b.append(labels[i]).append("=\"").append(escape(labels[i + 1] == null ? "" : labels[i + 1])).append('"');
    }
    return b.append('}').toString();
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
