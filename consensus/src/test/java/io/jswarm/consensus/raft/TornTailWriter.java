package io.jswarm.consensus.raft;

import io.jswarm.api.types.Secret;
import io.jswarm.consensus.store.IdGenerator;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;

/**
 * Child process of {@link TornTailTest}: starts the single-member store at {@code args[0]} and writes secrets with
 * 160 KiB labels from 4 threads (so appends span many pages) until killed, printing {@code ACK n} after each committed write.
 */
public final class TornTailWriter {
  private TornTailWriter() {}

  public static void main(String[] args) throws Exception {
    RaftConfig cfg = RaftConfig.builder("m1", args[1], Path.of(args[0])).peer("m1", args[1]).build();
    RaftStore s = RaftStore.start(cfg, Clock.systemUTC(), IdGenerator.secure());
    String big = "x".repeat(160 << 10); // larger than Ratis' write buffer: one entry takes several write() calls
    java.util.concurrent.atomic.AtomicInteger acked = new java.util.concurrent.atomic.AtomicInteger();
    for (int t = 0; t < 4; t++) {
      String prefix = args[2] + "-t" + t + "-";
      Thread w = new Thread(() -> {
        for (int i = 1; ; i++) {
          Secret sec = new Secret();
          sec.spec = new Secret.Spec();
          sec.spec.name = prefix + i;
          sec.spec.labels = new HashMap<>();
          sec.spec.labels.put("pad", big);
          s.store().update(tx -> tx.secrets().create(sec).id);
          synchronized (System.out) {
            System.out.println("ACK " + acked.incrementAndGet());
            System.out.flush();
          }
        }
      });
      w.start();
    }
    Thread.currentThread().join();
  }
}
