package io.jswarm.transport.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.InvalidArgumentException;
import java.security.SecureRandom;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JoinTokenTest {
  private static final String DIGEST = "0".repeat(10) + "abcdefghij0123456789klmnopqrstuvwxyz0123";
  private final SecureRandom random = new SecureRandom();

  @Test
  void generatedTokenHasDockersShapeAndParsesBack() {
    JoinToken t = JoinToken.generate(DIGEST, random);
    String s = t.toString();
    assertTrue(s.matches("JSWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}"), s);
    JoinToken back = JoinToken.parse("  " + s + "\n");
    assertEquals(DIGEST, back.caDigest());
    assertTrue(back.secretMatches(s));
    assertEquals(t, back);
  }

  @Test
  void twoTokensForTheSameRootDifferInTheirSecret() {
    JoinToken a = JoinToken.generate(DIGEST, random);
    JoinToken b = JoinToken.generate(DIGEST, random);
    assertNotEquals(a.toString(), b.toString());
    assertFalse(a.secretMatches(b.toString()));
    assertFalse(a.secretMatches(null));
    assertFalse(a.secretMatches(""));
  }

  @Test
  void secretIsAlways25CharactersEvenWhenTheNumberIsSmall() {
    // a source whose first bytes are zero gives a short base36 number, which must be zero-padded
    Random zeros = new Random(0) {
      @Override
      public void nextBytes(byte[] bytes) {
        java.util.Arrays.fill(bytes, (byte) 0);
        bytes[bytes.length - 1] = 7;
      }
    };
    SecureRandom r = new SecureRandom() {
      @Override
      public void nextBytes(byte[] bytes) {
        zeros.nextBytes(bytes);
      }
    };
    String s = JoinToken.generate(DIGEST, r).toString();
    assertTrue(s.endsWith("-" + "0".repeat(24) + "7"), s);
    JoinToken.parse(s);
  }

  @Test
  void parseErrorsNameWhatIsWrong() {
    String good = JoinToken.generate(DIGEST, random).toString();
    String secret = good.substring(good.lastIndexOf('-') + 1);
    assertMessage("", "the token is empty");
    assertMessage(null, "the token is empty");
    assertMessage("JSWMTKN-1-" + DIGEST, "4 parts separated by '-'");
    assertMessage("SWMTKN-1-" + DIGEST + "-" + secret, "must start with JSWMTKN-");
    assertMessage("JSWMTKN-2-" + DIGEST + "-" + secret, "unsupported version 2");
    assertMessage("JSWMTKN-1-" + DIGEST.substring(1) + "-" + secret, "the CA digest must be 50 base36 characters, got 49");
    assertMessage("JSWMTKN-1-" + DIGEST + "-" + secret + "x", "the secret must be 25 base36 characters, got 26");
    assertMessage("JSWMTKN-1-" + DIGEST.toUpperCase() + "-" + secret, "the CA digest may only contain [0-9a-z], found 'A'");
    assertMessage("JSWMTKN-1-" + DIGEST + "-" + secret.substring(1) + "_", "the secret may only contain [0-9a-z], found '_' at position 25");
  }

  private static void assertMessage(String token, String expected) {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> JoinToken.parse(token));
    assertTrue(e.getMessage().startsWith("invalid join token: "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage() + " should contain " + expected);
    assertEquals(400, e.httpStatus());
  }
}
