package io.jswarm.api.listing;

import java.util.Comparator;

/** Natural string order as the docker CLI sorts names: digit runs compare as numbers ({@code web.2 < web.10}). */
public final class NaturalOrder implements Comparator<String> {
  public static final NaturalOrder INSTANCE = new NaturalOrder();

  private NaturalOrder() {}

  @Override
  public int compare(String a, String b) {
    return compare(a.toCharArray(), b.toCharArray());
  }

  /**
   * The same order over the names' characters: a list that sorts many names ({@code service ps}: 100 tasks, ~540
   * comparisons, interpreted in a cold CLI) takes each name's array once; indexing an array is one bytecode where
   * {@code String.charAt} is three calls (docs/footprint.md).
   */
  public static int compare(char[] a, char[] b) {
    int i = 0;
    int j = 0;
    while (i < a.length && j < b.length) {
      char ca = a[i];
      char cb = b[j];
      if (digit(ca) && digit(cb)) {
        int si = i;
        int sj = j;
        while (i < a.length && digit(a[i])) {
          i++;
        }
        while (j < b.length && digit(b[j])) {
          j++;
        }
        int c = compareNumbers(a, si, i, b, sj, j);
        if (c != 0) {
          return c;
        }
      } else {
        if (ca != cb) {
          return Character.compare(ca, cb);
        }
        i++;
        j++;
      }
    }
    return Integer.compare(a.length - i, b.length - j);
  }

  /** {@link Character#isDigit(char)}, without its look-up for ASCII. */
  private static boolean digit(char c) {
    return c <= '9' ? c >= '0' : c >= 0x80 && Character.isDigit(c);
  }

  /**
   * The digit runs {@code a[ai, ae)} and {@code b[bi, be)} compared as numbers: without their leading zeros (keeping a
   * last digit: "007" is "7", "000" is "0"), the longer is larger, else digit by digit. In place: no substring per
   * comparison, and no regular expression, whose compilation links lambdas (docs/footprint.md, "The CLI's start").
   */
  private static int compareNumbers(char[] a, int ai, int ae, char[] b, int bi, int be) {
    while (ai < ae - 1 && a[ai] == '0') {
      ai++;
    }
    while (bi < be - 1 && b[bi] == '0') {
      bi++;
    }
    if (ae - ai != be - bi) {
      return Integer.compare(ae - ai, be - bi);
    }
    for (; ai < ae; ai++, bi++) {
      if (a[ai] != b[bi]) {
        return a[ai] - b[bi];
      }
    }
    return 0;
  }
}
