package io.jswarm.transport.http;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Docker's multiplexed stream ({@code application/vnd.docker.multiplexed-stream}, what {@code stdcopy} reads):
 * each frame is an 8-byte header — the stream type (0 stdin, 1 stdout, 2 stderr), three zero bytes, the payload
 * length as a big-endian uint32 — then the payload.
 */
public final class MultiplexedStream {
  public static final String CONTENT_TYPE = "application/vnd.docker.multiplexed-stream";
  public static final int STDIN = 0;
  public static final int STDOUT = 1;
  public static final int STDERR = 2;
  static final int HEADER = 8;

  private MultiplexedStream() {}

  /** One frame carrying {@code payload} on {@code stream}. */
  public static byte[] frame(int stream, byte[] payload) {
    if (stream < 0 || stream > 2) {
      throw new IllegalArgumentException("stream type must be 0, 1 or 2, got " + stream);
    }
    byte[] out = new byte[HEADER + payload.length];
    out[0] = (byte) stream;
    int n = payload.length;
    out[4] = (byte) (n >>> 24);
    out[5] = (byte) (n >>> 16);
    out[6] = (byte) (n >>> 8);
    out[7] = (byte) n;
    System.arraycopy(payload, 0, out, HEADER, n);
    return out;
  }

  /** A decoded frame. */
  public record Frame(int stream, byte[] payload) {}

  /** Splits a byte stream into frames, whatever chunks it arrives in. Not thread-safe. */
  public static final class Decoder {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    /** Adds bytes; returns the frames now complete. */
    public List<Frame> feed(byte[] chunk) {
      buf.writeBytes(chunk);
      byte[] all = buf.toByteArray();
      List<Frame> out = new ArrayList<>();
      int at = 0;
      while (all.length - at >= HEADER) {
        int stream = all[at] & 0xff;
        if (stream > 2 || all[at + 1] != 0 || all[at + 2] != 0 || all[at + 3] != 0) {
          throw new IllegalStateException("not a multiplexed stream: bad frame header at byte " + at);
        }
        long n = ((all[at + 4] & 0xffL) << 24) | ((all[at + 5] & 0xff) << 16) | ((all[at + 6] & 0xff) << 8)
            | (all[at + 7] & 0xff);
        if (all.length - at - HEADER < n) {
          break;
        }
        byte[] payload = new byte[(int) n];
        System.arraycopy(all, at + HEADER, payload, 0, (int) n);
        out.add(new Frame(stream, payload));
        at += HEADER + (int) n;
      }
      buf.reset();
      buf.write(all, at, all.length - at);
      return out;
    }

    /** Bytes of an incomplete frame still waiting for the rest. */
    public int pending() {
      return buf.size();
    }
  }
}
