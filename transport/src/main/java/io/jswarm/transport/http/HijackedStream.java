package io.jswarm.transport.http;

/**
 * A connection taken over after a {@code 101 UPGRADED} answer (Docker's hijacked stream, {@code Upgrade: tcp}): raw
 * bytes both ways, as {@code docker exec} and {@code attach} use it. Thread-safe.
 */
public interface HijackedStream {
  /** Writes {@code bytes}; waits while the client reads slower than this writes. False once the connection is gone. */
  boolean send(byte[] bytes);

  /**
   * The next bytes the client sent; waits for them. Null once the client closed its side (half-close: it will send
   * nothing more but may still read) or the connection is gone.
   */
  byte[] read() throws InterruptedException;

  /** Ends the stream: what was sent is flushed, then the connection is closed. Idempotent. */
  void close();

  /** Runs {@code r} once when the connection closes (at once if it already has). */
  void onClose(Runnable r);

  boolean isOpen();
}
