package io.jswarm.worker.image;

import io.jswarm.api.errors.ConflictException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code docker rmi NAME} does to an image's references, apart from the store that applies it: a reference is
 * untagged (its digest references too once no tag is left), an id untags everything (which needs {@code force}
 * when the references span several repositories), and an image a container uses is never deleted.
 */
final class ImageRemoval {
  private ImageRemoval() {}

  /** The index keys to untag, and whether the image itself goes. */
  record Plan(List<String> untag, boolean deletes) {}

  /**
   * @param byRef the reference {@code rmi} named, or null when it named the image by id
   * @param img the image it names
   * @param refsOfImage the index keys ({@link ImageStore#key}) of every reference to the image
   * @param force {@code rmi --force}
   * @param inUse whether a container uses the image
   * @throws ConflictException what Docker refuses, in its words
   */
  static Plan plan(ImageReference byRef, ImageStore.Image img, List<String> refsOfImage, boolean force,
      boolean inUse) {
    List<String> untag = new ArrayList<>();
    if (byRef != null) {
      String key = ImageCatalog.key(byRef);
      untag.add(key);
      List<String> rest = new ArrayList<>(refsOfImage);
      rest.remove(key);
      if (rest.stream().allMatch(k -> k.contains("@"))) {
        untag.addAll(rest); // the last tag went: its digest references go with it
      }
    } else {
      Set<String> repos = new LinkedHashSet<>();
      for (String k : refsOfImage) {
        repos.add(k.contains("@") ? k.substring(0, k.indexOf('@')) : k.substring(0, k.lastIndexOf(':')));
      }
      if (repos.size() > 1 && !force) {
        throw new ConflictException("conflict: unable to delete " + img.id().shortHex() + " (must be forced) - "
            + "image is referenced in multiple repositories");
      }
      untag.addAll(refsOfImage);
    }
    boolean deletes = untag.containsAll(refsOfImage);
    if (deletes && inUse) {
      if (byRef != null && (force || refsOfImage.size() > 1)) {
        untag.retainAll(List.of(ImageCatalog.key(byRef))); // untagging is fine; the image stays for its container
        deletes = false;
      } else if (byRef != null) {
        throw new ConflictException("conflict: unable to remove repository reference \"" + byRef.familiar()
            + "\" (must force) - a container is using its referenced image " + img.id().shortHex());
      } else {
        throw new ConflictException("conflict: unable to delete " + img.id().shortHex()
            + " (cannot be forced) - image " + img.id().shortHex() + " is being used by a container");
      }
    }
    return new Plan(untag, deletes);
  }
}
