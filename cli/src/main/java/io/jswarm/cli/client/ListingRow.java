package io.jswarm.cli.client;

import java.util.Map;

/** One row of an {@code ls}/{@code ps} listing: its id ({@code -q}) and its fields as the {@code json} format prints them. */
public interface ListingRow {
  String id();

  Map<String, Object> json();
}
