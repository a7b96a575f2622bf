package io.jswarm.worker.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A download body with a read timeout: when no byte arrives for {@code timeout}, the stream is closed under the
 * blocked reader and its read fails with an IOException saying so. Java's HttpClient bounds only the time to the
 * response headers; a registry (or a manager posing as one) that sends headers and then stalls would otherwise
 * hold a pull, and the layer lock with it, for ever.
 */
final class StallGuard extends FilterInputStream {
  private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "image-download-watchdog");
    t.setDaemon(true);
    return t;
  });

  private final long timeoutNanos;
  private final String what;
  private final ScheduledFuture<?> check;
  private volatile long lastProgress = System.nanoTime();
  private volatile boolean stalled;

  StallGuard(InputStream in, Duration timeout, String what) {
    super(in);
    this.timeoutNanos = timeout.toNanos();
    this.what = what;
    long period = Math.max(10, timeout.toMillis() / 4);
    this.check = TIMER.scheduleWithFixedDelay(this::checkProgress, period, period, TimeUnit.MILLISECONDS);
  }

  private void checkProgress() {
    if (System.nanoTime() - lastProgress > timeoutNanos) {
      stalled = true;
      check.cancel(false);
      try {
        in.close();
      } catch (IOException e) {
        // closing is all we can do; the reader sees the stall
      }
    }
  }

  private IOException stallError() {
    long ms = timeoutNanos / 1_000_000;
    return new IOException(what + ": no data for " + (ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms")
        + "; the download was stopped (the registry stalled); pull again");
  }

  private int progressed(int n) throws IOException {
    if (stalled) { // a body closed under its reader reads as its end, or fails
      throw stallError();
    }
    if (n != 0) {
      lastProgress = System.nanoTime();
    }
    return n;
  }

  @Override
  public int read() throws IOException {
    try {
      return progressed(super.read());
    } catch (IOException e) {
      throw stalled ? stallError() : e;
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      return progressed(super.read(b, off, len));
    } catch (IOException e) {
      throw stalled ? stallError() : e;
    }
  }

  @Override
  public void close() throws IOException {
    check.cancel(false);
    super.close();
  }
}
