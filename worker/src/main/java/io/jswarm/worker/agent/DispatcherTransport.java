package io.jswarm.worker.agent;

import io.jswarm.api.dispatcher.DispatcherMessage;
import io.jswarm.api.dispatcher.HeartbeatRequest;
import io.jswarm.api.dispatcher.HeartbeatResponse;
import io.jswarm.api.dispatcher.SessionRequest;
import io.jswarm.api.dispatcher.StatusRequest;
import io.jswarm.api.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * How the agent reaches a manager's dispatcher ({@code docs/control-plane.md}). Managers are named by their
 * cluster address ({@code host:port}); the node itself is named by the transport's client certificate.
 * {@link NettyDispatcherTransport} is the daemon's (and the hollow nodes'); the tests have one on the JDK's HTTP
 * client and plug in their own.
 */
public interface DispatcherTransport {
  /** Timeout for connecting, heartbeats and status reports (not for the long-lived session stream). */
  Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** The error for a manager's non-2xx answer to {@code path}: its Docker-style {@code message}, or the raw text. */
  static IOException refused(String managerAddr, String path, int status, byte[] body) {
    String message = new String(body, StandardCharsets.UTF_8).trim();
    try {
      Object m = Json.fromBytes(body, Map.class).get("message");
      if (m != null) {
        message = m.toString();
      }
    } catch (RuntimeException notJson) {
      // keep the raw text
    }
    return new IOException("manager " + managerAddr + " answered " + status + " to " + path + ": " + message);
  }

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

  /**
   * Makes one short call to {@code managerAddr} ({@code GET /dispatcher/leader}) on a connection of its own, and
   * closes it: all it is for is the TLS session the client keeps for that manager, so that a later session open there
   * (after a leader change) resumes it instead of paying a full handshake ({@link TlsWarmup}). Transports without TLS
   * sessions to keep (the tests' plain HTTP) do nothing.
   *
   * @return whether the call was made; false when the transport has nothing to keep or, with shared handshake
   *     slots, none was free (session opens go first)
   * @throws IOException the manager cannot be reached or refused
   */
  default boolean warm(String managerAddr) throws IOException {
    return false;
  }

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
