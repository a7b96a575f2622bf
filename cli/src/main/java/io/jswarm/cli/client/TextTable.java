package io.jswarm.cli.client;

import java.util.ArrayList;
import java.util.List;

/**
 * A table laid out like the docker CLI's (Go {@code tabwriter} with minimum width 10, padding 3, spaces): every
 * column but the last is as wide as its widest cell plus 3, at least 10; the last column is not padded.
 */
public final class TextTable {
  private static final int MIN_WIDTH = 10;
  private static final int PADDING = 3;

  private final List<List<String>> lines = new ArrayList<>();

  public TextTable(List<String> header) {
    lines.add(header);
  }

  public TextTable row(List<String> cells) {
    lines.add(cells);
    return this;
  }

  /** The table with one trailing newline per line. */
  public String render() {
    int columns = lines.get(0).size();
    int[] width = new int[columns];
    for (List<String> line : lines) {
      for (int c = 0; c < columns - 1; c++) {
        width[c] = Math.max(width[c], Math.max(MIN_WIDTH, displayWidth(line.get(c)) + PADDING));
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> line : lines) {
      for (int c = 0; c < columns; c++) {
        String cell = line.get(c);
        out.append(cell);
        if (c < columns - 1) {
          out.append(" ".repeat(width[c] - displayWidth(cell)));
        }
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static int displayWidth(String s) {
    return s.codePointCount(0, s.length());
  }
}
