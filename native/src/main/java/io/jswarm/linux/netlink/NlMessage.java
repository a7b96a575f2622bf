package io.jswarm.linux.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Builds one netlink message: the 16-byte {@code nlmsghdr}, a fixed family header ({@code ifinfomsg},
 * {@code ifaddrmsg}, ...) and attributes ({@code rtattr}: length, type, value, padded to 4 bytes), nested ones
 * included. Integers are in host order unless the method says otherwise.
 */
final class NlMessage {
  private ByteBuffer buf = ByteBuffer.allocate(512).order(ByteOrder.nativeOrder());
  private final Deque<Integer> nests = new ArrayDeque<>();

  NlMessage(int type, int flags) {
    buf.putInt(0); // nlmsg_len, set in bytes()
    buf.putShort((short) type);
    buf.putShort((short) flags);
    buf.putInt(0); // seq, set by the socket
    buf.putInt(0); // pid: the kernel
  }

  NlMessage u8(int v) {
    ensure(1);
    buf.put((byte) v);
    return this;
  }

  NlMessage u16(int v) {
    ensure(2);
    buf.putShort((short) v);
    return this;
  }

  NlMessage u32(int v) {
    ensure(4);
    buf.putInt(v);
    return this;
  }

  NlMessage attr(int type, byte[] value) {
    int len = 4 + value.length;
    ensure(align(len));
    buf.putShort((short) len);
    buf.putShort((short) type);
    buf.put(value);
    pad();
    return this;
  }

  NlMessage attrU8(int type, int v) {
    return attr(type, new byte[] {(byte) v});
  }

  NlMessage attrU16(int type, int v) {
    return attr(type, ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) v).array());
  }

  /** A 16-bit value in network byte order (ports). */
  NlMessage attrBe16(int type, int v) {
    return attr(type, new byte[] {(byte) (v >> 8), (byte) v});
  }

  NlMessage attrU32(int type, int v) {
    return attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array());
  }

  /** A NUL-terminated string. */
  NlMessage attrString(int type, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return attr(type, Arrays.copyOf(b, b.length + 1));
  }

  NlMessage beginNested(int type) {
    ensure(4);
    nests.push(buf.position());
    buf.putShort((short) 0);
    buf.putShort((short) type);
    return this;
  }

  NlMessage endNested() {
    int start = nests.pop();
    buf.putShort(start, (short) (buf.position() - start));
    return this;
  }

  byte[] bytes(int seq) {
    if (!nests.isEmpty()) {
      throw new IllegalStateException("unclosed nested attribute");
    }
    buf.putInt(0, buf.position());
    buf.putInt(8, seq);
    return Arrays.copyOf(buf.array(), buf.position());
  }

  static int align(int n) {
    return (n + 3) & ~3;
  }

  private void pad() {
    while ((buf.position() & 3) != 0) {
      buf.put((byte) 0);
    }
  }

  private void ensure(int n) {
    if (buf.remaining() < n + 4) {
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n + 64))
          .order(ByteOrder.nativeOrder());
      buf.flip();
      bigger.put(buf);
      buf = bigger;
    }
  }
}
