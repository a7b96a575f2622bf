package io.jswarm.transport.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a hijacked connection ({@link HijackedStream}): what the client sends is queued (at most
 * about {@link #MAX_QUEUED} reads; beyond that the connection is not read until the consumer catches up), what the
 * handler sends goes out through a {@link ChannelOutput}, with the same back-pressure as a chunked stream.
 */
final class RawStream extends ChannelInboundHandlerAdapter implements HijackedStream {
  private static final Logger LOG = LoggerFactory.getLogger(RawStream.class);
  static final int MAX_QUEUED = 64;
  private static final byte[] END = new byte[0];

  private final Channel channel;
  private final ChannelOutput output;
  private final BlockingQueue<byte[]> input = new LinkedBlockingQueue<>();
  private volatile boolean inputEnded;

  RawStream(Channel channel, Executor hookRunner) {
    this.channel = channel;
    this.output = ChannelOutput.raw(channel, hookRunner);
    channel.closeFuture().addListener(f -> endInput());
    output.onClose(this::endInput);
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
    output.writabilityChanged();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("hijacked connection {} failed: {}", channel.remoteAddress(), cause.toString());
    ctx.close();
  }

  private synchronized void endInput() {
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
    return output.send(bytes);
  }

  @Override
  public void close() {
    output.close();
  }

  @Override
  public void onClose(Runnable r) {
    output.onClose(r);
  }

  @Override
  public boolean isOpen() {
    return output.isOpen();
  }
}
