package io.jswarm.worker.agent;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.HeartbeatRequest;
import io.jswarm.api.dispatcher.HeartbeatResponse;
import io.jswarm.api.dispatcher.SessionRequest;
import io.jswarm.api.dispatcher.StatusRequest;
import io.jswarm.api.types.Task;
import io.jswarm.api.types.TaskState;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A scripted dispatcher: each open hands the test a {@link FakeSession} to push messages into; heartbeats and
 * status reports are recorded. Tests wait on {@link #await}, which wakes on every call.
 */
final class FakeTransport implements DispatcherTransport {
  final BlockingQueue<FakeSession> opened = new LinkedBlockingQueue<>();
  final Set<String> unreachable = ConcurrentHashMap.newKeySet();
  /** Managers where nothing listens: their connections are refused ({@link java.net.ConnectException}). */
  final Set<String> refusing = ConcurrentHashMap.newKeySet();
  final Map<String, String> redirects = new ConcurrentHashMap<>();
  volatile boolean failHeartbeats;
  volatile long heartbeatPeriod = TimeUnit.HOURS.toNanos(1);
  /** What each heartbeat answers of the roots to trust. */
  volatile String rootsDigest;

  private final List<String> openedAddrs = new ArrayList<>();
  private final List<String> heartbeats = new ArrayList<>();
  private final List<StatusRequest> reports = new ArrayList<>();

  @Override
  public Session open(String managerAddr, SessionRequest request) throws IOException {
    record(() -> openedAddrs.add(managerAddr));
    if (unreachable.contains(managerAddr)) {
      throw new IOException("connection refused: " + managerAddr);
    }
    if (refusing.contains(managerAddr)) {
      throw new IOException("cannot reach manager " + managerAddr,
          new java.net.ConnectException("Connection refused: " + managerAddr));
    }
    FakeSession s = new FakeSession(managerAddr, request);
    String leader = redirects.get(managerAddr);
    if (leader != null) {
      s.push(DispatcherMessage.redirect(leader));
      s.end();
      return s;
    }
    opened.add(s);
    return s;
  }

  @Override
  public HeartbeatResponse heartbeat(String managerAddr, HeartbeatRequest request) throws IOException {
    record(() -> heartbeats.add(request.sessionId));
    if (failHeartbeats) {
      throw new IOException("manager " + managerAddr + " answered 409: session unknown");
    }
    return new HeartbeatResponse(heartbeatPeriod, rootsDigest);
  }

  @Override
  public void reportStatus(String managerAddr, StatusRequest request) {
    record(() -> reports.add(request));
  }

  private synchronized void record(Runnable r) {
    r.run();
    notifyAll();
  }

  /** Waits up to 5 s for {@code cond}, re-checked on every call into the transport and every 50 ms. */
  synchronized void await(String what, BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!cond.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("timed out waiting for " + what);
      }
      wait(Math.min(50, TimeUnit.NANOSECONDS.toMillis(left) + 1));
    }
  }

  FakeSession nextSession() throws InterruptedException {
    FakeSession s = opened.poll(5, TimeUnit.SECONDS);
    if (s == null) {
      throw new AssertionError("the agent opened no session within 5 s");
    }
    return s;
  }

  synchronized List<String> openedAddrs() {
    return new ArrayList<>(openedAddrs);
  }

  synchronized List<String> heartbeats() {
    return new ArrayList<>(heartbeats);
  }

  synchronized List<StatusRequest> reports() {
    return new ArrayList<>(reports);
  }

  /** Every status reported for {@code taskId}, in order. */
  synchronized List<Task.TaskStatus> statuses(String taskId) {
    List<Task.TaskStatus> out = new ArrayList<>();
    for (StatusRequest r : reports) {
      for (StatusRequest.Update u : r.updates) {
        if (u.taskId.equals(taskId)) {
          out.add(u.status);
        }
      }
    }
    return out;
  }

  /** The last status reported per task. */
  synchronized Map<String, Task.TaskStatus> latest() {
    Map<String, Task.TaskStatus> out = new HashMap<>();
    for (StatusRequest r : reports) {
      for (StatusRequest.Update u : r.updates) {
        out.put(u.taskId, u.status);
      }
    }
    return out;
  }

  /** Waits until {@code taskId}'s last reported state is {@code state}. */
  Task.TaskStatus awaitState(String taskId, TaskState state) throws InterruptedException {
    await(taskId + " " + state.json(), () -> {
      Task.TaskStatus s = latest().get(taskId);
      return s != null && s.state == state;
    });
    return latest().get(taskId);
  }

  /** One scripted session stream. */
  static final class FakeSession implements Session {
    private static final Object END = new Object();
    final String addr;
    final SessionRequest request;
    private final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    FakeSession(String addr, SessionRequest request) {
      this.addr = addr;
      this.request = request;
    }

    void push(DispatcherMessage m) {
      items.add(m);
    }

    /** The manager ends the stream. */
    void end() {
      items.add(END);
    }

    /** The connection breaks. */
    void fail() {
      items.add(new IOException("connection reset"));
    }

    boolean isClosed() {
      return closed;
    }

    @Override
    public DispatcherMessage next() throws IOException {
      Object o;
      try {
        o = items.take();
      } catch (InterruptedException e) {
        throw new InterruptedIOException("interrupted");
      }
      if (o == END) {
        items.add(END);
        return null;
      }
      if (o instanceof IOException e) {
        throw e;
      }
      return (DispatcherMessage) o;
    }

    @Override
    public void close() {
      closed = true;
      items.add(new IOException("session closed"));
    }
  }
}
