# frozen_string_literal: true

# The builtin host functions every adapter provides (adapters/PROTOCOL.md, invoke), held
# to the other adapter languages by adapters/builtins/vectors.json (vectors.rb).
BUILTINS = {
  "reverse" => ->(s) { s.reverse },
  "upper" => ->(s) { s.upcase },
  "identity" => ->(s) { s }
}.freeze
