package io.jswarm.consensus.store;

import io.jswarm.api.types.StoreObject;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * A patch: a row of a table's type in which only the top-level fields that change are set (every other field null),
 * applied to a stored row as a copy of it with those fields replaced. What {@link TableWriter#patch} records and the
 * {@link Change.Op#PATCH} change of the log carries instead of the whole row (a task's status move is a few hundred
 * bytes of a ~1 KB row). A field cannot be patched to null; nested objects are replaced whole, never merged.
 *
 * <p>Only row types whose instance fields are all references and start null can be patched (checked once per type):
 * a primitive field or one with a default value could not tell "unchanged" from "set".
 */
final class RowPatch {
  private static final ClassValue<Field[]> FIELDS = new ClassValue<>() {
    @Override
    protected Field[] computeValue(Class<?> type) {
      return fieldsOf(type);
    }
  };

  private RowPatch() {}

  /** A shallow copy of {@code row} with every non-null field of {@code patch} set; neither argument changes. */
  static <T extends StoreObject> T apply(T row, StoreObject patch) {
    if (patch.getClass() != row.getClass()) {
      throw new IllegalArgumentException("a patch of " + patch.getClass().getSimpleName() + " for a row of "
          + row.getClass().getSimpleName());
    }
    T out = copy(row);
    try {
      for (Field f : FIELDS.get(row.getClass())) {
        Object v = f.get(patch);
        if (v != null) {
          f.set(out, v);
        }
      }
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot patch a " + row.getClass().getSimpleName() + ": " + e, e);
    }
    return out;
  }

  /** A shallow copy of {@code row}: every field copied, nested objects shared. */
  @SuppressWarnings("unchecked")
  static <T extends StoreObject> T copy(T row) {
    Class<?> type = row.getClass();
    try {
      Object out = type.getDeclaredConstructor().newInstance();
      for (Field f : FIELDS.get(type)) {
        f.set(out, f.get(row));
      }
      return (T) out;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot copy a " + type.getSimpleName() + ": " + e, e);
    }
  }

  /** Whether rows of {@code type} can be patched: see the class comment. */
  static boolean patchable(Class<? extends StoreObject> type) {
    try {
      FIELDS.get(type);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static Field[] fieldsOf(Class<?> type) {
    Object fresh;
    try {
      fresh = type.getDeclaredConstructor().newInstance();
    } catch (NoSuchMethodException | InstantiationException | IllegalAccessException | InvocationTargetException e) {
      throw new IllegalArgumentException(type.getSimpleName() + " cannot be patched: no public no-argument "
          + "constructor", e);
    }
    List<Field> out = new ArrayList<>();
    for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers())) {
          continue;
        }
        if (f.getType().isPrimitive() || Modifier.isFinal(f.getModifiers())) {
          throw new IllegalArgumentException(type.getSimpleName() + " cannot be patched: field " + f.getName()
              + " is primitive or final");
        }
        f.setAccessible(true);
        try {
          if (f.get(fresh) != null) {
            throw new IllegalArgumentException(type.getSimpleName() + " cannot be patched: field " + f.getName()
                + " does not start null");
          }
        } catch (IllegalAccessException e) {
          throw new IllegalArgumentException(type.getSimpleName() + " cannot be patched: " + e, e);
        }
        out.add(f);
      }
    }
    return out.toArray(Field[]::new);
  }
}
