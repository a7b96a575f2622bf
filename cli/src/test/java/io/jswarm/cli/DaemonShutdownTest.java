package io.jswarm.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** SIGTERM's close is bounded: a daemon whose lock a hung request holds does not keep the process alive. */
class DaemonShutdownTest {
  @Test
  void shutdownGivesUpOnADaemonStuckBehindItsLock() throws Exception {
    Object lock = new Object();
    Thread holder = new Thread(() -> {
      synchronized (lock) {
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    holder.setDaemon(true);
    holder.start();
    Thread.sleep(200);
    AutoCloseable stuck = () -> {
      synchronized (lock) { // what Daemon.close does while a hung init holds the daemon
        lock.notifyAll();
      }
    };
    long t0 = System.nanoTime();
    assertFalse(DaemonCommand.closeWithin(stuck, Duration.ofMillis(500)));
    assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "the bounded close returned");
    holder.interrupt();
    assertTrue(DaemonCommand.closeWithin(() -> { }, Duration.ofSeconds(10)), "a daemon that closes is waited for");
  }
}
