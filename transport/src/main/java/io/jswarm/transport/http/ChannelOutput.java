package io.jswarm.transport.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What handler threads write to one connection: the chunks of a streamed response ({@link #chunked}) or the raw
 * bytes of a hijacked connection ({@link #raw}, inside {@link RawStream}).
 *
 * <p>Flow control: {@link #send} called off the event loop waits while the connection's outbound buffer is above
 * its high-water mark, so a slow reader slows the writer down instead of filling memory; the connection's handler
 * calls {@link #writabilityChanged} to wake it. {@link #close} writes the end after everything sent before it. Close
 * hooks run once: on the thread that calls {@link #close}, or on the hook runner (never the event loop) when the
 * peer goes away first.
 */
final class ChannelOutput implements StreamSink {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelOutput.class);

  private final Channel channel;
  private final Function<byte[], Object> message;
  private final Object end;
  private final ChannelFutureListener onEnd;
  private final Executor hookRunner;
  private final List<Runnable> closeHooks = new ArrayList<>();
  private boolean open = true;

  private ChannelOutput(Channel channel, Function<byte[], Object> message, Object end, ChannelFutureListener onEnd,
      Executor hookRunner) {
    this.channel = channel;
    this.message = message;
    this.end = end;
    this.onEnd = onEnd;
    this.hookRunner = hookRunner;
    channel.closeFuture().addListener(f -> peerClosed());
  }

  /**
   * The body of a chunked response (the head is written by the caller); {@code onEnd} runs once the last chunk is
   * written after {@link #close}.
   */
  static ChannelOutput chunked(Channel channel, ChannelFutureListener onEnd, Executor hookRunner) {
    return new ChannelOutput(channel, b -> new DefaultHttpContent(Unpooled.copiedBuffer(b)),
        LastHttpContent.EMPTY_LAST_CONTENT, onEnd, hookRunner);
  }

  /** Raw bytes; {@link #close} closes the connection once they are written. */
  static ChannelOutput raw(Channel channel, Executor hookRunner) {
    return new ChannelOutput(channel, Unpooled::wrappedBuffer, Unpooled.EMPTY_BUFFER, ChannelFutureListener.CLOSE,
        hookRunner);
  }

  @Override
  public boolean send(byte[] bytes) {
    synchronized (this) {
      if (!open) {
        return false;
      }
      if (bytes.length == 0) {
        return true; // nothing to write (and an empty chunk would end a chunked body)
      }
      if (!channel.eventLoop().inEventLoop()) {
        while (open && !channel.isWritable()) {
          try {
            wait(1000); // woken by writabilityChanged or close; the timeout only guards a missed wake-up
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
        if (!open) {
          return false;
        }
      }
      channel.writeAndFlush(message.apply(bytes));
      return true;
    }
  }

  @Override
  public void close() {
    List<Runnable> hooks;
    synchronized (this) {
      hooks = markClosed();
      if (hooks == null) {
        return;
      }
      channel.writeAndFlush(end).addListener(onEnd);
    }
    run(hooks);
  }

  @Override
  public void onClose(Runnable r) {
    synchronized (this) {
      if (open) {
        closeHooks.add(r);
        return;
      }
    }
    run(List.of(r));
  }

  @Override
  public synchronized boolean isOpen() {
    return open;
  }

  /** The connection's writability changed: wake writers waiting in {@link #send}. */
  synchronized void writabilityChanged() {
    notifyAll();
  }

  private void peerClosed() {
    List<Runnable> hooks;
    synchronized (this) {
      hooks = markClosed();
    }
    if (hooks != null && !hooks.isEmpty()) {
      try {
        hookRunner.execute(() -> run(hooks));
      } catch (RejectedExecutionException e) {
        run(hooks); // the server is shutting down
      }
    }
  }

  /** Closes (the lock held): wakes waiting writers and hands over the hooks; null when it was closed already. */
  private List<Runnable> markClosed() {
    if (!open) {
      return null;
    }
    open = false;
    notifyAll();
    List<Runnable> hooks = new ArrayList<>(closeHooks);
    closeHooks.clear();
    return hooks;
  }

  private static void run(List<Runnable> hooks) {
    for (Runnable r : hooks) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("stream close hook failed", e);
      }
    }
  }
}
