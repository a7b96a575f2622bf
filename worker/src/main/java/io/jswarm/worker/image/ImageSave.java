package io.jswarm.worker.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.worker.image.ImageStore.Image;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * {@code docker save}: the store's images as a tar archive that {@code docker load} (and {@link ImageArchives})
 * reads back: {@code manifest.json} (Config, RepoTags, Layers as uncompressed tars) and {@code repositories}.
 */
final class ImageSave {
  private final ImageStore store;

  ImageSave(ImageStore store) {
    this.store = store;
  }

  /** Writes the archive of the images {@code names} name to {@code out}. */
  void save(List<String> names, OutputStream out) throws IOException {
    List<Image> imgs = new ArrayList<>();
    List<List<String>> tags = new ArrayList<>();
    for (String n : names) {
      Image i = store.catalog().get(n);
      imgs.add(i);
      ImageReference r = null;
      try {
        r = ImageReference.parse(n);
      } catch (InvalidArgumentException e) {
        // an id
      }
      boolean byRef = r != null && store.catalog().hasReference(r);
      tags.add(byRef && r.digest() == null ? List.of(r.familiar()) : store.catalog().repoTags(i));
    }
    TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    ArrayNode manifest = Manifest.JSON.createArrayNode();
    Set<String> written = new HashSet<>();
    ObjectNode repositories = Manifest.JSON.createObjectNode();
    for (int k = 0; k < imgs.size(); k++) {
      Image i = imgs.get(k);
      String configName = "blobs/sha256/" + i.id().hex();
      if (written.add(configName)) {
        writeEntry(tar, configName, store.blobs().read(i.id()));
      }
      ObjectNode e = manifest.addObject();
      e.put("Config", configName);
      ArrayNode rt = e.putArray("RepoTags");
      tags.get(k).forEach(rt::add);
      ArrayNode ls = e.putArray("Layers");
      for (int j = 0; j < i.diffIds().size(); j++) {
        Digest diff = i.diffIds().get(j);
        String name = "blobs/sha256/" + diff.hex();
        ls.add(name);
        if (!written.add(name)) {
          continue;
        }
        Manifest.Descriptor blob = i.manifest().layers().get(j);
        long size = store.layers().size(diff, blob);
        TarArchiveEntry te = new TarArchiveEntry(name);
        te.setSize(size);
        tar.putArchiveEntry(te);
        try (BufferedInputStream b = new BufferedInputStream(store.blobs().open(blob.digest()), 1 << 16)) {
          InputStream plain = LayerUnpacker.isGzip(b) ? new GZIPInputStream(b, 1 << 16) : b;
          long n = plain.transferTo(tar);
          if (n != size) {
            throw new IOException("layer " + diff + " is " + n + " bytes uncompressed, not " + size);
          }
        }
        tar.closeArchiveEntry();
      }
      for (String t : tags.get(k)) {
        ImageReference r = ImageReference.parse(t);
        ObjectNode repo = repositories.has(r.familiarName()) ? (ObjectNode) repositories.get(r.familiarName())
            : repositories.putObject(r.familiarName());
        repo.put(r.tag(), i.diffIds().isEmpty() ? "" : i.diffIds().get(i.diffIds().size() - 1).hex());
      }
    }
    writeEntry(tar, "manifest.json", Manifest.JSON.writeValueAsBytes(manifest));
    writeEntry(tar, "repositories", Manifest.JSON.writeValueAsBytes(repositories));
    tar.finish();
    tar.flush();
  }

  private static void writeEntry(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(content.length);
    tar.putArchiveEntry(e);
    tar.write(content);
    tar.closeArchiveEntry();
  }
}
