// SPDX-License-Identifier: GPL-2.0-or-later
// TablesPage: the live tables as tabs — Interfaces, Addresses, Routes, Entities — each a
// TableSection over one of a NotificationModel's table models. It also links two of
// them: selecting an entity (a route origin, rtm_protocol) keeps only that protocol's
// routes in the Routes table, with a "Protocol: <name>" note whose "Show all" button
// clears the selection; double clicking an entity goes to the Routes tab. It shows the
// models and never starts, stops or restarts the NotificationModel. GUI thread only.
#pragma once

#include <QList>
#include <QWidget>

class QTabWidget;

namespace ncv {

class ColumnFilterProxy;
class EntityTableModel;
class NotificationModel;
class TableSection;

class TablesPage : public QWidget {
    Q_OBJECT
public:
    /// Shows model's interfaces(), addresses(), routes() and entities() (not owned; must
    /// outlive the page). The sections are named "interfaces", "addresses", "routes" and
    /// "entities" (their objectName, which the window uses as their settings key).
    explicit TablesPage(NotificationModel *model, QWidget *parent = nullptr);

    TableSection *interfacesSection() const { return m_interfaces; }
    TableSection *addressesSection() const { return m_addresses; }
    TableSection *neighborsSection() const { return m_neighbors; }
    TableSection *rulesSection() const { return m_rules; }
    TableSection *nexthopsSection() const { return m_nexthops; }
    TableSection *routesSection() const { return m_routes; }
    /// Entities (route origins); selecting one filters the Routes table to its protocol.
    TableSection *entitiesSection() const { return m_entities; }
    /// The Routes table's proxy (its required value is the selected entity's protocol).
    ColumnFilterProxy *routesProxy() const { return m_routesProxy; }
    /// The tab bar over the four sections (its current index is saved by the window).
    QTabWidget *tabs() const { return m_tabs; }

    /// Shows model's four tables instead (e.g. a moment of the past beside the live model);
    /// sort orders and filter lines stay. Not owned; must outlive its use here.
    void showModel(NotificationModel *model);
    /// The model whose tables are shown.
    NotificationModel *model() const { return m_model; }

    /// The four sections in tab order.
    QList<TableSection *> sections() const;
    /// The section of the current tab.
    TableSection *currentSection() const;
    /// Makes section (one of sections()) the current tab; anything else is ignored.
    void setCurrentSection(TableSection *section);

Q_SIGNALS:
    /// The current tab changed to section.
    void currentSectionChanged(ncv::TableSection *section);
    /// showModel() switched to model's tables.
    void modelShown(ncv::NotificationModel *model);

private:
    /// Filters the Routes table to the selected entity's protocol (naming it in the
    /// table's condition note), or shows every route when no entity is selected.
    void onEntitySelectionChanged();
    /// Watches entities for the removal of the selected entity (replacing the last one watched).
    void watchEntities(EntityTableModel *entities);

    NotificationModel *m_model = nullptr;
    QList<QMetaObject::Connection> m_entityConnections;
    QTabWidget *m_tabs = nullptr;
    TableSection *m_interfaces = nullptr;
    TableSection *m_addresses = nullptr;
    TableSection *m_neighbors = nullptr;
    TableSection *m_rules = nullptr;
    TableSection *m_nexthops = nullptr;
    TableSection *m_routes = nullptr;
    TableSection *m_entities = nullptr;
    ColumnFilterProxy *m_routesProxy = nullptr;
    bool m_selectedEntityRemoved = false;
};

} // namespace ncv
