package io.jswarm.api.validation;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.Service.ServiceSpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PrivilegesValidationTest {
  private static final String PATH = "Spec.TaskTemplate.ContainerSpec.Privileges.Seccomp";

  private static ServiceSpec with(String mode, String profile) {
    ServiceSpec s = ServiceSpecValidationTest.valid();
    s.taskTemplate.containerSpec.privileges = new ContainerSpec.Privileges();
    s.taskTemplate.containerSpec.privileges.seccomp = new ContainerSpec.SeccompOpts();
    s.taskTemplate.containerSpec.privileges.seccomp.mode = mode;
    s.taskTemplate.containerSpec.privileges.seccomp.profile = profile;
    return s;
  }

  private static String refused(ServiceSpec s) {
    return assertThrows(InvalidArgumentException.class, () -> SpecValidator.validateService(s)).getMessage();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void modesAndProfilesThatAreAllowed() {
    for (String mode : new String[] {null, "", "default", "unconfined"}) {
      assertDoesNotThrow(() -> SpecValidator.validateService(with(mode, null)));
    }
    String profile = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\",\"write\"],"
        + "\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
        + "\"args\":[{\"index\":0,\"value\":18446744073709551615,\"op\":\"SCMP_CMP_EQ\"}],"
        + "\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"],\"minKernel\":\"4.8\"}}]}";
    assertDoesNotThrow(() -> SpecValidator.validateService(with("custom", b64(profile))));
    assertDoesNotThrow(() -> SpecValidator.validateService(with("custom", profile)), "JSON text is taken too");
  }

  @Test
  void aBrokenProfileIsRefusedNamingTheField() {
    assertTrue(refused(with("strict", null)).contains(PATH + ".Mode: \"strict\" is not allowed; use one of "
        + "default, unconfined, custom"));
    assertTrue(refused(with("custom", null)).contains(PATH + ".Profile: must be set with Mode \"custom\""));
    assertTrue(refused(with("unconfined", "{}")).contains(PATH + ".Profile: is only taken with Mode \"custom\""));
    assertTrue(refused(with("custom", b64("{\"defaultAction\":"))).contains(PATH + ".Profile: is not valid JSON"));
    assertTrue(refused(with("custom", "!!!")).contains(PATH + ".Profile: is neither JSON nor base64"));
    assertTrue(refused(with("custom", "{\"syscalls\":[]}")).contains(PATH + ".Profile: defaultAction: must be set"));
    assertTrue(refused(with("custom", "{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}"))
        .contains(PATH + ".Profile: defaultAction: \"SCMP_ACT_NOTIFY\" is not allowed"));
    assertTrue(refused(with("custom", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
        + "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}"))
        .contains(PATH + ".Profile: syscalls[0].args[0].index: must be an argument number from 0 to 5"));
    assertTrue(refused(with("custom", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
        + "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":-1,\"op\":\"SCMP_CMP_EQ\"}]}]}"))
        .contains(PATH + ".Profile: syscalls[0].args[0].value: must be an unsigned 64-bit integer"));
    assertTrue(refused(with("custom", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"Read;\"],"
        + "\"action\":\"SCMP_ACT_ERRNO\"}]}")).contains(PATH + ".Profile: syscalls[0].names[0]: \"Read;\" is not a "
        + "syscall name"));
    assertTrue(refused(with("custom", "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":{}}"))
        .contains(PATH + ".Profile: syscalls: must be a JSON array"));
    assertTrue(refused(with("custom", "[1]")).contains(PATH + ".Profile: must be a JSON object"));
  }
}
