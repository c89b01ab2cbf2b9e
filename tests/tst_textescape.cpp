// SPDX-License-Identifier: GPL-2.0-or-later
// The escape of OS bytes as UTF-8 text (textescape.h): fixed cases for each rule, then
// random byte strings (biased towards backslashes, 'x', hex digits, stray and partial
// multi-byte sequences) that must come out valid UTF-8 and go back to the same bytes.
#include "support/platformtest.h"

#include "platform/textescape.h"

#include <cctype>
#include <iterator>
#include <random>

using namespace ncv::platform;

namespace {

/// Strings whose bytes come from pieces that make escapes, near-escapes and every kind of
/// broken UTF-8 likely next to each other.
std::string randomBytes(std::mt19937 &rng)
{
    static const std::string_view pieces[] = {
        "\\",
        "x",
        "X",
        "4",
        "1",
        "f",
        "F",
        "g",
        "a",
        "\\x",
        "\\x4",
        "5c",
        "\xff",
        "\xfe",
        "\x80",
        "\xc0\xaf",
        "\xc3\xbc",
        "\xc3",
        "\xbc",
        "\xe6\x97\xa5",
        "\xe6\x97",
        "\xed\xa0\x80",
        "\xef\xbf\xbd",
        "\xf0\x9f\x99\x82",
        "\xf4\x90\x80\x80",
        "\xf5",
        "\x7f",
        "\x01",
        " ",
        "d0",
    };
    std::uniform_int_distribution<int> count(0, 12);
    std::uniform_int_distribution<std::size_t> pick(0, std::size(pieces) - 1);
    std::uniform_int_distribution<int> anyByte(0, 255);
    std::string out;
    const int n = count(rng);
    for (int k = 0; k < n; ++k) {
        if (anyByte(rng) < 32)
            out += char(anyByte(rng));
        else
            out += pieces[pick(rng)];
    }
    return out;
}

} // namespace

TEST_CASE("valid_utf8_passes_through")
{
    for (const char *text : {"", "eth0", "veth-a.b_c@d", "Wohnzimmer-Brücke ünd 日本 🙂", "C:\\temp", "\\", "a\\",
                             "\\\\", "\\x", "\\x4", "\\xg1", "\\X41", "x41", "\xef\xbf\xbd", "\x7f\x01"}) {
        CHECK_EQ(textFromBytes(text), std::string(text));
        CHECK_EQ(bytesFromText(text), std::string(text));
    }
}

TEST_CASE("invalid_bytes_become_hex_escapes")
{
    CHECK_EQ(textFromBytes("bad\xff\xfe"), std::string("bad\\xff\\xfe"));
    CHECK_EQ(textFromBytes("\x80"), std::string("\\x80")); // a lone continuation byte
    CHECK_EQ(textFromBytes("\xc0\xaf"), std::string("\\xc0\\xaf")); // overlong '/'
    CHECK_EQ(textFromBytes("\xe0\x80\xaf"), std::string("\\xe0\\x80\\xaf")); // overlong, 3 bytes
    CHECK_EQ(textFromBytes("\xed\xa0\x80"), std::string("\\xed\\xa0\\x80")); // surrogate U+D800
    CHECK_EQ(textFromBytes("\xf4\x90\x80\x80"), std::string("\\xf4\\x90\\x80\\x80")); // U+110000
    CHECK_EQ(textFromBytes("\xf5\x80"), std::string("\\xf5\\x80"));
    CHECK_EQ(textFromBytes("\xe6\x97"), std::string("\\xe6\\x97")); // truncated at the end
    CHECK_EQ(textFromBytes("\xe6\x97x"), std::string("\\xe6\\x97x")); // truncated before ASCII
    CHECK_EQ(textFromBytes("\xc3\xbc\xff\xc3\xbc"), std::string("\xc3\xbc\\xff\xc3\xbc")); // ü kept around it
    const std::string withNul("a\0b", 3); // NUL is UTF-8 (the decoder stops at it anyway)
    CHECK_EQ(textFromBytes(withNul), withNul);
    CHECK_EQ(bytesFromText("bad\\xff\\xFE"), std::string("bad\xff\xfe")); // either case of hex digit
}

TEST_CASE("a_backslash_that_would_read_as_an_escape_is_escaped")
{
    CHECK_EQ(textFromBytes("a\\x41"), std::string("a\\x5cx41"));
    CHECK_EQ(textFromBytes("\\xFF"), std::string("\\x5cxFF"));
    CHECK_EQ(textFromBytes("\\\\x41"), std::string("\\\\x5cx41")); // only the one before x41
    CHECK_EQ(textFromBytes("\\\xff"), std::string("\\\\xff")); // a backslash before a stray byte stays
    CHECK_EQ(textFromBytes("\\x\xff"), std::string("\\x\\xff"));
    CHECK_EQ(textFromBytes("\\x4\xff"), std::string("\\x4\\xff"));
    CHECK_EQ(bytesFromText("a\\x5cx41"), std::string("a\\x41"));
    CHECK_EQ(bytesFromText("\\\\xff"), std::string("\\\xff"));
}

TEST_CASE("is_valid_utf8")
{
    CHECK(isValidUtf8(""));
    CHECK(isValidUtf8("plain"));
    CHECK(isValidUtf8("\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"));
    for (const char *bad :
         {"\x80", "\xc1\xbf", "\xc2", "\xe0\x9f\xbf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xf0\x8f\xbf\xbf",
          "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xe1\x80", "\xe1\x80\xc0"})
        CHECK(!isValidUtf8(bad));
}

TEST_CASE("random_bytes_round_trip")
{
    std::mt19937 rng(20261121);
    int withEscapes = 0;
    for (int k = 0; k < 50'000; ++k) {
        const std::string raw = randomBytes(rng);
        const std::string text = textFromBytes(raw);
        if (!isValidUtf8(text) || bytesFromText(text) != raw) {
            CHECK(isValidUtf8(text));
            CHECK_EQ(bytesFromText(text), raw);
            break;
        }
        // Valid UTF-8 without anything that reads as an escape is left as it is.
        bool looksEscaped = false;
        for (std::size_t i = 0; i + 3 < raw.size(); ++i)
            looksEscaped |= raw[i] == '\\' && raw[i + 1] == 'x' && std::isxdigit(static_cast<unsigned char>(raw[i + 2]))
                && std::isxdigit(static_cast<unsigned char>(raw[i + 3]));
        if (isValidUtf8(raw) && !looksEscaped)
            CHECK_EQ(text, raw);
        withEscapes += text != raw;
    }
    CHECK(withEscapes > 10'000); // the generator does reach the escapes
}
