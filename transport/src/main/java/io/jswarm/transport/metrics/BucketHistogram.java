package io.jswarm.transport.metrics;

import com.codahale.metrics.Metric;
import java.util.Arrays;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Prometheus histogram: fixed upper bounds, a count per bucket, the sum and the count of observations. Dropwizard's
 * own histograms keep a sample reservoir and give quantiles, which Prometheus cannot aggregate across managers;
 * this one is exact and costs a few adders. Thread-safe.
 */
public final class BucketHistogram implements Metric {
  private final double[] bounds;
  private final LongAdder[] counts;
  private final DoubleAdder sum = new DoubleAdder();

  public BucketHistogram(double[] bounds) {
    for (int i = 1; i < bounds.length; i++) {
      if (!(bounds[i] > bounds[i - 1])) {
        throw new IllegalArgumentException("bucket bounds must increase: " + Arrays.toString(bounds));
      }
    }
    this.bounds = bounds.clone();
    this.counts = new LongAdder[bounds.length + 1]; // the last: above every bound
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  public void observe(double value) {
    int i = Arrays.binarySearch(bounds, value);
    if (i < 0) {
      i = -i - 1;
    }
    counts[i].increment();
    sum.add(value);
  }

  /** Observes a duration given in nanoseconds, in seconds. */
  public void observeNanos(long nanos) {
    observe(nanos / 1e9);
  }

  double[] bounds() {
    return bounds.clone();
  }

  /** Observations at or under each bound, cumulative as Prometheus writes them; the last is +Inf (the count). */
  long[] cumulative() {
    long[] out = new long[counts.length];
    long running = 0;
    for (int i = 0; i < counts.length; i++) {
      running += counts[i].sum();
      out[i] = running;
    }
    return out;
  }

  public long count() {
    long c = 0;
    for (LongAdder a : counts) {
      c += a.sum();
    }
    return c;
  }

  public double sum() {
    return sum.sum();
  }
}
