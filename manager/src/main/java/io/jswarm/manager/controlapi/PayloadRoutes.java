package io.jswarm.manager.controlapi;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.jswarm.api.errors.ConflictException;
import io.jswarm.api.errors.InvalidArgumentException;
import io.jswarm.api.types.Base64Data;
import io.jswarm.api.types.Config;
import io.jswarm.api.types.ContainerSpec;
import io.jswarm.api.types.PayloadSpec;
import io.jswarm.api.types.Secret;
import io.jswarm.api.types.Service;
import io.jswarm.api.types.StoreObject;
import io.jswarm.api.types.Version;
import io.jswarm.api.validation.SpecValidator;
import io.jswarm.consensus.store.TableSpec;
import io.jswarm.consensus.store.Tables;
import io.jswarm.transport.http.Filters;
import io.jswarm.transport.http.HttpRequest;
import io.jswarm.transport.http.HttpResponse;
import io.jswarm.transport.http.Router;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code /secrets} and {@code /configs} (Docker Engine API v1.41): list with Docker's filters ({@code id} and
 * {@code name} by prefix, {@code names} exact, {@code label}), create, inspect by id, name or id prefix, update
 * (labels only, compare-and-set on {@code ?version=}) and remove (refused while a service references it, naming the
 * services). One class for both: they differ in the table, the noun, how a service references them and whether the
 * payload is shown — a config's {@code Spec.Data} is returned as in Docker, a secret's never is, by any route.
 *
 * <p>Bodies are decoded here rather than with {@link HttpRequest#json}, whose error message quotes the parser's,
 * which can echo part of the body: nothing of a secret's payload goes into an answer or a log line.
 */
final class PayloadRoutes<T extends StoreObject, S extends PayloadSpec> {
  private static final Set<String> FILTERS = Set.of("id", "name", "names", "label");

  /** What differs between secrets and configs. */
  record Kind<T extends StoreObject, S extends PayloadSpec>(String noun, TableSpec<T> table, Class<S> specType,
      Function<T, S> spec, Function<S, T> newObject, Consumer<S> validate, Function<T, T> shown,
      Function<Service, List<String>> referencedIds) {}

  static final Kind<Secret, Secret.Spec> SECRETS = new Kind<>("secret", Tables.SECRETS, Secret.Spec.class,
      s -> s.spec, spec -> {
        Secret s = new Secret();
        s.spec = spec;
        return s;
      }, SpecValidator::validateSecret, Secret::withoutData, PayloadRoutes::secretIds);

  static final Kind<Config, Config.Spec> CONFIGS = new Kind<>("config", Tables.CONFIGS, Config.Spec.class,
      c -> c.spec, spec -> {
        Config c = new Config();
        c.spec = spec;
        return c;
      }, SpecValidator::validateConfig, c -> c, PayloadRoutes::configIds);

  private final ManagerGate gate;
  private final Kind<T, S> kind;
  private final String plural;

  PayloadRoutes(ManagerGate gate, Kind<T, S> kind) {
    this.gate = gate;
    this.kind = kind;
    this.plural = "/" + kind.noun() + "s";
  }

  void routes(Router r) {
    r.get(plural, this::list);
    r.post(plural + "/create", this::create);
    r.get(plural + "/{id}", this::inspect);
    r.post(plural + "/{id}/update", this::update);
    r.delete(plural + "/{id}", this::remove);
  }

  /** Docker {@code IDResponse}. */
  static final class Created {
    @JsonProperty("ID")
    public final String id;

    Created(String id) {
      this.id = id;
    }
  }

  private HttpResponse list(HttpRequest req) {
    Filters f = Filters.parse(req.param("filters"), FILTERS);
    List<T> out = new ArrayList<>();
    for (T o : gate.store().view(tx -> tx.table(kind.table()).all())) {
      S s = kind.spec().apply(o);
      String name = s == null ? null : s.name;
      boolean match = f.any("id", v -> Filters.prefix(o.id, v))
          && f.any("name", v -> Filters.prefix(name, v))
          && f.any("names", v -> v.equals(name))
          && f.labels("label", s == null ? null : s.labels);
      if (match) {
        out.add(kind.shown().apply(o));
      }
    }
    return HttpResponse.ok(out);
  }

  private HttpResponse create(HttpRequest req) {
    S spec = body(req);
    kind.validate().accept(spec);
    spec.data = Base64Data.encode(Base64Data.decode(spec.data)); // one canonical encoding in the store
    spec.labels = spec.labels == null || spec.labels.isEmpty() ? null : new LinkedHashMap<>(spec.labels);
    T created = gate.store().update(tx -> {
      if (tx.table(kind.table()).byName(spec.name) != null) {
        throw new ConflictException(kind.noun() + " " + spec.name + " already exists; choose another name, or remove "
            + "it first (jswarm " + kind.noun() + " rm " + spec.name + ")");
      }
      return tx.table(kind.table()).create(kind.newObject().apply(spec));
    });
    return HttpResponse.json(201, new Created(created.id));
  }

  private HttpResponse inspect(HttpRequest req) {
    return HttpResponse.ok(kind.shown().apply(gate.store().view(tx -> tx.table(kind.table())
        .lookup(req.pathParam("id")))));
  }

  /** Labels only, as Docker: the name and the payload of a stored secret or config never change. */
  private HttpResponse update(HttpRequest req) {
    Version version = ManagerGate.version(req, kind.noun());
    S given = body(req);
    gate.store().update(tx -> {
      T o = tx.table(kind.table()).lookup(req.pathParam("id"));
      S stored = kind.spec().apply(o);
      if (!Objects.equals(stored.name, given.name)) {
        throw new InvalidArgumentException("Spec.Name: a " + kind.noun() + " cannot be renamed (\"" + given.name
            + "\" differs from \"" + stored.name + "\"); only Spec.Labels can be updated");
      }
      if (given.data != null && !given.data.isEmpty() && !sameBytes(given.data, stored.data)) {
        throw new InvalidArgumentException("Spec.Data: the data of a " + kind.noun() + " cannot be changed; only "
            + "Spec.Labels can be updated. Create a new " + kind.noun() + " and move services to it (service update "
            + "--" + kind.noun() + "-rm OLD --" + kind.noun() + "-add NEW)");
      }
      if (given.templating != null && !Objects.equals(given.templating.name,
          stored.templating == null ? null : stored.templating.name)) {
        throw new InvalidArgumentException("Spec.Templating: cannot be changed; only Spec.Labels can be updated");
      }
      stored.labels = given.labels == null || given.labels.isEmpty() ? null : new LinkedHashMap<>(given.labels);
      o.version = version;
      return tx.table(kind.table()).update(o);
    });
    return HttpResponse.empty(200);
  }

  private HttpResponse remove(HttpRequest req) {
    gate.store().update(tx -> {
      T o = tx.table(kind.table()).lookup(req.pathParam("id"));
      List<String> users = new ArrayList<>();
      for (Service s : tx.services().all()) {
        if (kind.referencedIds().apply(s).contains(o.id)) {
          users.add(s.spec == null ? s.id : s.spec.name);
        }
      }
      if (!users.isEmpty()) {
        String name = kind.spec().apply(o) == null ? o.id : kind.spec().apply(o).name;
        throw new ConflictException(kind.noun() + " '" + name + "' is in use by the following service"
            + (users.size() == 1 ? "" : "s") + ": " + String.join(", ", users) + "; remove it from them first "
            + "(service update --" + kind.noun() + "-rm " + name + ") or remove the services");
      }
      tx.table(kind.table()).delete(o.id);
      return null;
    });
    return HttpResponse.empty(204);
  }

  private S body(HttpRequest req) {
    if (req.body() == null || req.body().length == 0) {
      throw new InvalidArgumentException("request body: expected a JSON " + kind.noun() + " spec ({\"Name\": ..., "
          + "\"Data\": base64}), got nothing");
    }
    S spec;
    try {
      spec = io.jswarm.api.json.Json.fromBytes(req.body(), kind.specType());
    } catch (RuntimeException e) {
      throw new InvalidArgumentException("request body: not a JSON " + kind.noun() + " spec; give {\"Name\": "
          + "\"...\", \"Labels\": {...}, \"Data\": \"<base64>\"}");
    }
    if (spec == null) {
      throw new InvalidArgumentException("request body: expected a JSON " + kind.noun() + " spec, got null");
    }
    return spec;
  }

  private static boolean sameBytes(String a, String b) {
    try {
      return b != null && Arrays.equals(Base64Data.decode(a), Base64Data.decode(b));
    } catch (InvalidArgumentException e) {
      return false;
    }
  }

  /** The secret ids a service's tasks reference. */
  static List<String> secretIds(Service s) {
    List<String> out = new ArrayList<>();
    ContainerSpec c = containerSpec(s);
    if (c != null && c.secrets != null) {
      for (ContainerSpec.SecretReference r : c.secrets) {
        if (r != null && r.secretId != null) {
          out.add(r.secretId);
        }
      }
    }
    return out;
  }

  /** The config ids a service's tasks reference. */
  static List<String> configIds(Service s) {
    List<String> out = new ArrayList<>();
    ContainerSpec c = containerSpec(s);
    if (c != null && c.configs != null) {
      for (ContainerSpec.ConfigReference r : c.configs) {
        if (r != null && r.configId != null) {
          out.add(r.configId);
        }
      }
    }
    return out;
  }

  private static ContainerSpec containerSpec(Service s) {
    return s.spec == null || s.spec.taskTemplate == null ? null : s.spec.taskTemplate.containerSpec;
  }
}
