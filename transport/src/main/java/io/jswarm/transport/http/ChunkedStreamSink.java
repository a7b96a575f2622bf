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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StreamSink} writing chunks of a chunked HTTP response. Flow control: {@link #send} called off the event
 * loop waits while the connection's outbound buffer is above its high-water mark, so a slow reader slows the
 * writer down instead of filling memory.
 */
final class ChunkedStreamSink implements StreamSink {
  private static final Logger LOG = LoggerFactory.getLogger(ChunkedStreamSink.class);

  private final Channel channel;
  private final ChannelFutureListener onEnd;
  private final Executor hookRunner;
  private final List<Runnable> closeHooks = new ArrayList<>();
  private boolean open = true;

  /**
   * {@code onEnd} runs once the last chunk is written after {@link #close}; close hooks fired by a disconnect run
   * on {@code hookRunner}, never on the event loop.
   */
  ChunkedStreamSink(Channel channel, ChannelFutureListener onEnd, Executor hookRunner) {
    this.channel = channel;
    this.onEnd = onEnd;
    this.hookRunner = hookRunner;
    channel.closeFuture().addListener(f -> peerClosed());
  }

  @Override
  public boolean send(byte[] chunk) {
    synchronized (this) {
      if (!open) {
        return false;
      }
      if (chunk.length == 0) {
        return true; // an empty chunk would end the chunked body
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
      channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(chunk)));
      return true;
    }
  }

  @Override
  public void close() {
    List<Runnable> hooks;
    synchronized (this) {
      if (!open) {
        return;
      }
      open = false;
      notifyAll();
      channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(onEnd);
      hooks = drainHooks();
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
      if (!open) {
        return;
      }
      open = false;
      notifyAll();
      hooks = drainHooks();
    }
    if (!hooks.isEmpty()) {
      try {
        hookRunner.execute(() -> run(hooks));
      } catch (RejectedExecutionException e) {
        run(hooks); // the server is shutting down
      }
    }
  }

  private List<Runnable> drainHooks() {
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
