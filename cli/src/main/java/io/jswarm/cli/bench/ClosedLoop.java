package io.jswarm.cli.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop load: N client threads, each running one operation after the other as fast as it is answered;
 * a warm-up, then a measured window. Latency is taken around each operation. The same loop drives the Raft store
 * and etcd in {@code bench raft}, so both see the same clients.
 */
public final class ClosedLoop {
  /** One operation of one client. Returns false when it did not take effect (a conflict): not counted. */
  public interface Op {
    boolean run(int client, long seq) throws Exception;
  }

  /** Operations per second over the window; p50, p99, max in ms; failed operations (exceptions) meanwhile. */
  public record Result(double perSecond, double p50, double p99, double max, long errors, String firstError) {}

  private ClosedLoop() {}

  public static Result run(int clients, int warmupSeconds, int seconds, Op op) throws InterruptedException {
    AtomicBoolean measuring = new AtomicBoolean(false);
    AtomicBoolean stop = new AtomicBoolean(false);
    AtomicLong errors = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    long[][] samples = new long[clients][];
    int[] counts = new int[clients];
    Thread[] threads = new Thread[clients];
    for (int i = 0; i < clients; i++) {
      int me = i;
      samples[i] = new long[1 << 12];
      threads[i] = new Thread(() -> {
        long n = 0;
        while (!stop.get()) {
          long t0 = System.nanoTime();
          boolean done;
          try {
            done = op.run(me, n++);
          } catch (InterruptedException e) {
            return;
          } catch (Exception e) {
            if (measuring.get()) {
              errors.incrementAndGet();
            }
            firstError.compareAndSet(null, e.toString());
            continue;
          }
          long dt = System.nanoTime() - t0;
          if (done && measuring.get()) {
            if (counts[me] == samples[me].length) {
              samples[me] = Arrays.copyOf(samples[me], counts[me] * 2);
            }
            samples[me][counts[me]++] = dt;
          }
        }
      }, "bench-client-" + i);
      threads[i].setDaemon(true);
      threads[i].start();
    }
    Thread.sleep(warmupSeconds * 1000L);
    measuring.set(true);
    long start = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    measuring.set(false);
    long elapsed = System.nanoTime() - start;
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    int total = Arrays.stream(counts).sum();
    long[] all = new long[total];
    int at = 0;
    for (int i = 0; i < clients; i++) {
      System.arraycopy(samples[i], 0, all, at, counts[i]);
      at += counts[i];
    }
    Arrays.sort(all);
    return new Result(total / (elapsed / 1e9), pct(all, 0.50), pct(all, 0.99),
        all.length == 0 ? 0 : all[all.length - 1] / 1e6, errors.get(), firstError.get());
  }

  /** The run with the median throughput. */
  public static Result median(List<Result> runs) {
    List<Result> sorted = new ArrayList<>(runs);
    sorted.sort(Comparator.comparingDouble(Result::perSecond));
    return sorted.get(sorted.size() / 2);
  }

  private static double pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))] / 1e6;
  }
}
