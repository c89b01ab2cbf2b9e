// SPDX-License-Identifier: GPL-2.0-or-later
// RequesterMatcher: whether an event was asked for by "who" the user typed (the timeline's
// By filter: "only changes made by tailscaled"). The text matches a requester
// (platform::Requester, by its RequesterTable id) when it equals, ignoring case:
// - its command (/proc/PID/comm, at most 15 bytes: "tailscaled", "ip", "NetworkManager"),
// - its PID ("4006"),
// - its By text as the event log shows it ("ip (4006)", "kernel", "port 4006", a cause),
// - for an inferred event, the part of its cause before " (": "kernel" matches the
//   kernel's own changes and "kernel (link d1 down)".
// A text with * or ? is a pattern over the same texts (* any run of characters, ? one):
// "tail*", "*manager". Whole texts, not parts: "ip" does not match "pipewire".
// An empty text matches every event; a non-empty one never matches an event that names
// nobody (snapshot rows, Windows).
// Answers are cached per requester id, so a pass over 10M events costs a vector lookup
// each. Not thread-safe: one per thread (RequesterTable itself is).
#pragma once

#include <QRegularExpression>
#include <QString>

#include <cstdint>
#include <vector>

namespace ncv::platform {
struct Requester;
}

namespace ncv {

class RequesterMatcher {
public:
    explicit RequesterMatcher(const QString &text = QString());

    /// The text, trimmed.
    QString text() const { return m_text; }
    /// True for an empty text (every event matches).
    bool isEmpty() const { return m_text.isEmpty(); }
    /// Whether the requester with this RequesterTable id matches.
    bool matches(std::uint32_t requesterId);
    /// The rule itself, for one requester.
    bool matches(const platform::Requester &r) const;

    /// The names to offer for a requester filter: the commands of the requesters known to
    /// this program (RequesterTable), and "kernel", sorted, each once.
    static QStringList knownNames();

private:
    bool matchesText(const QString &candidate) const;

    QString m_text;
    QRegularExpression m_pattern; // valid when the text has * or ?
    std::vector<std::uint8_t> m_cache; // id -> 0 not tried, 1 no, 2 yes
};

} // namespace ncv
