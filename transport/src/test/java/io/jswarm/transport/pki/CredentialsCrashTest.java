package io.jswarm.transport.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.transport.disk.DurableFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A certificate renewal killed at every step of saving the new credentials (a child JVM halts there, as kill -9
 * would stop it): each time, the credentials load again — the old ones or the new, never a mix — so the node
 * restarts; and the next save succeeds and leaves no temporary file.
 */
class CredentialsCrashTest {
  private static final RootCA CA = RootCA.create("cluster1", java.time.Clock.systemUTC());

  /** Every crash point of a save, in order, for a directory that holds the three files of an earlier version. */
  private static List<String> steps() {
    List<String> steps = new ArrayList<>();
    for (DurableFiles.Step s : DurableFiles.Step.values()) {
      steps.add(s.name());
    }
    for (String f : List.of(NodeCredentials.KEY_FILE, NodeCredentials.CERT_FILE, NodeCredentials.CA_FILE)) {
      steps.add("REMOVE_" + f);
    }
    return steps;
  }

  private static int crashAt(Path certDir, Path renewedDir, String step) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CrashingSave.class.getName(),
        certDir.toString(), renewedDir.toString(), step).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    int rc = p.waitFor();
    assertEquals(137, rc, "the save died at " + step + ": " + out);
    return rc;
  }

  @Test
  void aRenewalKilledAtEveryStepLeavesCredentialsTheNodeStartsWith(@TempDir Path dir) throws Exception {
    NodeCredentials renewed = TestPki.node(CA, "node1", PeerIdentity.MANAGER_ROLE);
    Path renewedDir = dir.resolve("renewed");
    renewed.save(renewedDir);
    List<String> steps = steps();
    int sawOld = 0;
    int sawNew = 0;
    for (boolean earlierVersion : List.of(true, false)) {
      for (int k = 0; k < steps.size(); k++) {
        String step = steps.get(k);
        if (!earlierVersion && step.startsWith("REMOVE_")) {
          continue; // nothing to remove: the save never reaches these
        }
        NodeCredentials old = TestPki.node(CA, "node1", PeerIdentity.WORKER_ROLE);
        Path certDir = dir.resolve("node-" + earlierVersion + "-" + k);
        if (earlierVersion) {
          NodeCredentialsTest.saveAsEarlierVersion(old, certDir);
        } else {
          old.save(certDir);
        }
        crashAt(certDir, renewedDir, step);

        NodeCredentials after = NodeCredentials.load(certDir); // what the restarted daemon does first
        assertTrue(after.equals(old) || after.equals(renewed), "step " + step + ": " + after);
        if (after.equals(old)) {
          sawOld++;
          assertTrue(k <= steps.indexOf("RENAME"), "the new credentials were renamed into place before " + step);
        } else {
          sawNew++;
          assertTrue(k > steps.indexOf("RENAME"), "renewed before the rename at " + step);
        }
        renewed.save(certDir); // the next renewal after the restart
        assertEquals(renewed, NodeCredentials.load(certDir));
        try (var files = Files.list(certDir)) {
          assertEquals(List.of(certDir.resolve(NodeCredentials.BUNDLE_FILE)), files.toList(), "after " + step);
        }
      }
    }
    assertTrue(sawOld > 0 && sawNew > 0, "old " + sawOld + ", new " + sawNew);
  }
}
