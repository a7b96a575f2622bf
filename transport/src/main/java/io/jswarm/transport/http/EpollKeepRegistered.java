package io.jswarm.transport.http;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Netty's epoll event loop, with its sockets kept in the epoll set for as long as they are registered.
 *
 * <p>Netty 4.2.18 (and 4.2.21, the newest when this was written) takes a socket out of the epoll set when its
 * interest set becomes empty (netty/netty#16689) but keeps believing it is in: the next interest, EPOLLOUT when a
 * write finds the socket buffer full, is an {@code EPOLL_CTL_MOD} that fails with ENOENT, and Netty closes the
 * connection with what it had not written yet. A half-closed connection gets there every time, because after the
 * peer's FIN Netty stops watching EPOLLIN and EPOLLRDHUP. Docker's hijacked stream is such a connection: the client
 * half-closes at once ({@code docker exec} without {@code -i}) and then reads megabytes; it lost their end.
 *
 * <p>Here an empty interest set is submitted as {@code EPOLLET} alone: the socket stays in the set, watched for
 * nothing but the errors and hang-ups the kernel always reports, edge-triggered so that these wake the loop once
 * per change rather than in a loop (which is what the removal in Netty avoids).
 */
final class EpollKeepRegistered implements IoHandler {
  private final IoHandler epoll;

  private EpollKeepRegistered(IoHandler epoll) {
    this.epoll = epoll;
  }

  /** Netty's {@link EpollIoHandler#newFactory()}, each handler wrapped. */
  static IoHandlerFactory newFactory() {
    IoHandlerFactory epoll = EpollIoHandler.newFactory();
    return new IoHandlerFactory() {
      @Override
      public IoHandler newHandler(ThreadAwareExecutor executor) {
        return new EpollKeepRegistered(epoll.newHandler(executor));
      }

      @Override
      public boolean isChangingThreadSupported() {
        return epoll.isChangingThreadSupported();
      }
    };
  }

  /** What is submitted for {@code ops}: never the empty set. */
  static IoOps nonEmpty(IoOps ops) {
    return ops instanceof EpollIoOps e && e.value() == EpollIoOps.NONE.value() ? EpollIoOps.EPOLLET : ops;
  }

  @Override
  public IoRegistration register(IoHandle handle) throws Exception {
    IoRegistration r = epoll.register(handle);
    return new IoRegistration() {
      @Override
      public <T> T attachment() {
        return r.attachment();
      }

      @Override
      public long submit(IoOps ops) {
        return r.submit(nonEmpty(ops));
      }

      @Override
      public boolean isValid() {
        return r.isValid();
      }

      @Override
      public boolean cancel() {
        return r.cancel();
      }
    };
  }

  @Override
  public void initialize() {
    epoll.initialize();
  }

  @Override
  public int run(IoHandlerContext context) {
    return epoll.run(context);
  }

  @Override
  public void prepareToDestroy() {
    epoll.prepareToDestroy();
  }

  @Override
  public void destroy() {
    epoll.destroy();
  }

  @Override
  public void wakeup() {
    epoll.wakeup();
  }

  @Override
  public boolean isCompatible(Class<? extends IoHandle> handleType) {
    return epoll.isCompatible(handleType);
  }
}
