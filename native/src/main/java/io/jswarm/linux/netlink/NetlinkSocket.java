package io.jswarm.linux.netlink;

import com.sun.jna.Memory;
import io.jswarm.linux.Errno;
import io.jswarm.linux.LinuxException;
import io.jswarm.linux.Libc;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A NETLINK_ROUTE socket: sends one request at a time and collects its answer (an ACK, an error carrying the
 * kernel's errno and extended-ack text, or the messages of a dump). The socket belongs to the network namespace
 * of the thread that created it, for its whole life. Not thread-safe; {@link Rtnetlink} serialises calls.
 */
final class NetlinkSocket implements AutoCloseable {
  static final int AF_NETLINK = 16;
  static final int SOCK_RAW = 3;
  static final int SOCK_CLOEXEC = 0x80000;
  static final int NETLINK_ROUTE = 0;
  static final int SOL_SOCKET = 1;
  static final int SO_RCVBUF = 8;
  static final int SO_SNDBUF = 7;
  static final int SO_RCVTIMEO = 20;
  static final int SOL_NETLINK = 270;
  static final int NETLINK_CAP_ACK = 10;
  static final int NETLINK_EXT_ACK = 11;

  static final int NLMSG_ERROR = 2;
  static final int NLMSG_DONE = 3;
  static final int NLM_F_REQUEST = 1;
  static final int NLM_F_MULTI = 2;
  static final int NLM_F_ACK = 4;
  static final int NLM_F_DUMP_INTR = 16;
  static final int NLM_F_DUMP = 0x300;
  static final int NLM_F_ACK_TLVS = 0x200;
  static final int NLMSGERR_ATTR_MSG = 1;

  private static final int BUFFER = 1 << 18;
  private static final int TIMEOUT_SECONDS = 10;

  private final int fd;
  private final Memory rx = new Memory(BUFFER);
  private int seq = (int) (System.nanoTime() & 0x3fffffff);
  private boolean closed;

  NetlinkSocket() {
    Libc c = Libc.INSTANCE;
    int s = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (s < 0) {
      throw new LinuxException("socket", "AF_NETLINK, NETLINK_ROUTE", Errno.last());
    }
    fd = s;
    try {
      Memory addr = new Memory(12);
      addr.clear();
      addr.setShort(0, (short) AF_NETLINK);
      if (c.bind(fd, addr, 12) != 0) {
        throw new LinuxException("bind", "netlink socket", Errno.last());
      }
      setInt(SOL_SOCKET, SO_RCVBUF, BUFFER, "SO_RCVBUF");
      setInt(SOL_SOCKET, SO_SNDBUF, 1 << 17, "SO_SNDBUF");
      setInt(SOL_NETLINK, NETLINK_CAP_ACK, 1, "NETLINK_CAP_ACK");
      setInt(SOL_NETLINK, NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK");
      Memory tv = new Memory(16);
      tv.clear();
      tv.setLong(0, TIMEOUT_SECONDS);
      if (c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16) != 0) {
        throw new LinuxException("setsockopt", "SO_RCVTIMEO", Errno.last());
      }
    } catch (RuntimeException e) {
      c.close(fd);
      throw e;
    }
  }

  private void setInt(int level, int opt, int value, String name) {
    Memory v = new Memory(4);
    v.setInt(0, value);
    if (Libc.INSTANCE.setsockopt(fd, level, opt, v, 4) != 0) {
      throw new LinuxException("setsockopt", name, Errno.last());
    }
  }

  /** Sends a request and waits for its ACK, returning the messages that came before it (a get's answer). */
  List<ByteBuffer> exchangeAnswers(NlMessage m, String op, String subject) {
    return exchange(m, op, subject, false);
  }

  /** Sends a request that changes something and waits for its ACK; a kernel error becomes a LinuxException. */
  void request(NlMessage m, String op, String subject) {
    exchange(m, op, subject, false);
  }

  /** Sends a dump request and returns every answer message (each a buffer positioned at its header). */
  List<ByteBuffer> dump(NlMessage m, String op) {
    return exchange(m, op, "dump", true);
  }

  private List<ByteBuffer> exchange(NlMessage m, String op, String subject, boolean dump) {
    if (closed) {
      throw new IllegalStateException("netlink socket is closed");
    }
    int mySeq = ++seq;
    byte[] out = m.bytes(mySeq);
    Memory tx = new Memory(out.length);
    tx.write(0, out, 0, out.length);
    Memory dst = new Memory(12);
    dst.clear();
    dst.setShort(0, (short) AF_NETLINK);
    long sent = Libc.INSTANCE.sendto(fd, tx, out.length, 0, dst, 12);
    if (sent < 0) {
      throw new LinuxException("sendto", "netlink " + op + " " + subject, Errno.last());
    }
    List<ByteBuffer> answers = new ArrayList<>();
    while (true) {
      long n = Libc.INSTANCE.recv(fd, rx, BUFFER, 0);
      if (n < 0) {
        int errno = Errno.last();
        if (errno == Errno.EINTR) {
          continue;
        }
        throw new LinuxException("recv", "netlink " + op + " " + subject
            + (errno == Errno.EAGAIN ? " (no answer within " + TIMEOUT_SECONDS + " s)" : ""), errno);
      }
      ByteBuffer b = rx.getByteBuffer(0, n).order(ByteOrder.nativeOrder());
      ByteBuffer copy = ByteBuffer.allocate((int) n).order(ByteOrder.nativeOrder());
      copy.put(b);
      int p = 0;
      while (p + 16 <= n) {
        int len = copy.getInt(p);
        int type = Short.toUnsignedInt(copy.getShort(p + 4));
        int flags = Short.toUnsignedInt(copy.getShort(p + 6));
        int rseq = copy.getInt(p + 8);
        if (len < 16 || p + len > n) {
          throw new IllegalStateException("netlink " + op + ": malformed answer (length " + len + ")");
        }
        if (rseq != mySeq) { // a late answer to an earlier request that timed out
          p += NlMessage.align(len);
          continue;
        }
        if (type == NLMSG_ERROR) {
          int error = copy.getInt(p + 16);
          if (error == 0) {
            if (!dump) {
              return answers;
            }
          } else {
            String ext = (flags & NLM_F_ACK_TLVS) != 0 ? extAck(copy, p, len) : null;
            throw new LinuxException("netlink " + op, ext == null ? subject : subject + ": " + ext, -error);
          }
        } else if (type == NLMSG_DONE) {
          if ((flags & NLM_F_DUMP_INTR) != 0) {
            throw new LinuxException("netlink " + op, "dump interrupted by a concurrent change; retry", Errno.EINTR);
          }
          return answers;
        } else {
          ByteBuffer one = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
          one.put(0, copy, p, len);
          answers.add(one);
        }
        p += NlMessage.align(len);
      }
    }
  }

  /** The NLMSGERR_ATTR_MSG text of an extended ACK: after the error code and the capped original header. */
  private static String extAck(ByteBuffer b, int p, int len) {
    int origLen = 16; // NETLINK_CAP_ACK: only the original header is echoed
    int from = p + 16 + 4 + origLen;
    NlAttrs a = NlAttrs.parse(b, from, p + len);
    return a.string(NLMSGERR_ATTR_MSG);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      Libc.INSTANCE.close(fd);
    }
  }
}
