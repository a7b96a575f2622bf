package io.jswarm.cli.cluster;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client on its own thread fetching {@code http://ADDRESS:PORT/} (a port published through the routing mesh)
 * every 20 ms until closed: how many requests were answered 200 and what each failed one got instead. Tests that
 * move tasks use it to show that a service kept answering the whole time.
 */
final class MeshProbe implements AutoCloseable {
  private final AtomicInteger answered = new AtomicInteger();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Thread thread;

  MeshProbe(String address, int port) {
    thread = new Thread(() -> {
      while (!stop.get()) {
        try {
          String r = MultiHostCluster.httpGet(address, port);
          if (r.startsWith("HTTP/1.0 200") || r.startsWith("HTTP/1.1 200")) {
            answered.incrementAndGet();
          } else {
            failures.add(r.lines().findFirst().orElse("(empty answer)"));
          }
          Thread.sleep(20);
        } catch (IOException e) {
          failures.add(e.toString());
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "mesh-probe");
    thread.start();
  }

  int answered() {
    return answered.get();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    thread.join();
  }
}
