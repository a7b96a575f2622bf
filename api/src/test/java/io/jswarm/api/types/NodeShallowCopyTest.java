package io.jswarm.api.types;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Node#shallowCopy} carries every field, so a field added to Node (or StoreObject) cannot be left out. */
class NodeShallowCopyTest {
  @Test
  void everyFieldIsCarried() throws Exception {
    Node n = new Node();
    List<Field> fields = new ArrayList<>();
    for (Class<?> c = Node.class; c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers())) {
          f.setAccessible(true);
          f.set(n, sample(f.getType()));
          fields.add(f);
        }
      }
    }
    Node copy = n.shallowCopy();
    assertNotSame(n, copy);
    for (Field f : fields) {
      assertNotNull(f.get(n), f.getName());
      assertSame(f.get(n), f.get(copy), "Node.shallowCopy must carry " + f.getDeclaringClass().getSimpleName()
          + "." + f.getName());
    }
  }

  private static Object sample(Class<?> type) throws Exception {
    if (type == String.class) {
      return new String("value");
    }
    if (type == List.class) {
      return new ArrayList<>();
    }
    if (type == java.util.Map.class) {
      return new java.util.HashMap<>();
    }
    return type.getDeclaredConstructor().newInstance();
  }
}
