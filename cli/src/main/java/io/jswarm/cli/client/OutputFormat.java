package io.jswarm.cli.client;

/** The {@code --format} values list commands take: the default table, or {@code json} (one object per line). */
public enum OutputFormat {
  TABLE,
  JSON;

  /**
   * @throws UsageException for anything but table or json (Go templates are not supported)
   */
  public static OutputFormat of(String flag) {
    if (flag == null || flag.isEmpty() || flag.equals("table")) {
      return TABLE;
    }
    if (flag.equals("json")) {
      return JSON;
    }
    throw new UsageException("unsupported --format \"" + flag + "\": allowed are table and json (Go templates are not supported)");
  }
}
