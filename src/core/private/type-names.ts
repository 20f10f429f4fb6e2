/**
 * The construct type that errors name, for classes of this library that extend one another: a `CentralEventBus` is a
 * `SecureEventBus`, and a check the two share must name the class the user wrote. Each class registers its name; an
 * instance's name is the one of the nearest registered class in its prototype chain (a user's own subclass gets its
 * library parent's name: a minified or jsii-generated class name would mean nothing in a message).
 */
const NAMES = new Map<Function, string>();

/** Registers the name that errors give for instances of `type` (and of its unregistered subclasses). */
export function registerTypeName(type: Function, name: string): void {
  NAMES.set(type, name);
}

/** The name errors give for `instance`: its nearest registered class's, else `fallback`. */
export function typeNameOf(instance: object, fallback: string): string {
  for (let proto = Object.getPrototypeOf(instance); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const name = NAMES.get(proto.constructor);
    if (name !== undefined) return name;
  }
  return fallback;
}
