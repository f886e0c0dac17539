package main

import (
	"encoding/hex"
	"io"
	"strconv"
	"unicode/utf8"
)

// A tiny JSON writer whose output is byte-for-byte what Python's
// json.dumps(v, ensure_ascii=False, separators=(",", ":")) produces for the
// same decoded value. encoding/json is not used for records because it
// escapes <, >, &, U+2028 and U+2029 and cannot keep key order for maps;
// matching bytes keeps diffs between the two sides readable.

// obj is a JSON object whose keys keep their insertion order.
type obj []field

type field struct {
	key string
	val any
}

// list is a JSON array.
type list []any

// tstr is a string that came out of a trace: arbitrary bytes, encoded as a
// JSON string if valid UTF-8 and as {"hex": ...} otherwise, so no byte is lost.
type tstr string

// hexBytes is opaque data, encoded as a lowercase hex string.
type hexBytes []byte

// appendJSON appends the encoding of v. It supports exactly the types used
// by the modes; anything else is a programming error.
func appendJSON(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case uint64:
		return strconv.AppendUint(b, v, 10)
	case string:
		return appendString(b, v)
	case tstr:
		if utf8.ValidString(string(v)) {
			return appendString(b, string(v))
		}
		return appendJSON(b, obj{{"hex", hexBytes(v)}})
	case hexBytes:
		b = append(b, '"')
		b = hex.AppendEncode(b, v)
		return append(b, '"')
	case obj:
		b = append(b, '{')
		for i, f := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, f.key)
			b = append(b, ':')
			b = appendJSON(b, f.val)
		}
		return append(b, '}')
	case list:
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, e)
		}
		return append(b, ']')
	}
	panic("appendJSON: unsupported type")
}

// appendString quotes a valid UTF-8 string the way Python's json module does
// with ensure_ascii=False: only '"', '\\' and control characters are escaped.
func appendString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// lineBuf is writeLine's scratch buffer, reused from line to line: the helper
// writes one line at a time, and every writer it uses copies what it is given.
var lineBuf []byte

// writeLine writes v as one JSON line.
func writeLine(w io.Writer, v any) {
	lineBuf = append(appendJSON(lineBuf[:0], v), '\n')
	w.Write(lineBuf)
}
