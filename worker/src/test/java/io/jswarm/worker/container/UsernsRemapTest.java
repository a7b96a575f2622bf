package io.jswarm.worker.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.linux.UserNamespace.IdRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --userns-remap}: the ranges of /etc/subuid and /etc/subgid (test copies), {@code default}'s ranges. */
class UsernsRemapTest {
  @TempDir
  Path dir;

  private UsernsRemap.HostFiles files(String passwd, String group, String subuid, String subgid) throws Exception {
    Files.writeString(dir.resolve("passwd"), passwd);
    Files.writeString(dir.resolve("group"), group);
    Files.writeString(dir.resolve("subuid"), subuid);
    Files.writeString(dir.resolve("subgid"), subgid);
    return new UsernsRemap.HostFiles(dir.resolve("passwd"), dir.resolve("group"), dir.resolve("subuid"),
        dir.resolve("subgid"));
  }

  @Test
  void aUsersRangesMapToContainerIdsInFileOrder() throws Exception {
    UsernsRemap r = UsernsRemap.resolve("app:staff", files("root:x:0:0::/root:/bin/sh\napp:x:1001:1001::/:/bin/sh\n",
        "staff:x:50:\n", "other:100000:65536\napp:200000:1000\n1001:300000:500\n", "staff:400000:65536\n"));
    assertEquals(List.of(new IdRange(0, 200000, 1000), new IdRange(1000, 300000, 500)), r.uids(),
        "by name and by numeric uid, container ids one after the other");
    assertEquals(List.of(new IdRange(0, 400000, 65536)), r.gids());
    assertEquals(200000, r.rootUid());
    assertEquals(300001, r.hostUid(1001));
    assertEquals(-1, r.hostUid(1500));
    assertEquals(400033, r.hostGid(33));
  }

  @Test
  void aGroupDefaultsToTheUsersNameAndNumericIdsAreAccepted() throws Exception {
    UsernsRemap r = UsernsRemap.resolve("1001", files("app:x:1001:1001::/:/bin/sh\n", "app:x:1001:\n",
        "app:200000:65536\n", "app:200000:65536\n"));
    assertEquals("app", r.user());
    assertEquals("app", r.group());
  }

  @Test
  void aMissingUserOrRangeIsAnErrorSayingWhatToAdd() throws Exception {
    UsernsRemap.HostFiles f = files("app:x:1001:1001::/:/bin/sh\n", "app:x:1001:\n", "", "app:1:2\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UsernsRemap.resolve("nobody2", f));
    assertTrue(e.getMessage().contains("no user \"nobody2\""), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> UsernsRemap.resolve("app", f));
    assertTrue(e.getMessage().contains("app has no subordinate ids in " + dir.resolve("subuid"))
        && e.getMessage().contains("app:100000:65536"), e.getMessage());
  }

  @Test
  void defaultAddsDockremapsRangesPastTheOnesInUse() throws Exception {
    UsernsRemap.HostFiles f = files("dockremap:x:999:999::/:/usr/sbin/nologin\n", "dockremap:x:999:\n",
        "alice:100000:65536\nbob:165536:65536\n", "");
    UsernsRemap r = UsernsRemap.resolve("default", f);
    assertEquals(List.of(new IdRange(0, 231072, 65536)), r.uids());
    assertEquals(List.of(new IdRange(0, 100000, 65536)), r.gids());
    assertTrue(Files.readString(dir.resolve("subuid")).endsWith("dockremap:231072:65536\n"));
    assertEquals(r, UsernsRemap.resolve("default", f), "the second time, the ranges are there: nothing added");
    assertEquals(3, Files.readAllLines(dir.resolve("subuid")).size());
  }
}
