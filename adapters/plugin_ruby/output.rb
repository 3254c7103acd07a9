# frozen_string_literal: true

# The output rules of adapters/PROTOCOL.md for the Ruby adapter (guest output read back
# from files): lines streamed in chunks of events, each at most 16 KiB of UTF-8 (cut on a
# character boundary, marked), the first MiB captured. wasmtui/adapterkit/protocol.py and
# js_common/protocol.mjs follow the same shared vectors (adapters/output/vectors.json,
# run here by output_vectors.rb). Events go out through the caller's `emit`.

MAX_LINE = 16 * 1024
MAX_CAPTURE = 1024 * 1024
CHUNK_LINES = 1000 # lines per output event: a flood costs one event per chunk
CUT = " [line cut at 16 KiB]"

# A line as streamed (bytes in, UTF-8 text out): a longer one is cut and marked, and a
# character the cut splits is dropped, not replaced.
def cut_line(bytes)
  text = bytes.dup.force_encoding("UTF-8")
  return text.scrub if text.bytesize <= MAX_LINE

  text.byteslice(0, MAX_LINE - CUT.bytesize).scrub("") + CUT
end

# Guest output lands in files (WASI stdout/stderr); they are read back in chunks, never
# whole lines at once: lines cut at 16 KiB, a line without end costs 16 KiB.
def stream_file(id, stream, path)
  lines = []
  partial = +""
  cutting = false
  flush = lambda do
    emit(id: id, event: "output", stream: stream, lines: lines) unless lines.empty?
    lines = []
  end
  File.open(path, "rb") do |f|
    while (chunk = f.read(65_536))
      if cutting # inside a line already cut: skip bytes up to its end, building nothing
        newline = chunk.index("\n")
        next unless newline

        chunk = chunk.byteslice(newline, chunk.bytesize)
      end
      parts = (partial + chunk).split("\n", -1)
      partial = parts.pop.to_s
      parts.each do |line|
        lines << cut_line(line) unless cutting
        cutting = false
        flush.call if lines.size >= CHUNK_LINES
      end
      next unless partial.bytesize > MAX_LINE

      lines << cut_line(partial) unless cutting
      cutting = true
      partial = +""
    end
  end
  lines << cut_line(partial) unless partial.empty? || cutting
  flush.call
end

def captured(stream, path)
  text = File.open(path, "rb") { |f| f.read(MAX_CAPTURE) } || ""
  fields = { stream.to_sym => text.force_encoding("UTF-8").scrub }
  fields[:"#{stream}_truncated"] = true if File.size(path) > MAX_CAPTURE
  fields
end
