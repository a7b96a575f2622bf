package io.jswarm.cli.client.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jswarm.api.json.Json;
import io.jswarm.cli.client.UsageException;
import org.junit.jupiter.api.Test;

class GoTemplateTest {
  private static final JsonNode SERVICE = tree("{\"ID\":\"s1\",\"Spec\":{\"Name\":\"web\",\"Labels\":{\"tier\":\"front\"},"
      + "\"TaskTemplate\":{\"ContainerSpec\":{\"Args\":[\"httpd\",\"-f\"],\"Env\":null}}}}");

  private static JsonNode tree(String json) {
    try {
      return Json.mapper().readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String render(String template) {
    return GoTemplate.parse(template, false).render(SERVICE);
  }

  @Test
  void fieldsFunctionsAndPipelinesAsDockerScriptsUseThem() {
    assertEquals("s1 web", render("{{.ID}} {{.Spec.Name}}"));
    assertEquals("{\"tier\":\"front\"}", render("{{json .Spec.Labels}}"));
    assertEquals("httpd,-f", render("{{join .Spec.TaskTemplate.ContainerSpec.Args \",\"}}"));
    assertEquals("WEB", render("{{upper .Spec.Name}}"));
    assertEquals("WEB", render("{{.Spec.Name | upper}}"));
    assertEquals("front", render("{{index .Spec.Labels \"tier\"}}"));
    assertEquals("-f", render("{{index .Spec.TaskTemplate.ContainerSpec.Args 1}}"));
    assertEquals("we", render("{{truncate .Spec.Name 2}}"));
    assertEquals("[httpd -f] map[tier:front]", render("{{.Spec.TaskTemplate.ContainerSpec.Args}} {{.Spec.Labels}}"));
    assertEquals("<no value> <nil>", render("{{.Spec.Nothing}} {{.Spec.TaskTemplate.ContainerSpec.Env}}"));
    assertEquals("[web]", render("[  {{- .Spec.Name -}}\n ]"), "{{- -}} trims the space around the action");
  }

  @Test
  void headersAreDockersColumnNames() {
    assertEquals("ID\tCURRENT STATE\tTLS STATUS\tNAME", GoTemplate.parse(
        "{{.ID}}\t{{.CurrentState}}\t{{.TLSStatus}}\t{{upper .Name}}", true).header());
  }

  @Test
  void whatItCannotDoIsAClearErrorNotWrongOutput() {
    UsageException range = assertThrows(UsageException.class, () -> render("{{range .Spec.Labels}}x{{end}}"));
    assertTrue(range.getMessage().contains("\"range\" is not supported"), range.getMessage());
    UsageException fn = assertThrows(UsageException.class, () -> render("{{printf \"%s\" .ID}}"));
    assertTrue(fn.getMessage().contains("function \"printf\" not defined"), fn.getMessage());
    assertThrows(UsageException.class, () -> render("{{.ID"));
    UsageException strict = assertThrows(UsageException.class,
        () -> GoTemplate.parse("{{.Nme}}", true).render(tree("{\"Name\":\"x\",\"ID\":\"1\"}")));
    assertTrue(strict.getMessage().contains("can't evaluate field Nme; the fields are Name, ID"), strict.getMessage());
  }
}
