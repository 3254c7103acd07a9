// The consumer half of composed_c_rust, in C: every function makes counters through the
// imported wasmtui:conformance/resources (provided, once composed, by resources_rust in
// Rust), passes them back borrowed and owned, and drops them. The host calls only these
// exports; every handle crosses the boundary between the two components inside.
#include <stdlib.h>

#include "tally_consumer.h"

typedef wasmtui_conformance_resources_own_counter_t own_counter;
typedef wasmtui_conformance_resources_borrow_counter_t borrow_counter;

static borrow_counter borrow(own_counter c) {
  return wasmtui_conformance_resources_borrow_counter(c);
}

uint32_t exports_wasmtui_conformance_tally_tally(tally_consumer_list_u32_t *starts, uint32_t by) {
  size_t n = starts->len;
  own_counter *owned = calloc(n ? n : 1, sizeof *owned);
  borrow_counter *borrowed = calloc(n ? n : 1, sizeof *borrowed);
  if (owned == NULL || borrowed == NULL) abort();
  for (size_t i = 0; i < n; i++) {
    owned[i] = wasmtui_conformance_resources_constructor_counter(starts->ptr[i]);
    wasmtui_conformance_resources_method_counter_incr(borrow(owned[i]), by);
    borrowed[i] = borrow(owned[i]);
  }
  wasmtui_conformance_resources_list_borrow_counter_t list = {borrowed, n};
  uint32_t total = wasmtui_conformance_resources_total(&list);
  for (size_t i = 0; i < n; i++) wasmtui_conformance_resources_counter_drop_own(owned[i]);
  free(owned);
  free(borrowed);
  tally_consumer_list_u32_free(starts);  // an export's arguments are the callee's to free
  return total;
}

uint32_t exports_wasmtui_conformance_tally_handoff(uint32_t start) {
  own_counter c = wasmtui_conformance_resources_constructor_counter(start);
  return wasmtui_conformance_resources_static_counter_consume(c);  // c moves: no drop
}

uint32_t exports_wasmtui_conformance_tally_merged(uint32_t a, uint32_t b) {
  own_counter x = wasmtui_conformance_resources_constructor_counter(a);
  own_counter y = wasmtui_conformance_resources_constructor_counter(b);
  own_counter m = wasmtui_conformance_resources_static_counter_merged(borrow(x), borrow(y));
  uint32_t value = wasmtui_conformance_resources_method_counter_get(borrow(m));
  wasmtui_conformance_resources_counter_drop_own(x);
  wasmtui_conformance_resources_counter_drop_own(y);
  wasmtui_conformance_resources_counter_drop_own(m);
  return value;
}

uint32_t exports_wasmtui_conformance_tally_dropped(void) {
  return wasmtui_conformance_resources_drops();
}
