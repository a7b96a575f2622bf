package io.jswarm.api.listing;

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
    int[][] cellWidths = new int[lines.size()][columns - 1]; // each cell measured once
    int chars = 0;
    for (int l = 0; l < lines.size(); l++) {
      List<String> line = lines.get(l);
      for (int c = 0; c < columns - 1; c++) {
        cellWidths[l][c] = displayWidth(line.get(c));
        width[c] = Math.max(width[c], Math.max(MIN_WIDTH, cellWidths[l][c] + PADDING));
      }
      chars += line.get(columns - 1).length() + 1;
    }
    for (int c = 0; c < columns - 1; c++) {
      chars += lines.size() * width[c];
    }
    StringBuilder out = new StringBuilder(chars);
    for (int l = 0; l < lines.size(); l++) {
      List<String> line = lines.get(l);
      for (int c = 0; c < columns; c++) {
        out.append(line.get(c));
        if (c < columns - 1) {
          out.append(" ".repeat(width[c] - cellWidths[l][c]));
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
