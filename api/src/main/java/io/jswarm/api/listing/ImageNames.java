package io.jswarm.api.listing;

/**
 * Image references shortened for lists the way the docker CLI does: a tagged reference loses its digest and the
 * default registry / library prefix ({@code docker.io/library/nginx:1.25@sha256:...} -> {@code nginx:1.25});
 * anything else is shown as it is.
 */
public final class ImageNames {
  private ImageNames() {}

  public static String forDisplay(String image) {
    String name = image;
    int at = name.indexOf('@');
    if (at >= 0) {
      name = name.substring(0, at);
    }
    int slash = name.lastIndexOf('/');
    int colon = name.lastIndexOf(':');
    if (colon <= slash) {
      return image; // not tagged: docker leaves it untouched
    }
    if (name.startsWith("docker.io/")) {
      name = name.substring("docker.io/".length());
    } else if (name.startsWith("index.docker.io/")) {
      name = name.substring("index.docker.io/".length());
    }
    if (name.startsWith("library/") && name.indexOf('/', "library/".length()) < 0) {
      name = name.substring("library/".length());
    }
    return name;
  }
}
