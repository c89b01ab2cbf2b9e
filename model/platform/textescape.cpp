// SPDX-License-Identifier: GPL-2.0-or-later
#include "platform/textescape.h"

namespace ncv::platform {

namespace {

constexpr char kHex[] = "0123456789abcdef";

bool isHexDigit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

unsigned hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return unsigned(c - '0');
    if (c >= 'a' && c <= 'f')
        return unsigned(c - 'a' + 10);
    return unsigned(c - 'A' + 10);
}

/// Length (1..4) of the well-formed UTF-8 sequence starting at s[i], or 0 when the byte
/// there does not start one (table 3-7 of the Unicode standard).
std::size_t sequenceLength(std::string_view s, std::size_t i)
{
    const auto byte = [&s](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80)
        return 1;
    std::size_t length = 0;
    unsigned char lo = 0x80, hi = 0xbf; // range of the second byte
    if (b0 >= 0xc2 && b0 <= 0xdf) {
        length = 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
        length = 3;
        if (b0 == 0xe0)
            lo = 0xa0; // no overlong forms
        else if (b0 == 0xed)
            hi = 0x9f; // no surrogates
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
        length = 4;
        if (b0 == 0xf0)
            lo = 0x90; // no overlong forms
        else if (b0 == 0xf4)
            hi = 0x8f; // nothing above U+10FFFF
    } else {
        return 0; // 0x80..0xc1 (continuation, overlong lead) or 0xf5..0xff
    }
    if (s.size() - i < length)
        return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi)
        return 0;
    for (std::size_t k = 2; k < length; ++k)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xbf)
            return 0;
    return length;
}

bool startsEscape(std::string_view s, std::size_t i)
{
    return s.size() - i >= 4 && s[i] == '\\' && s[i + 1] == 'x' && isHexDigit(s[i + 2]) && isHexDigit(s[i + 3]);
}

void appendEscape(std::string &out, unsigned char byte)
{
    out += "\\x";
    out += kHex[byte >> 4];
    out += kHex[byte & 0xf];
}

} // namespace

std::string textFromBytes(std::string_view bytes)
{
    // Names are short and nearly always plain ASCII without a backslash: returned as they are.
    std::size_t i = 0;
    while (i < bytes.size() && static_cast<unsigned char>(bytes[i]) < 0x80 && bytes[i] != '\\')
        ++i;
    if (i == bytes.size())
        return std::string(bytes);
    std::string out(bytes.substr(0, i));
    out.reserve(bytes.size() + 8);
    while (i < bytes.size()) {
        if (startsEscape(bytes, i)) {
            appendEscape(out, '\\');
            ++i;
            continue;
        }
        const std::size_t length = sequenceLength(bytes, i);
        if (length == 0) {
            appendEscape(out, static_cast<unsigned char>(bytes[i]));
            ++i;
            continue;
        }
        out.append(bytes.substr(i, length));
        i += length;
    }
    return out;
}

std::string bytesFromText(std::string_view text)
{
    if (text.find("\\x") == std::string_view::npos)
        return std::string(text);
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (startsEscape(text, i)) {
            out += static_cast<char>(hexValue(text[i + 2]) << 4 | hexValue(text[i + 3]));
            i += 4;
        } else {
            out += text[i++];
        }
    }
    return out;
}

bool isValidUtf8(std::string_view bytes)
{
    for (std::size_t i = 0; i < bytes.size();) {
        const std::size_t length = sequenceLength(bytes, i);
        if (length == 0)
            return false;
        i += length;
    }
    return true;
}

} // namespace ncv::platform
