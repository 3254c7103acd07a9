# frozen_string_literal: true

# The outcome rule of adapters/PROTOCOL.md ("Outcomes") for the Ruby adapter: the same
# as wasmtui/adapterkit/outcomes.py, held to it by adapters/outcomes/vectors.json.
module Outcomes
  # How engines word a trap (wasmtime: "wasm trap", "error while executing at wasm backtrace").
  TRAP_MARKERS = /wasm backtrace|wasm trap|error while executing|RuntimeError|call stack size exceeded|too much recursion|wasm error:/i

  module_function

  # "trapped", "refused" or "harness-error", from the host's own error text only.
  def outcome_of(error, started, signal = nil)
    return (started ? "trapped" : "harness-error") if error =~ TRAP_MARKERS
    return "harness-error" unless signal.nil?

    "refused"
  end

  def failure(message, started)
    { outcome: outcome_of(message, started), error: message.strip }
  end
end
