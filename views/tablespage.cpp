// SPDX-License-Identifier: GPL-2.0-or-later
#include "views/tablespage.h"

#include "model/notificationmodel.h"
#include "model/tables/addresstablemodel.h"
#include "model/tables/columnfilterproxy.h"
#include "model/tables/entitytablemodel.h"
#include "model/tables/interfacetablemodel.h"
#include "model/tables/neighbortablemodel.h"
#include "model/tables/nexthoptablemodel.h"
#include "model/tables/routetablemodel.h"
#include "model/tables/ruletablemodel.h"
#include "views/tablesection.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace ncv {

TablesPage::TablesPage(NotificationModel *model, QWidget *parent) : QWidget(parent), m_model(model)
{
    setObjectName(QStringLiteral("tablesPage"));
    m_interfaces = new TableSection(QStringLiteral("interfaces"), model->interfaces(), nullptr, this);
    m_addresses = new TableSection(QStringLiteral("addresses"), model->addresses(), nullptr, this);
    m_routesProxy = new ColumnFilterProxy(this);
    m_routes = new TableSection(QStringLiteral("routes"), model->routes(), m_routesProxy, this);
    EntityTableModel *entityModel = model->entities();
    watchEntities(entityModel); // before the section's proxy connects: this runs first
    m_entities = new TableSection(QStringLiteral("entities"), entityModel, nullptr, this);
    m_neighbors = new TableSection(QStringLiteral("neighbors"), model->neighbors(), nullptr, this);
    m_rules = new TableSection(QStringLiteral("rules"), model->rules(), nullptr, this);
    m_nexthops = new TableSection(QStringLiteral("nexthops"), model->nexthops(), nullptr, this);
    const QString ifName = TableSection::interfaceNameSample();
    m_interfaces->reserveColumnWidth(InterfaceTableModel::Name, ifName);
    m_interfaces->reserveColumnWidth(InterfaceTableModel::Master, ifName);
    m_addresses->reserveColumnWidth(AddressTableModel::Interface, ifName);
    m_routes->reserveColumnWidth(RouteTableModel::Interface, ifName);
    m_neighbors->reserveColumnWidth(NeighborTableModel::Interface, ifName);
    m_nexthops->reserveColumnWidth(NexthopTableModel::Interface, ifName);
    m_entities->view()->setSelectionMode(QAbstractItemView::SingleSelection);
    m_entities->view()->setToolTip(tr("Route origins (rtm_protocol). Select one to show only its routes in the "
                                      "Routes table; double click to go there."));
    connect(m_entities->view()->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &TablesPage::onEntitySelectionChanged);
    connect(m_entities->proxy(), &QAbstractItemModel::modelReset, this, &TablesPage::onEntitySelectionChanged);
    connect(m_entities->view(), &QAbstractItemView::doubleClicked, this, [this] { setCurrentSection(m_routes); });
    connect(m_routes, &TableSection::conditionCleared, this,
            [this] { m_entities->view()->selectionModel()->clearSelection(); });

    // Default order (until the user sorts; the header state is saved): routes and
    // addresses by their numeric key (SortRole orders family, then address bytes).
    m_addresses->view()->sortByColumn(AddressTableModel::Address, Qt::AscendingOrder);
    m_neighbors->view()->sortByColumn(NeighborTableModel::Address, Qt::AscendingOrder);
    m_rules->view()->sortByColumn(RuleTableModel::Priority, Qt::AscendingOrder); // as ip rule lists them
    m_nexthops->view()->sortByColumn(NexthopTableModel::Id, Qt::AscendingOrder); // as ip nexthop lists them
    m_routes->view()->sortByColumn(RouteTableModel::Destination, Qt::AscendingOrder);
    // The addresses' last column (preferred lifetime) is right-aligned: stretching it
    // would push its text to the far right edge.
    m_addresses->view()->horizontalHeader()->setStretchLastSection(false);
    m_routes->view()->horizontalHeader()->setStretchLastSection(false); // Expires is right-aligned too

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("tableTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_interfaces, tr("&Interfaces"));
    m_tabs->addTab(m_addresses, tr("&Addresses"));
    m_tabs->addTab(m_routes, tr("&Routes"));
    m_tabs->addTab(m_entities, tr("E&ntities"));
    m_tabs->addTab(m_neighbors, tr("Nei&ghbors"));
    m_tabs->addTab(m_rules, tr("R&ules"));
    m_tabs->addTab(m_nexthops, tr("Ne&xthops"));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] { Q_EMIT currentSectionChanged(currentSection()); });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);
}

void TablesPage::watchEntities(EntityTableModel *entityModel)
{
    for (const QMetaObject::Connection &c : std::as_const(m_entityConnections))
        disconnect(c);
    m_entityConnections.clear();
    m_selectedEntityRemoved = false;
    // When the selected entity is removed (deregistered), the view moves the current row
    // (and with it the single selection) to a neighbour: that must not silently filter the
    // routes by another protocol.
    m_entityConnections << connect(entityModel, &QAbstractItemModel::rowsAboutToBeRemoved, this,
                                   [this, entityModel](const QModelIndex &, int first, int last) {
                                       if (!m_routesProxy->hasRequiredValue())
                                           return;
                                       for (int row = first; row <= last; ++row) {
                                           if (entityModel->protocolText(row) == m_routesProxy->requiredValue())
                                               m_selectedEntityRemoved = true;
                                       }
                                   });
    m_entityConnections << connect(entityModel, &QAbstractItemModel::rowsRemoved, this, [this] {
        if (!m_selectedEntityRemoved)
            return;
        m_selectedEntityRemoved = false;
        m_entities->view()->selectionModel()->clear();
        onEntitySelectionChanged();
    });
}

void TablesPage::showModel(NotificationModel *model)
{
    if (model == m_model)
        return;
    m_model = model;
    m_interfaces->setSourceModel(model->interfaces());
    m_addresses->setSourceModel(model->addresses());
    m_routes->setSourceModel(model->routes());
    m_neighbors->setSourceModel(model->neighbors());
    m_rules->setSourceModel(model->rules());
    m_nexthops->setSourceModel(model->nexthops());
    // Watched before the entities' proxy connects to it, as in the constructor.
    watchEntities(model->entities());
    m_entities->setSourceModel(model->entities());
    Q_EMIT modelShown(model);
}

QList<TableSection *> TablesPage::sections() const
{
    return {m_interfaces, m_addresses, m_routes, m_entities, m_neighbors, m_rules, m_nexthops};
}

TableSection *TablesPage::currentSection() const
{
    return qobject_cast<TableSection *>(m_tabs->currentWidget());
}

void TablesPage::setCurrentSection(TableSection *section)
{
    if (sections().contains(section))
        m_tabs->setCurrentWidget(section);
}

void TablesPage::onEntitySelectionChanged()
{
    if (m_selectedEntityRemoved)
        return; // the view moves the selection to a neighbour; the filter is cleared at rowsRemoved
    const QModelIndexList rows = m_entities->view()->selectionModel()->selectedRows(EntityTableModel::Protocol);
    if (rows.isEmpty()) {
        m_routesProxy->clearRequiredValue();
        m_routes->setConditionText(QString());
        return;
    }
    const QString protocol = rows.front().data(Qt::DisplayRole).toString();
    m_routesProxy->setRequiredValue(RouteTableModel::Protocol, protocol);
    m_routes->setConditionText(tr("Protocol: %1").arg(protocol));
}

} // namespace ncv
