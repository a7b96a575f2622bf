package io.jswarm.manager.dispatcher;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.json.Json;
import io.jswarm.transport.http.StreamSink;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A stream sink that decodes each line as a {@link DispatcherMessage}, as an agent would; {@code services} messages
 * are kept apart ({@link #nextServices}).
 */
final class FakeSink implements StreamSink {
  private final BlockingQueue<DispatcherMessage> messages = new LinkedBlockingQueue<>();
  /** {@code services} messages (service discovery records) go here, apart from the others. */
  private final BlockingQueue<DispatcherMessage> services = new LinkedBlockingQueue<>();
  /** {@code dependencies} messages (secrets and configs) go here, apart from the others. */
  private final BlockingQueue<DispatcherMessage> dependencies = new LinkedBlockingQueue<>();
  /** The type of every message received, in order. */
  final List<String> types = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<Runnable> onClose = new ArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);

  @Override
  public synchronized boolean send(byte[] chunk) {
    if (closed.getCount() == 0) {
      return false;
    }
    String s = new String(chunk, StandardCharsets.UTF_8);
    if (!s.endsWith("\n")) {
      throw new AssertionError("a dispatcher message must end with a newline: " + s);
    }
    DispatcherMessage m = Json.fromString(s.trim(), DispatcherMessage.class);
    types.add(m.type);
    (DispatcherMessage.SERVICES.equals(m.type) ? services
        : DispatcherMessage.DEPENDENCIES.equals(m.type) ? dependencies : messages).add(m);
    return true;
  }

  @Override
  public void close() {
    List<Runnable> run;
    synchronized (this) {
      if (closed.getCount() == 0) {
        return;
      }
      closed.countDown();
      run = new ArrayList<>(onClose);
    }
    run.forEach(Runnable::run);
  }

  @Override
  public void onClose(Runnable r) {
    synchronized (this) {
      if (closed.getCount() != 0) {
        onClose.add(r);
        return;
      }
    }
    r.run();
  }

  @Override
  public boolean isOpen() {
    return closed.getCount() != 0;
  }

  /** The next message, waiting up to 5 s. */
  DispatcherMessage next() throws InterruptedException {
    DispatcherMessage m = messages.poll(5, TimeUnit.SECONDS);
    if (m == null) {
      throw new AssertionError("no dispatcher message within 5 s");
    }
    return m;
  }

  /** The next {@code services} message, waiting up to 5 s. */
  DispatcherMessage nextServices() throws InterruptedException {
    DispatcherMessage m = services.poll(5, TimeUnit.SECONDS);
    if (m == null) {
      throw new AssertionError("no services message within 5 s");
    }
    return m;
  }

  /** The next {@code dependencies} message, waiting up to 5 s. */
  DispatcherMessage nextDependencies() throws InterruptedException {
    DispatcherMessage m = dependencies.poll(5, TimeUnit.SECONDS);
    if (m == null) {
      throw new AssertionError("no dependencies message within 5 s");
    }
    return m;
  }

  /** {@code dependencies} messages already received and not taken. */
  int pendingDependencies() {
    return dependencies.size();
  }

  /** {@code services} messages already received and not taken. */
  int pendingServices() {
    return services.size();
  }

  boolean awaitClosed() throws InterruptedException {
    return closed.await(5, TimeUnit.SECONDS);
  }

  /** Messages already received and not taken. */
  int pending() {
    return messages.size();
  }
}
