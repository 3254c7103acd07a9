# frozen_string_literal: true

# Runs the shared output vectors (adapters/output/vectors.json) through output.rb: the
# chunks written to a file, streamed back as the adapter does; prints one JSON line per
# case (lines streamed, captured text, truncated), compared with the vectors by
# tests/test_values.py (test_ruby_output_vectors). Needs no gem.
require "json"
require "tmpdir"
require_relative "output"

$events = []
def emit(event) = $events << event

def expand(item)
  return item.b if item.is_a?(String)
  return [item["hex"]].pack("H*") if item.key?("hex")

  (item["text"] * item["repeat"] + item.fetch("suffix", "")).b
end

vectors = JSON.parse(File.read(File.join(__dir__, "../output/vectors.json")))
Dir.mktmpdir do |dir|
  vectors["cases"].each do |c|
    path = File.join(dir, "out")
    File.binwrite(path, c["chunks"].map { |chunk| expand(chunk) }.join)
    $events = []
    stream_file("1", "stdout", path)
    fields = captured("stdout", path)
    puts JSON.generate(name: c["name"], lines: $events.flat_map { |e| e[:lines] },
                       captured: fields[:stdout], truncated: fields.fetch(:stdout_truncated, false))
  end
end
