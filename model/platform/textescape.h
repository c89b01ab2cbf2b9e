// SPDX-License-Identifier: GPL-2.0-or-later
// Bytes from the OS as text: interface names, aliases and labels are byte strings to the
// kernel (any bytes but NUL, '/', ':' and white space in a name; any bytes in an alias),
// while every layer above shows and writes UTF-8. These two functions are the one
// conversion, applied where the bytes enter (the rtnetlink decoder, the iphlpapi row
// conversion), so rows hold valid UTF-8 from which the bytes can be recovered. Qt-free.
//
// The escape: valid UTF-8 passes through unchanged; each byte that is not part of a
// well-formed UTF-8 sequence becomes `\xHH` (a backslash, `x`, two lower-case hex digits);
// a backslash that is followed by `x` and two hex digits (either case) is itself written
// `\x5c`, so that every `\xHH` in the text is an escape and nothing else is one. Only a
// backslash in that position changes; any other backslash stays as it is.
//   "eth0" -> "eth0", "bad\xff\xfe" (bytes) -> "bad\xff\xfe" (text, 12 characters),
//   "a\x41" (text typed by a user) -> "a\x5cx41", "C:\temp" -> "C:\temp".
#pragma once

#include <string>
#include <string_view>

namespace ncv::platform {

/// bytes as valid UTF-8 text with the escape above. bytesFromText(textFromBytes(b)) == b
/// for every byte string b.
std::string textFromBytes(std::string_view bytes);
/// The bytes behind text written by textFromBytes: each `\xHH` (hex digits of either
/// case) becomes the byte 0xHH; everything else is copied. Never fails: text that
/// textFromBytes did not write comes back with its escapes undone.
std::string bytesFromText(std::string_view text);
/// True when bytes is well-formed UTF-8 (Unicode 15, table 3-7: no overlong forms, no
/// surrogates U+D800..U+DFFF, nothing above U+10FFFF).
bool isValidUtf8(std::string_view bytes);

} // namespace ncv::platform
