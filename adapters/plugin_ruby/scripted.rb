# frozen_string_literal: true

# The Ruby envelope (envelope.rb) run on adapters/envelope/vectors.json: an adapter whose
# host work is a script the request carries (the vectors' `about` says how), its output
# written to files and streamed as plugin_ruby streams a guest's (output.rb), so
# tests/test_envelope.py holds every adapter language's framing to one set of cases.

require "fileutils"
require "tmpdir"
require_relative "envelope"
require_relative "output"

class Scripted
  def host = "scripted"

  def hello = { available: true, version: "scripted" }.merge(JSON.parse(ENV.fetch("WASMTUI_SCRIPTED_HELLO", "{}"), symbolize_names: true))

  def command(_request) = "scripted"

  def run(id, request)
    Dir.mktmpdir("wasmtui-scripted") do |dir|
      paths = { "stdout" => File.join(dir, "stdout"), "stderr" => File.join(dir, "stderr") }
      begin
        play(id, request, paths)
      ensure
        paths.each { |stream, path| stream_file(id, stream, path) if File.exist?(path) }
      end
    end
  end

  def play(id, request, paths)
    (request["script"] || []).each do |action, *args|
      case action
      when "out" then File.write(paths.fetch(args[0]), args[1], mode: "ab")
      when "note" then emit(id: id, event: "note", text: args[0])
      when "running" then emit(id: id, event: "running")
      when "throw" then raise args[0]
      when "result" then return args[0]
      end
    end
    { outcome: "harness-error", error: "the script ended without a result" }
  end
end

serve(Scripted.new)
