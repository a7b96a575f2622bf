package io.jswarm.transport.http;

/**
 * The open body of a streaming response (chunked transfer encoding): a dispatcher session, {@code logs -f},
 * {@code /events}. Thread-safe; writes after the peer went away are dropped and return false.
 */
public interface StreamSink {
  /** Queues one chunk; false once the connection is closed. */
  boolean send(byte[] chunk);

  /** Ends the response (the last chunk). Idempotent. */
  void close();

  /** Runs {@code r} once when the peer disconnects or {@link #close} is called (at once if already closed). */
  void onClose(Runnable r);

  boolean isOpen();
}
