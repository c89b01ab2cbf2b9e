// SPDX-License-Identifier: GPL-2.0-or-later
#include "app/displaycheck.h"

#include "app/commandline.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QLibrary>
#include <QPluginLoader>
#include <QSet>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
#define NCV_CHECK_DISPLAY 1
#include <optional>
#include <sys/stat.h>
#endif

namespace ncv {

QString headlessHint()
{
    return QStringLiteral("record without a window with: netchangeview --headless --export-csv FILE");
}

namespace {

/// The value after "-name" or "--name" in arguments (Qt's GUI options take it as the next
/// argument), else an empty string.
QString argumentValue(const QStringList &arguments, QStringView name)
{
    for (qsizetype i = 1; i + 1 < arguments.size(); ++i) {
        const QString &a = arguments.at(i);
        if ((a.startsWith(u"--") && QStringView(a).mid(2) == name)
            || (a.startsWith(u'-') && QStringView(a).mid(1) == name))
            return arguments.at(i + 1);
    }
    return {};
}

/// The platform specification Qt uses: -platform, else QT_QPA_PLATFORM; empty = Qt's default.
QString platformSpec(const QStringList &arguments)
{
    const QString fromArgument = argumentValue(arguments, u"platform");
    return fromArgument.isEmpty() ? qEnvironmentVariable("QT_QPA_PLATFORM") : fromArgument;
}

#ifdef NCV_CHECK_DISPLAY

/// Keys (lower case) of the platform plugins Qt can find: static ones and those in the
/// "platforms" folders it searches (QPluginLoader reads the metadata without loading).
QSet<QString> installedPlatformKeys(const QStringList &arguments)
{
    QSet<QString> keys;
    const auto addKeys = [&keys](const QJsonObject &meta) {
        if (!meta.value(QStringLiteral("IID"))
                 .toString()
                 .startsWith(QStringLiteral("org.qt-project.Qt.QPA.QPlatformIntegrationFactoryInterface")))
            return;
        const QJsonArray list
            = meta.value(QStringLiteral("MetaData")).toObject().value(QStringLiteral("Keys")).toArray();
        for (const QJsonValue &key : list)
            keys.insert(key.toString().toLower());
    };
    const QList<QStaticPlugin> statics = QPluginLoader::staticPlugins();
    for (const QStaticPlugin &plugin : statics)
        addKeys(plugin.metaData());
    QStringList folders;
    const QString fromArgument = argumentValue(arguments, u"platformpluginpath");
    if (!fromArgument.isEmpty())
        folders << fromArgument;
    const QString fromEnvironment = qEnvironmentVariable("QT_QPA_PLATFORM_PLUGIN_PATH");
    if (!fromEnvironment.isEmpty())
        folders << fromEnvironment;
    const QStringList libraryPaths = QCoreApplication::libraryPaths();
    for (const QString &path : libraryPaths)
        folders << path + QStringLiteral("/platforms");
    for (const QString &folder : std::as_const(folders)) {
        const QFileInfoList files = QDir(folder).entryInfoList(QDir::Files);
        for (const QFileInfo &file : files) {
            if (QLibrary::isLibrary(file.fileName()))
                addKeys(QPluginLoader(file.absoluteFilePath()).metaData());
        }
    }
    return keys;
}

// The server's sockets are looked at, never connected to: a connection opened and closed
// at once made Xvfb drop the application's own connection right after it (about one time
// in three), so a probe could break a display that works.

/// True when path is a socket file (a server may be listening; if it is stale, Qt's own
/// attempt fails and PlatformStartupGuard says so).
bool isSocketFile(const QByteArray &path)
{
    struct stat st = {};
    return ::stat(path.constData(), &st) == 0 && S_ISSOCK(st.st_mode);
}

/// Lines of a /proc/net table, without its header; nullopt when it cannot be read.
std::optional<QList<QByteArray>> procNetTable(const char *name)
{
    QFile file(QString::fromLatin1(name));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    QList<QByteArray> lines = file.readAll().split('\n');
    if (!lines.isEmpty())
        lines.removeFirst();
    return lines;
}

/// Whether a unix socket bound to name ("@name" for the Linux abstract namespace) is
/// listening in this network namespace (/proc/net/unix: Flags has __SO_ACCEPTCON,
/// 0x10000). True when that cannot be told.
bool listeningUnixSocket(const QByteArray &name)
{
#ifdef Q_OS_LINUX
    const auto lines = procNetTable("/proc/net/unix");
    if (!lines)
        return true;
    // Num: RefCount Protocol Flags Type St Inode Path
    for (const QByteArray &line : *lines) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        bool ok = false;
        if (fields.size() >= 8 && fields.at(7) == name && (fields.at(3).toUInt(&ok, 16) & 0x10000) && ok)
            return true;
    }
    return false;
#else
    Q_UNUSED(name);
    return true;
#endif
}

/// Whether a TCP socket listens on port in this network namespace (/proc/net/tcp and
/// tcp6, state 0A), on any address. True when that cannot be told.
bool listeningTcpPort(quint16 port)
{
#ifdef Q_OS_LINUX
    bool readAny = false;
    for (const char *table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        const auto lines = procNetTable(table);
        if (!lines)
            continue;
        readAny = true;
        // sl local_address rem_address st ...; local_address is HEXADDR:HEXPORT
        for (const QByteArray &line : *lines) {
            const QList<QByteArray> fields = line.simplified().split(' ');
            bool ok = false;
            if (fields.size() >= 4 && fields.at(3) == "0A"
                && fields.at(1).mid(fields.at(1).lastIndexOf(':') + 1).toUInt(&ok, 16) == port && ok)
                return true;
        }
    }
    return !readAny;
#else
    Q_UNUSED(port);
    return true;
#endif
}

/// Why the X11 display cannot be reached, or empty when it may be (or it is not local).
/// Looks where libxcb connects for "[unix/][unix]:N[.S]": the socket file
/// /tmp/.X11-unix/XN, the abstract socket of that name, then (no "unix" given) TCP port
/// 6000 + N.
QString x11Problem(const QStringList &arguments)
{
    QString display = argumentValue(arguments, u"display");
    if (display.isEmpty())
        display = qEnvironmentVariable("DISPLAY");
    if (display.isEmpty())
        return QStringLiteral("DISPLAY is not set");
    QString rest = display;
    QString protocol;
    const qsizetype colon = rest.lastIndexOf(u':');
    const qsizetype slash = rest.indexOf(u'/');
    if (colon < 0)
        return {}; // a form this check does not know: Qt decides
    if (slash >= 0 && slash < colon) {
        protocol = rest.left(slash);
        rest = rest.mid(slash + 1);
    }
    const QString host = rest.left(rest.lastIndexOf(u':'));
    bool ok = false;
    const uint number = rest.mid(rest.lastIndexOf(u':') + 1).section(u'.', 0, 0).toUInt(&ok);
    if (!ok || number > 59535)
        return {};
    const bool unixOnly = protocol == u"unix" || host == u"unix";
    if ((!host.isEmpty() && host != u"unix") || (!protocol.isEmpty() && protocol != u"unix"))
        return {}; // remote: Qt decides
    const QByteArray socketPath = "/tmp/.X11-unix/X" + QByteArray::number(number);
    if (isSocketFile(socketPath) || listeningUnixSocket('@' + socketPath))
        return {};
    if (!unixOnly && listeningTcpPort(quint16(6000 + number)))
        return {};
    return QStringLiteral("display '%1': no X server is listening on %2%3")
        .arg(display, QString::fromLatin1(socketPath),
             unixOnly ? QString() : QStringLiteral(" nor on TCP port %1").arg(6000 + number));
}

/// Why the Wayland display cannot be reached, or empty when it can.
QString waylandProblem()
{
    if (qEnvironmentVariableIsSet("WAYLAND_SOCKET"))
        return {}; // a connected socket handed over by the compositor
    const QString name = qEnvironmentVariable("WAYLAND_DISPLAY", QStringLiteral("wayland-0"));
    QString path = name;
    if (!name.startsWith(u'/')) {
        const QString runtimeDir = qEnvironmentVariable("XDG_RUNTIME_DIR");
        if (runtimeDir.isEmpty())
            return QStringLiteral("Wayland display '%1': XDG_RUNTIME_DIR is not set").arg(name);
        path = runtimeDir + u'/' + name;
    }
    if (isSocketFile(QFile::encodeName(path)))
        return {};
    return QStringLiteral("Wayland display '%1': there is no socket %2").arg(name, path);
}

#endif // NCV_CHECK_DISPLAY

} // namespace

QString displayProblem(const QStringList &arguments)
{
#ifdef NCV_CHECK_DISPLAY
    const QString spec = platformSpec(arguments);
    QStringList platforms;
    for (const QString &entry : spec.split(u';', Qt::SkipEmptyParts))
        platforms << entry.section(u':', 0, 0).trimmed();
    platforms.removeAll(QString());
    const bool chosen = !platforms.isEmpty();
    if (!chosen) {
        platforms << QStringLiteral("xcb");
        if (qEnvironmentVariableIsSet("WAYLAND_DISPLAY") || qEnvironmentVariable("XDG_SESSION_TYPE") == u"wayland")
            platforms.prepend(QStringLiteral("wayland"));
    }
    const QSet<QString> keys = installedPlatformKeys(arguments);
    QStringList reasons;
    for (const QString &platform : std::as_const(platforms)) {
        QString reason;
        if (!keys.isEmpty() && !keys.contains(platform.toLower())) {
            QStringList installed(keys.begin(), keys.end());
            installed.sort();
            reason = QStringLiteral("no Qt platform plugin '%1' is installed (there are: %2)")
                         .arg(platform, installed.join(QStringLiteral(", ")));
        } else if (platform == u"xcb") {
            reason = x11Problem(arguments);
            if (!chosen && reason == u"DISPLAY is not set" && platforms.size() == 1)
                reason = QStringLiteral("no display: DISPLAY and WAYLAND_DISPLAY are not set");
        } else if (platform.startsWith(u"wayland")) {
            reason = waylandProblem();
        }
        if (reason.isEmpty())
            return {};
        reasons << reason;
    }
    return QStringLiteral("netchangeview: cannot open a window: %1; %2")
        .arg(reasons.join(QStringLiteral("; ")), headlessHint());
#else
    Q_UNUSED(arguments);
    return {};
#endif
}

namespace {

struct HeldMessage {
    QtMsgType type;
    QByteArray category;
    QString text;
};
QtMessageHandler g_previousHandler = nullptr;
QList<HeldMessage> g_held;
QString g_where; // "platform 'xcb', display ':99'" for the fatal line

void startupMessageHandler(QtMsgType type, const QMessageLogContext &context, const QString &text)
{
    if (type != QtFatalMsg) {
        g_held.append(HeldMessage {type, QByteArray(context.category), text});
        return;
    }
    // The first warning names the cause ("could not connect to display :99"); Qt's fatal
    // text after it is general ("no Qt platform plugin could be initialized...").
    QString reason = text;
    const auto warning = std::find_if(g_held.cbegin(), g_held.cend(), [](const HeldMessage &m) {
        return m.type == QtWarningMsg || m.type == QtCriticalMsg;
    });
    if (warning != g_held.cend())
        reason = warning->text;
    reason = reason.section(u'\n', 0, 0).trimmed();
    const QString line
        = QStringLiteral("netchangeview: cannot open a window (%1): %2; %3\n").arg(g_where, reason, headlessHint());
    std::fputs(line.toLocal8Bit().constData(), stderr);
    std::fflush(stderr);
    std::_Exit(ExitNoDisplay); // instead of abort(): nothing was recorded, nothing to clean up
}

} // namespace

PlatformStartupGuard::PlatformStartupGuard(const QStringList &arguments)
{
    const QString spec = platformSpec(arguments);
    QString display = argumentValue(arguments, u"display");
    if (display.isEmpty())
        display = qEnvironmentVariable("DISPLAY");
    g_where
        = QStringLiteral("platform '%1', display '%2'").arg(spec.isEmpty() ? QStringLiteral("default") : spec, display);
    if (qEnvironmentVariableIsSet("WAYLAND_DISPLAY"))
        g_where += QStringLiteral(", Wayland display '%1'").arg(qEnvironmentVariable("WAYLAND_DISPLAY"));
    g_held.clear();
    g_previousHandler = qInstallMessageHandler(startupMessageHandler);
}

PlatformStartupGuard::~PlatformStartupGuard()
{
    qInstallMessageHandler(g_previousHandler);
    const QList<HeldMessage> held = std::exchange(g_held, {});
    for (const HeldMessage &m : held) {
        const QMessageLogger logger(nullptr, 0, nullptr, m.category.isEmpty() ? "default" : m.category.constData());
        const QByteArray text = m.text.toUtf8();
        switch (m.type) {
        case QtDebugMsg: logger.debug("%s", text.constData()); break;
        case QtInfoMsg: logger.info("%s", text.constData()); break;
        case QtCriticalMsg: logger.critical("%s", text.constData()); break;
        default: logger.warning("%s", text.constData()); break;
        }
    }
}

} // namespace ncv
