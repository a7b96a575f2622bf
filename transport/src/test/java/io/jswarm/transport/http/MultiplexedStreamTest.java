package io.jswarm.transport.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultiplexedStreamTest {
  @Test
  void headerIsStreamThreeZerosAndBigEndianLength() {
    byte[] payload = new byte[0x010203];
    Arrays.fill(payload, (byte) 'x');
    byte[] f = MultiplexedStream.frame(MultiplexedStream.STDERR, payload);
    assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 1, 2, 3}, Arrays.copyOf(f, 8));
    assertEquals(8 + 0x010203, f.length);
    assertArrayEquals(new byte[] {1, 0, 0, 0, 0, 0, 0, 3, 'h', 'i', '\n'},
        MultiplexedStream.frame(MultiplexedStream.STDOUT, "hi\n".getBytes(StandardCharsets.UTF_8)));
    assertThrows(IllegalArgumentException.class, () -> MultiplexedStream.frame(3, new byte[0]));
  }

  @Test
  void decoderReassemblesFramesSplitAnywhere() {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    List<String> want = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String text = "line " + i + " " + "y".repeat(i * 7) + "\n"; // lengths with '\n' (10) in the header too
      int stream = i % 3 == 0 ? 2 : 1;
      all.writeBytes(MultiplexedStream.frame(stream, text.getBytes(StandardCharsets.UTF_8)));
      want.add(stream + ":" + text);
    }
    byte[] bytes = all.toByteArray();
    for (int step : new int[] {1, 3, 7, 8, 9, 64, bytes.length}) {
      MultiplexedStream.Decoder d = new MultiplexedStream.Decoder();
      List<String> got = new ArrayList<>();
      for (int at = 0; at < bytes.length; at += step) {
        d.feed(Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + step)))
            .forEach(f -> got.add(f.stream() + ":" + new String(f.payload(), StandardCharsets.UTF_8)));
      }
      assertEquals(want, got, "chunks of " + step);
      assertEquals(0, d.pending());
    }
  }

  @Test
  void decoderRefusesWhatIsNotAMultiplexedStream() {
    assertThrows(IllegalStateException.class,
        () -> new MultiplexedStream.Decoder().feed("hello world\n".getBytes(StandardCharsets.UTF_8)));
  }
}
