package io.jswarm.cli.daemon;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.HeartbeatRequest;
import io.jswarm.api.dispatcher.HeartbeatResponse;
import io.jswarm.api.dispatcher.SessionRequest;
import io.jswarm.api.dispatcher.StatusRequest;
import io.jswarm.api.errors.JswarmException;
import io.jswarm.api.json.Json;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import io.jswarm.transport.http.StreamSink;
import io.jswarm.transport.pki.PeerIdentity;
import io.jswarm.worker.agent.DispatcherTransport;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The agent's transport wired straight to managers' routers, no network: each "address" is a {@link Router}
 * with a dispatcher's routes, and every call carries the node's {@link PeerIdentity} as the TLS layer would.
 */
final class InMemoryDispatcherTransport implements DispatcherTransport {
  private final Map<String, Router> managers = new ConcurrentHashMap<>();
  private final PeerIdentity peer;

  InMemoryDispatcherTransport(String nodeId) {
    this.peer = new PeerIdentity(nodeId, PeerIdentity.WORKER_ROLE, null);
  }

  void addManager(String addr, Router router) {
    managers.put(addr, router);
  }

  /** The manager at {@code addr} stops answering (its process died). */
  void removeManager(String addr) {
    managers.remove(addr);
  }

  @Override
  public Session open(String managerAddr, SessionRequest request) throws IOException {
    HttpResponse r = call(managerAddr, "/dispatcher/session", request);
    if (!r.isStream()) {
      throw new IOException("manager " + managerAddr + " answered " + r.status + " without a stream");
    }
    Pipe pipe = new Pipe();
    r.streamer.accept(pipe);
    return pipe;
  }

  @Override
  public HeartbeatResponse heartbeat(String managerAddr, HeartbeatRequest request) throws IOException {
    return Json.fromBytes(call(managerAddr, "/dispatcher/heartbeat", request).body, HeartbeatResponse.class);
  }

  @Override
  public void reportStatus(String managerAddr, StatusRequest request) throws IOException {
    call(managerAddr, "/dispatcher/status", request);
  }

  private HttpResponse call(String addr, String path, Object body) throws IOException {
    Router router = managers.get(addr);
    if (router == null) {
      throw new IOException("connection refused: " + addr);
    }
    HttpRequest req = new HttpRequest("POST", path, Map.of(), Map.of(), Json.toBytes(body), Map.of(), peer);
    try {
      Router.Match m = router.match("POST", path);
      HttpResponse r = m.handler().handle(req.withPathParams(m.params()));
      if (r.status / 100 != 2) {
        throw new IOException("manager " + addr + " answered " + r.status);
      }
      return r;
    } catch (JswarmException e) {
      throw new IOException("manager " + addr + " answered " + e.httpStatus() + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    }
  }

  /** The response stream: the dispatcher writes lines into it, the agent reads them. */
  private static final class Pipe implements StreamSink, Session {
    private static final byte[] END = new byte[0];
    private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    private final List<Runnable> onClose = new ArrayList<>();
    private boolean closed;

    @Override
    public synchronized boolean send(byte[] chunk) {
      if (closed) {
        return false;
      }
      chunks.add(chunk);
      return true;
    }

    @Override
    public void close() {
      List<Runnable> run;
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        chunks.add(END);
        run = new ArrayList<>(onClose);
      }
      run.forEach(Runnable::run);
    }

    @Override
    public void onClose(Runnable r) {
      synchronized (this) {
        if (!closed) {
          onClose.add(r);
          return;
        }
      }
      r.run();
    }

    @Override
    public synchronized boolean isOpen() {
      return !closed;
    }

    @Override
    public DispatcherMessage next() throws IOException {
      byte[] chunk;
      try {
        chunk = chunks.take();
      } catch (InterruptedException e) {
        throw new InterruptedIOException("interrupted");
      }
      if (chunk == END) {
        chunks.add(END);
        return null;
      }
      return Json.fromString(new String(chunk, StandardCharsets.UTF_8).trim(), DispatcherMessage.class);
    }
  }
}
