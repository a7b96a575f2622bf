package io.jswarm.worker.agent;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.HeartbeatRequest;
import io.jswarm.api.dispatcher.HeartbeatResponse;
import io.jswarm.api.dispatcher.SessionRequest;
import io.jswarm.api.dispatcher.StatusRequest;
import java.io.IOException;

/**
 * How the agent reaches a manager's dispatcher ({@code docs/control-plane.md}). Managers are named by their
 * cluster address ({@code host:port}); the node itself is named by the transport's client certificate.
 * {@link HttpDispatcherTransport} is the real one; tests plug in their own.
 */
public interface DispatcherTransport {
  /**
   * Opens a session ({@code POST /dispatcher/session}).
   *
   * @throws IOException the manager cannot be reached or refused (the message says why)
   */
  Session open(String managerAddr, SessionRequest request) throws IOException;

  /** {@code POST /dispatcher/heartbeat}; an unknown session is an {@link IOException} too: open a new one. */
  HeartbeatResponse heartbeat(String managerAddr, HeartbeatRequest request) throws IOException;

  /** {@code POST /dispatcher/status}. */
  void reportStatus(String managerAddr, StatusRequest request) throws IOException;

  /** An open session stream. */
  interface Session extends AutoCloseable {
    /**
     * The next message, waiting for it; null when the manager ended the stream.
     *
     * @throws IOException the connection broke, or {@link #close} was called meanwhile
     */
    DispatcherMessage next() throws IOException;

    /** Ends the session; a {@link #next} blocked in another thread returns or throws promptly. Idempotent. */
    @Override
    void close();
  }
}
