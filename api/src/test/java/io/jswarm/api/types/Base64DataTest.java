package io.jswarm.api.types;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jswarm.api.errors.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Base64DataTest {

  @Test
  void decodesTheDocumentedExample() {
    assertEquals("THIS IS NOT A REAL CERTIFICATE\n", new String(
        Base64Data.decode("VEhJUyBJUyBOT1QgQSBSRUFMIENFUlRJRklDQVRFCg=="), StandardCharsets.UTF_8));
  }

  @Test
  void encodesStandardPaddedAndDecodesUrlSafeUnpaddedAndWrapped() {
    byte[] data = {(byte) 0xfb, (byte) 0xff, 0x01};
    assertEquals("+/8B", Base64Data.encode(data));
    assertArrayEquals(data, Base64Data.decode("-_8B"));
    assertArrayEquals("ab".getBytes(StandardCharsets.UTF_8), Base64Data.decode("YWI"));
    assertArrayEquals("abcd".getBytes(StandardCharsets.UTF_8), Base64Data.decode("YWJj\r\nZA=="));
  }

  @Test
  void rejectsNonBase64() {
    assertThrows(InvalidArgumentException.class, () -> Base64Data.decode("not base64!"));
  }
}
