package io.jswarm.worker.image;

import io.jswarm.api.errors.InvalidArgumentException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A normalized image reference, Docker's way: {@code busybox} is {@code docker.io/library/busybox:latest},
 * {@code localhost:5000/web} is {@code localhost:5000/web:latest}, a reference with a digest has no default tag.
 *
 * @param domain the registry host ({@code docker.io}, {@code registry:5000}, {@code localhost})
 * @param path the repository path inside it ({@code library/busybox})
 * @param tag the tag, or null
 * @param digest the manifest digest, or null
 */
public record ImageReference(String domain, String path, String tag, Digest digest) {
  public static final String DOCKER_HUB = "docker.io";
  public static final String DEFAULT_TAG = "latest";

  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final Pattern DOMAIN = Pattern.compile(
      "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
          + "(?::[0-9]+)?|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?");

  /**
   * Parses and normalizes {@code s}; adds the tag {@value #DEFAULT_TAG} when it has neither tag nor digest.
   *
   * @throws InvalidArgumentException naming the reference and what is wrong with it
   */
  public static ImageReference parse(String s) {
    return parse(s, true);
  }

  /** {@link #parse} without adding a default tag (a bare name stays untagged). */
  public static ImageReference parseName(String s) {
    return parse(s, false);
  }

  private static ImageReference parse(String s, boolean defaultTag) {
    if (s == null || s.isBlank()) {
      throw invalid(s, "it is empty");
    }
    String rest = s.trim();
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      try {
        digest = Digest.parse(rest.substring(at + 1));
      } catch (InvalidArgumentException e) {
        throw invalid(s, "the digest after @ must be sha256:<64 hex characters>");
      }
      rest = rest.substring(0, at);
    }
    String tag = null;
    int slash = rest.lastIndexOf('/');
    int colon = rest.lastIndexOf(':');
    if (colon > slash) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw invalid(s, "the tag \"" + tag + "\" may hold letters, digits, '_', '.' and '-' (up to 128, not starting with '.' or '-')");
      }
    }
    String domain;
    String path;
    int first = rest.indexOf('/');
    String head = first < 0 ? null : rest.substring(0, first);
    if (head != null && (head.contains(".") || head.contains(":") || head.equals("localhost")
        || !head.equals(head.toLowerCase(Locale.ROOT)))) {
      domain = head;
      path = rest.substring(first + 1);
      if (!DOMAIN.matcher(domain).matches()) {
        throw invalid(s, "\"" + domain + "\" is not a registry host[:port]");
      }
    } else {
      domain = DOCKER_HUB;
      path = rest;
    }
    if (domain.equals("index.docker.io")) {
      domain = DOCKER_HUB;
    }
    if (domain.equals(DOCKER_HUB) && path.indexOf('/') < 0) {
      path = "library/" + path;
    }
    if (path.isEmpty()) {
      throw invalid(s, "the repository name is empty");
    }
    for (String c : path.split("/", -1)) {
      if (!COMPONENT.matcher(c).matches()) {
        if (!c.equals(c.toLowerCase(Locale.ROOT))) {
          throw invalid(s, "repository name must be lowercase");
        }
        throw invalid(s, "the repository path component \"" + c + "\" may hold a-z, 0-9 and separators '.', '_', '__', '-'");
      }
    }
    if (tag == null && digest == null && defaultTag) {
      tag = DEFAULT_TAG;
    }
    return new ImageReference(domain, path, tag, digest);
  }

  private static InvalidArgumentException invalid(String s, String why) {
    return new InvalidArgumentException("invalid reference format \"" + s + "\": " + why);
  }

  /** {@code domain/path}, e.g. {@code docker.io/library/busybox}. */
  public String name() {
    return domain + "/" + path;
  }

  /** The name as users write it: {@code busybox}, {@code user/app}, {@code registry:5000/web}. */
  public String familiarName() {
    if (domain.equals(DOCKER_HUB)) {
      return path.startsWith("library/") && path.indexOf('/', 8) < 0 ? path.substring(8) : path;
    }
    return name();
  }

  /** The reference as users write it: {@code busybox:latest}, {@code web@sha256:...}. */
  public String familiar() {
    return familiarName() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }

  public ImageReference withTag(String t) {
    return new ImageReference(domain, path, t, null);
  }

  public ImageReference withDigest(Digest d) {
    return new ImageReference(domain, path, null, d);
  }

  /** The tag or digest a registry's {@code /manifests/<ref>} takes. */
  public String manifestRef() {
    return digest != null ? digest.toString() : tag != null ? tag : DEFAULT_TAG;
  }

  @Override
  public String toString() {
    return name() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
  }
}
