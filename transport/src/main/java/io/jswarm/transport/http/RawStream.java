package io.jswarm.transport.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a hijacked connection ({@link HijackedStream}): what the client sends is queued (at most
 * about {@link #MAX_QUEUED} reads; beyond that the connection is not read until the consumer catches up), what the
 * handler sends is written with the same back-pressure as a chunked stream.
 */
final class RawStream extends ChannelInboundHandlerAdapter implements HijackedStream {
  private static final Logger LOG = LoggerFactory.getLogger(RawStream.class);
  static final int MAX_QUEUED = 64;
  private static final byte[] END = new byte[0];

  private final Channel channel;
  private final Executor hookRunner;
  private final BlockingQueue<byte[]> input = new LinkedBlockingQueue<>();
  private final List<Runnable> closeHooks = new ArrayList<>();
  private boolean open = true;
  private volatile boolean inputEnded;

  RawStream(Channel channel, Executor hookRunner) {
    this.channel = channel;
    this.hookRunner = hookRunner;
    channel.closeFuture().addListener(f -> closed());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof ByteBuf b && b.isReadable() && !inputEnded) {
        input.offer(ByteBufUtil.getBytes(b));
        if (input.size() >= MAX_QUEUED) {
          channel.config().setAutoRead(false);
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      endInput();
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    synchronized (this) {
      notifyAll();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("hijacked connection {} failed: {}", channel.remoteAddress(), cause.toString());
    ctx.close();
  }

  private void endInput() {
    if (!inputEnded) {
      inputEnded = true;
      input.offer(END);
    }
  }

  @Override
  public byte[] read() throws InterruptedException {
    if (inputEnded && input.isEmpty()) {
      return null;
    }
    byte[] b = input.take();
    if (b == END) {
      input.offer(END); // later reads see the end too
      return null;
    }
    if (input.size() < MAX_QUEUED / 2 && !channel.config().isAutoRead()) {
      channel.config().setAutoRead(true);
    }
    return b;
  }

  @Override
  public boolean send(byte[] bytes) {
    synchronized (this) {
      if (!open) {
        return false;
      }
      if (bytes.length == 0) {
        return true;
      }
      if (!channel.eventLoop().inEventLoop()) {
        while (open && !channel.isWritable()) {
          try {
            wait(1000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        }
        if (!open) {
          return false;
        }
      }
      channel.writeAndFlush(Unpooled.wrappedBuffer(bytes));
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
      hooks = new ArrayList<>(closeHooks);
      closeHooks.clear();
    }
    channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    endInput();
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
    r.run();
  }

  @Override
  public synchronized boolean isOpen() {
    return open;
  }

  private void closed() {
    List<Runnable> hooks;
    synchronized (this) {
      endInput();
      if (!open) {
        return;
      }
      open = false;
      notifyAll();
      hooks = new ArrayList<>(closeHooks);
      closeHooks.clear();
    }
    try {
      hookRunner.execute(() -> run(hooks));
    } catch (RejectedExecutionException e) {
      run(hooks);
    }
  }

  private static void run(List<Runnable> hooks) {
    for (Runnable r : hooks) {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.warn("hijacked stream close hook failed", e);
      }
    }
  }
}
