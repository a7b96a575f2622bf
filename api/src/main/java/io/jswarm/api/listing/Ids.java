package io.jswarm.api.listing;

/** Ids as docker's lists show them. */
public final class Ids {
  private Ids() {}

  /** The first 12 characters of an id ("" for none). */
  public static String shortId(String id) {
    return id == null ? "" : id.length() > 12 ? id.substring(0, 12) : id;
  }
}
